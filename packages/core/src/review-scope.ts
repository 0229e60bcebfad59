// The weekly review's coordinates: an ISO 8601 week ("2026-W47", Monday to Monday in UTC) and a
// scope (the fleet, a cluster, or a namespace of a cluster) with the key it travels under in URLs,
// exports and stored sign-offs.

const DAY = 86_400_000;

export type ReviewScope =
  | { kind: "fleet" }
  | { kind: "cluster"; cluster: string }
  | { kind: "namespace"; cluster: string; namespace: string };

export function scopeKey(s: ReviewScope): string {
  return s.kind === "fleet"
    ? "fleet"
    : s.kind === "cluster"
      ? `cluster:${s.cluster}`
      : `namespace:${s.cluster}/${s.namespace}`;
}

export function parseScopeKey(key: string): ReviewScope | null {
  if (key === "fleet") return { kind: "fleet" };
  const cluster = /^cluster:(.+)$/.exec(key);
  if (cluster?.[1]) return { kind: "cluster", cluster: cluster[1] };
  const ns = /^namespace:([^/]+)\/(.+)$/.exec(key);
  if (ns?.[1] && ns[2]) return { kind: "namespace", cluster: ns[1], namespace: ns[2] };
  return null;
}

/** Midnight UTC of a calendar day; years below 100 are taken as written (Date.UTC would add 1900). */
function utcDay(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  return d.getTime();
}

/** Monday 00:00 UTC of the ISO week an instant falls in. */
function mondayOf(t: number): number {
  const midnight = t - (((t % DAY) + DAY) % DAY);
  const weekday = new Date(midnight).getUTCDay() || 7; // Monday 1 … Sunday 7
  return midnight - (weekday - 1) * DAY;
}

/** The ISO week of an instant in UTC: the week's Thursday decides its year. */
export function isoWeekOf(d: Date): string {
  const thursday = new Date(mondayOf(d.getTime()) + 3 * DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - utcDay(year, 0, 1)) / DAY / 7) + 1;
  return `${String(year).padStart(4, "0")}-W${String(week).padStart(2, "0")}`;
}

/** "2026-W47" → its Monday 00:00 UTC and the next Monday. Throws RangeError for a bad week. */
export function isoWeekRange(week: string): { start: Date; end: Date } {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) throw new RangeError(`${week} is not an ISO week like 2026-W47`);
  const year = Number(m[1]);
  const n = Number(m[2]);
  // Week 1 is the week with January 4th in it.
  const start = mondayOf(utcDay(year, 0, 4)) + (n - 1) * 7 * DAY;
  if (n < 1 || isoWeekOf(new Date(start)) !== week) throw new RangeError(`${year} has no week ${n}`);
  return { start: new Date(start), end: new Date(start + 7 * DAY) };
}
