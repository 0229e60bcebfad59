// Turning the API's trend rows into chart series: one point per bucket, one key per series.
import type { Point, Series } from "~/components/charts.tsx";

export const PALETTE = [
  "#0284c7",
  "#d97706",
  "#059669",
  "#dc2626",
  "#7c3aed",
  "#db2777",
  "#64748b",
  "#0d9488",
];

export const POLICY_COLORS: Record<string, string> = {
  Always: "#0284c7",
  IfNotPresent: "#d97706",
  Never: "#64748b",
};

/** Pivot rows keyed by (bucket, name) into points keyed by name. */
export function pivot<R>(
  rows: R[],
  bucket: (r: R) => Date,
  name: (r: R) => string,
  value: (r: R) => number | null,
): { points: Point[]; names: string[] } {
  const byT = new Map<number, Point>();
  // A series with no value anywhere in the range is not drawn (an empty legend entry says nothing).
  const names = new Set<string>();
  for (const r of rows) {
    const t = bucket(r).getTime();
    const p = byT.get(t) ?? ({ t } as Point);
    const n = name(r);
    const v = value(r);
    if (v !== null) names.add(n);
    p[n] = v;
    byT.set(t, p);
  }
  const sorted = [...names].sort();
  const points = [...byT.values()].sort((a, b) => a.t - b.t);
  for (const p of points) for (const n of sorted) if (!(n in p)) p[n] = null;
  return { points, names: sorted };
}

export const seriesOf = (names: string[], colors: Record<string, string> = {}): Series[] =>
  names.map((n, i) => ({ key: n, label: n, color: colors[n] ?? PALETTE[i % PALETTE.length] ?? "#64748b" }));

/**
 * A value axis that fits its data: from a step below the smallest value to a step above the
 * largest, on whole steps, within `bounds` (a score moving between 58 % and 64 % is drawn on
 * 50–70 %, where its movement shows, not flattened on 0–100 %). No values: the bounds.
 */
export function fitDomain(
  values: ReadonlyArray<number | null | undefined>,
  bounds: [number, number],
  step = 5,
): [number, number] {
  const known = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (known.length === 0) return bounds;
  const lo = Math.max(bounds[0], Math.floor((Math.min(...known) - step) / step) * step);
  const hi = Math.min(bounds[1], Math.ceil((Math.max(...known) + step) / step) * step);
  return [lo, Math.max(hi, lo + step)];
}
