import { unstorableText } from "@pullsight/core";
import type { z } from "zod";
// Search params as the pages receive them (Next passes string | string[] | undefined).
export type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export const one = (v: string | string[] | undefined): string | undefined =>
  (Array.isArray(v) ? v[0] : v) || undefined;
export const many = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : v ? [v] : []);

/** Only the params a page knows, as plain strings (for links that keep the current view). */
export function pick<K extends string>(
  sp: Record<string, string | string[] | undefined>,
  keys: readonly K[],
) {
  const out: Partial<Record<K, string>> = {};
  for (const k of keys) {
    const v = one(sp[k]);
    if (v) out[k] = v;
  }
  return out;
}

/**
 * The filters of a URL that `schema` accepts, key by key: a value a hand-edited link cannot use
 * is dropped (and reported) rather than failing the page.
 */
export function validFilters<S extends z.ZodObject>(
  schema: S,
  sp: Record<string, string | string[] | undefined>,
): { filter: Partial<z.infer<S>>; raw: Record<string, string>; dropped: string[] } {
  const filter: Record<string, unknown> = {};
  // The accepted values as the URL wrote them: for links, exports and form fields.
  const raw: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [key, field] of Object.entries(schema.shape)) {
    const value = one(sp[key]);
    if (value === undefined) continue;
    // Text no query could take (a NUL, a lone surrogate) is dropped like any other bad value.
    const parsed = unstorableText(value) === null ? (field as z.ZodType).safeParse(value) : null;
    if (parsed?.success && parsed.data !== undefined) {
      filter[key] = parsed.data;
      raw[key] = value;
    } else dropped.push(key);
  }
  return { filter: filter as Partial<z.infer<S>>, raw, dropped };
}
