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

/** A round step for axis ticks: 1, 2, 2.5 or 5 times a power of ten, at most `count` steps across the span. */
export function niceStep(span: number, count = 6): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power) as number;
}

/** A zero-based axis that holds the largest value, ending on a round tick: charts compared side by side share it. */
export function zeroBasedDomain(values: ReadonlyArray<number | null | undefined>): [number, number] {
  const max = Math.max(0, ...values.filter((v): v is number => typeof v === "number" && Number.isFinite(v)));
  if (max === 0) return [0, 1];
  const step = niceStep(max);
  return [0, Math.ceil(max / step) * step];
}

/** How far above the typical day a day must reach before the axis stops short of it. */
export const OUTLIER_FACTOR = 2;

/**
 * A count axis one exceptional day does not flatten (a first day of collection counting every
 * failure already under way): with a week or more of days, the typical level is 1.5 × the
 * 90th-percentile day, rounded up to a step. Days beyond twice that level are exceptional; when
 * there are any, the axis ends on a step above every other day, and the exceptional days are drawn
 * off its top (the chart labels them with their values). Null when nothing is exceptional.
 */
export function outlierDomain(totals: ReadonlyArray<number>): [number, number] | null {
  const xs = totals.filter((v) => Number.isFinite(v) && v >= 0).sort((a, b) => a - b);
  if (xs.length < 7) return null;
  const typical = xs[Math.ceil(0.9 * xs.length) - 1] as number;
  if (typical <= 0) return null;
  const limit = OUTLIER_FACTOR * (zeroBasedDomain([1.5 * typical])[1] as number);
  if ((xs[xs.length - 1] as number) <= limit) return null;
  return zeroBasedDomain(xs.filter((v) => v <= limit));
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** One series' level lately against before: the median of its values in the recent days and earlier. */
export interface Slowdown {
  name: string;
  recent: number | null;
  before: number | null;
  /** recent / before; null when either side has no value. */
  ratio: number | null;
}

/**
 * Series ranked by how much higher their recent values are than before (the medians of the last
 * `recentDays` and of the days before them): the registries that got slower first, then the
 * highest recent values; a series with no value in the range is left out.
 */
export function rankBySlowdown(
  points: readonly Point[],
  names: readonly string[],
  recentDays = 7,
): Slowdown[] {
  const last = points.at(-1)?.t ?? 0;
  const cut = last - (recentDays - 1) * 86_400_000;
  const values = (name: string, recent: boolean) =>
    points
      .filter((p) => p.t >= cut === recent)
      .map((p) => p[name])
      .filter((v): v is number => typeof v === "number");
  const ranked = names
    .map((name) => {
      const recent = median(values(name, true));
      const before = median(values(name, false));
      return { name, recent, before, ratio: recent !== null && before ? recent / before : null };
    })
    .filter((s) => s.recent !== null || s.before !== null);
  return ranked.sort(
    (a, b) =>
      (b.ratio ?? Number.NEGATIVE_INFINITY) - (a.ratio ?? Number.NEGATIVE_INFINITY) ||
      (b.recent ?? 0) - (a.recent ?? 0) ||
      a.name.localeCompare(b.name),
  );
}
