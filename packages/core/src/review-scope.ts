// The weekly review's coordinates: an ISO 8601 week ("2026-W47", Monday to Monday in UTC) and a
// scope (the fleet, a cluster, a namespace of a cluster, or a team across clusters) with the key it
// travels under in URLs, exports and stored sign-offs. Keys are normalised when parsed, so one
// scope has one key: no trailing-space or upper-case twins of a sign-off.
import { teamOfScope } from "./teams.ts";

const DAY = 86_400_000;

export type ReviewScope =
  | { kind: "fleet" }
  | { kind: "cluster"; cluster: string }
  | { kind: "namespace"; cluster: string; namespace: string }
  | { kind: "team"; team: string };

export function scopeKey(s: ReviewScope): string {
  return s.kind === "fleet"
    ? "fleet"
    : s.kind === "cluster"
      ? `cluster:${s.cluster}`
      : s.kind === "team"
        ? `team:${s.team}`
        : `namespace:${s.cluster}/${s.namespace}`;
}

/**
 * The scope a key names, or null. Surrounding spaces are dropped from every name and team names
 * are normalised (teams.ts), so that one scope has one key; the server checks that it exists.
 */
export function parseScopeKey(raw: string): ReviewScope | null {
  const key = raw.trim();
  if (key === "fleet") return { kind: "fleet" };
  const colon = key.indexOf(":");
  const kind = key.slice(0, colon);
  const rest = key.slice(colon + 1).trim();
  if (colon < 0 || !rest) return null;
  if (kind === "cluster") return { kind: "cluster", cluster: rest };
  if (kind === "team") {
    const team = teamOfScope(rest);
    return team ? { kind: "team", team } : null;
  }
  const parts = rest.split("/").map((p) => p.trim());
  if (kind === "namespace" && parts.length === 2 && parts[0] && parts[1])
    return { kind: "namespace", cluster: parts[0], namespace: parts[1] };
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
