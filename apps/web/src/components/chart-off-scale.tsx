"use client";
// A count axis that stops short of exceptional days (lib/series.ts outlierDomain): those days are
// drawn off the top, marked there with their values, and named in the chart's caption.
import { ReferenceDot } from "recharts";
import type { Point, Series } from "~/components/charts.tsx";
import { shortDay } from "~/lib/format.ts";
import { outlierDomain } from "~/lib/series.ts";

/** An axis stopped short of exceptional days (outlierDomain), and those days with their totals. */
export interface OffScale {
  domain: [number, number];
  days: Array<{ t: number; total: number }>;
}

/** Each day's drawn height (a stack's total, else its largest value), checked for outliers. */
export function offScaleOf(
  data: Point[],
  series: Series[],
  stacked: "expand" | "sum" | undefined,
): OffScale | null {
  const totals = data.map((p) => {
    const values = series.map((s) => p[s.key] ?? 0);
    return stacked === "sum" ? values.reduce((n, v) => n + v, 0) : Math.max(0, ...values);
  });
  const domain = outlierDomain(totals);
  if (!domain) return null;
  const days = data.flatMap((p, i) =>
    (totals[i] ?? 0) > domain[1] ? [{ t: p.t, total: totals[i] ?? 0 }] : [],
  );
  return { domain, days };
}

export const offScaleNote = (o: OffScale, fmt: (v: number) => string) =>
  `Off the scale: ${o.days.map((d) => `${shortDay(d.t)} (${fmt(d.total)})`).join(", ")}. The axis stops at ${fmt(o.domain[1])} so that the other days can be read; the numbers below have every day.`;

/** A marker at the top of the axis over each day drawn beyond it, saying its value. */
export const offScaleDots = (o: OffScale | null, fmt: (v: number) => string) =>
  o?.days.map((d) => (
    <ReferenceDot
      key={d.t}
      x={d.t}
      y={o.domain[1]}
      r={3}
      fill="currentColor"
      stroke="none"
      ifOverflow="visible"
      label={{ value: `↑ ${fmt(d.total)}`, position: "right", fontSize: 11, fill: "currentColor" }}
    />
  ));
