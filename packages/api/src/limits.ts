// What a request may be, checked before anything parses or queries it: a malformed request gets
// 400 (or 413 for a body too large) with a reason, never a 500 from deep inside a parser or from
// PostgreSQL. The limits are settings (PULLSIGHT_MAX_*) with the defaults below; README, Limits.
import { unstorableText } from "@pullsight/core";
import { z } from "zod";

const limitsSchema = z.object({
  /** Bytes of a POST body (tRPC mutations and batches). */
  PULLSIGHT_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  /** Characters of a URL (a GET's input travels in it); below Node's 16 kB header limit, so the reason is ours. */
  PULLSIGHT_MAX_URL_CHARS: z.coerce.number().int().min(1024).max(16_000).default(8_192),
  /** Procedures in one batched tRPC request. */
  PULLSIGHT_MAX_BATCH: z.coerce.number().int().min(1).default(16),
  /** Levels of nested arrays and objects in an input. */
  PULLSIGHT_MAX_DEPTH: z.coerce.number().int().min(4).default(32),
  /** CSV exports that may stream at once (each holds a database connection). */
  PULLSIGHT_EXPORT_CONNECTIONS: z.coerce.number().int().min(1).max(100).default(4),
  /** How long an export waits for a connection before it is answered 503 with Retry-After. */
  PULLSIGHT_EXPORT_WAIT_MS: z.coerce.number().int().min(100).default(5_000),
  /** How long a client may read nothing before its export is cut off and the connection freed. */
  PULLSIGHT_EXPORT_IDLE_MS: z.coerce.number().int().min(100).default(30_000),
  /** The longest one fetch of an export's rows may run in PostgreSQL. */
  PULLSIGHT_EXPORT_STATEMENT_MS: z.coerce.number().int().min(100).default(60_000),
});

export interface ExportLimits {
  connections: number;
  waitMs: number;
  idleMs: number;
  statementMs: number;
}

export interface RequestLimits {
  bodyBytes: number;
  urlChars: number;
  batch: number;
  depth: number;
}

/** The limits a server runs with, from its environment (invalid values stop it with the reason). */
export function readLimits(env: Record<string, string | undefined>): {
  request: RequestLimits;
  exports: ExportLimits;
} {
  const parsed = limitsSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid limits: ${z.prettifyError(parsed.error)}`);
  const l = parsed.data;
  return {
    request: {
      bodyBytes: l.PULLSIGHT_MAX_BODY_BYTES,
      urlChars: l.PULLSIGHT_MAX_URL_CHARS,
      batch: l.PULLSIGHT_MAX_BATCH,
      depth: l.PULLSIGHT_MAX_DEPTH,
    },
    exports: {
      connections: l.PULLSIGHT_EXPORT_CONNECTIONS,
      waitMs: l.PULLSIGHT_EXPORT_WAIT_MS,
      idleMs: l.PULLSIGHT_EXPORT_IDLE_MS,
      statementMs: l.PULLSIGHT_EXPORT_STATEMENT_MS,
    },
  };
}

export const DEFAULT_LIMITS: RequestLimits = readLimits({}).request;
export const DEFAULT_EXPORT_LIMITS: ExportLimits = readLimits({}).exports;

/** A request refused for its shape: the status to answer and a reason a person can act on. */
export class RequestRefused extends Error {
  constructor(
    readonly status: 400 | 413 | 414,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The deepest nesting of arrays and objects in JSON text, without parsing it (a parser would
 * recurse first): brackets inside strings do not count.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

export function checkJsonText(text: string, limits: RequestLimits, what: string): void {
  if (jsonDepth(text) > limits.depth)
    throw new RequestRefused(400, `${what} is nested deeper than ${limits.depth} levels`);
}

/**
 * Why a parsed input cannot be taken (a string PostgreSQL cannot store, in a key or a value, or
 * nesting beyond the limit), or null. Checked for every procedure and export before validation.
 */
export function unsafeInput(value: unknown, limits: RequestLimits, at = "input", depth = 0): string | null {
  if (typeof value === "string") {
    const why = unstorableText(value);
    return why ? `${at} ${why}` : null;
  }
  if (value === null || typeof value !== "object") return null;
  if (depth >= limits.depth) return `${at} is nested deeper than ${limits.depth} levels`;
  if (value instanceof Date) return null;
  for (const [k, v] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
    const key = typeof k === "string" ? unstorableText(k) : null;
    if (key) return `a key of ${at} ${key}`;
    const why = unsafeInput(v, limits, `${at}.${k}`, depth + 1);
    if (why) return why;
  }
  return null;
}
