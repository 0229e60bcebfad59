// Formatting shared by every page: UTC everywhere (reviews and exports are in UTC), English
// digit grouping, and durations a person reads at a glance.
import { formatDistanceStrict } from "date-fns";

const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});
const dateFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });
const shortDayFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

export const dateTime = (d: Date | null | undefined) => (d ? `${dateTimeFormat.format(d)} UTC` : "never");
export const date = (d: Date | null | undefined) => (d ? dateFormat.format(d) : "–");
/** A day on a chart's axis: "8 Oct". */
export const shortDay = (t: number | Date) => shortDayFormat.format(t);
export const num = (n: number | bigint | null | undefined) =>
  n === null || n === undefined ? "–" : n.toLocaleString("en");
export const pct = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined ? "–" : `${(n * 100).toFixed(digits)}%`;
/** A share that is a percentage (0–100) already, as trends report them. */
export const share = (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${v}%`);
export const ago = (d: Date | null | undefined, now: Date) =>
  d ? `${formatDistanceStrict(d, now)} ago` : "never";
export const ms = (n: number | null | undefined) =>
  n === null || n === undefined
    ? "–"
    : n >= 10_000
      ? `${(n / 1000).toFixed(1)} s`
      : `${Math.round(n).toLocaleString("en")} ms`;
export const duration = (n: number | null | undefined) =>
  n === null || n === undefined
    ? "–"
    : n >= 60_000
      ? `${(n / 60_000).toFixed(1)} min`
      : `${(n / 1000).toFixed(1)} s`;
export const plural = (n: number, one: string, many = `${one}s`) => `${num(n)} ${n === 1 ? one : many}`;
