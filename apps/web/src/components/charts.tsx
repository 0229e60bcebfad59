"use client";
// Charts (Recharts). Each chart is a figure with a caption and, as its text alternative, the
// same numbers in a table a keyboard or screen-reader user can open; colours come with labels.
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { type ChartMark, MarkList, markLines } from "~/components/chart-marks.tsx";
import { offScaleDots, offScaleNote, offScaleOf } from "~/components/chart-off-scale.tsx";
import { shortDay } from "~/lib/format.ts";
import { niceStep } from "~/lib/series.ts";

export type { ChartMark };

export type ValueFormat = "pct" | "ms" | "count" | "score";

export interface Series {
  key: string;
  label: string;
  color: string;
  dashed?: boolean;
}
export type Point = { t: number } & Record<string, number | null>;

const formatters: Record<ValueFormat, (v: number) => string> = {
  pct: (v) => `${Math.round(v * 1000) / 10}%`,
  score: (v) => `${Math.round(v * 10) / 10}%`,
  ms: (v) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`),
  count: (v) => Math.round(v).toLocaleString("en"),
};
const tooltipStyle = {
  background: "var(--chart-tooltip-bg)",
  border: "1px solid var(--chart-grid)",
  borderRadius: 6,
  color: "inherit",
  fontSize: 12,
};
const axis = { fontSize: 12, fill: "currentColor" };

/** The chart's numbers as a table: its text alternative, opened on demand. */
function Numbers({
  head,
  rows,
  series,
  format,
  shares = false,
}: {
  head: string;
  rows: Array<{ label: string; values: Array<number | null | undefined> }>;
  series: Series[];
  format: ValueFormat;
  /** Also say each value's share of its row's total (what a chart stacked to 100 % draws). */
  shares?: boolean;
}) {
  return (
    <details className="mt-2 text-xs print:hidden">
      <summary className="cursor-pointer text-slate-600 dark:text-slate-300">Show the numbers</summary>
      {/* A chart of many series has a wide table: it scrolls on its own, never the page. */}
      <div className="overflow-x-auto">
        <table className="numbers-table mt-2 w-full text-left">
          <thead>
            <tr>
              <th scope="col" className="px-2 py-1 font-medium">
                {head}
              </th>
              {series.map((s) => (
                <th key={s.key} scope="col" className="px-2 py-1 text-right font-medium">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const total = r.values.reduce<number>((n, v) => n + (v ?? 0), 0);
              return (
                <tr key={r.label}>
                  <th scope="row" className="px-2 py-0.5 font-normal">
                    {r.label}
                  </th>
                  {r.values.map((v, i) => (
                    <td key={series[i]?.key ?? i} className="px-2 py-0.5 text-right tabular-nums">
                      {v === null || v === undefined ? "–" : formatters[format](v)}
                      {shares && v !== null && v !== undefined && total > 0
                        ? ` (${formatters.pct(v / total)})`
                        : ""}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** Caption, the chart (or a sentence when there is nothing to draw), and its numbers. */
function Frame({
  title,
  summary,
  empty,
  height,
  children,
  numbers,
  note,
  marks = [],
}: {
  title: string;
  summary: string;
  empty: boolean;
  height: number;
  children: React.ReactElement;
  numbers: React.ReactNode;
  /** How to read the drawing when it is not plain (stacked areas). */
  note?: string;
  marks?: readonly ChartMark[];
}) {
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <figcaption className="mb-1">
        <span className="font-medium">{title}</span>
        <span className="block text-xs text-slate-600 dark:text-slate-300">{summary}</span>
        {note && <span className="block text-xs italic text-slate-600 dark:text-slate-300">{note}</span>}
      </figcaption>
      {empty ? (
        <p className="py-10 text-center text-sm text-slate-600 dark:text-slate-300">
          Nothing to show in this range yet.
        </p>
      ) : (
        <div
          role="img"
          aria-label={`${title}: ${summary}${note ? ` ${note}` : ""}`}
          className="text-slate-600 dark:text-slate-300"
          style={{ height }}
        >
          <ResponsiveContainer width="100%" height="100%">
            {children}
          </ResponsiveContainer>
        </div>
      )}
      {marks.length > 0 && <MarkList marks={marks} />}
      {numbers}
    </figure>
  );
}

/** Ticks on round values across a fixed domain: at most six intervals of 1, 2, 5, 10, 20, 25 or 50. */
function roundTicks([lo, hi]: [number, number]): number[] {
  const step = [1, 2, 5, 10, 20, 25, 50, 100].find((s) => (hi - lo) / s <= 6) ?? niceStep(hi - lo);
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) ticks.push(t);
  return ticks;
}

const STACKED_NOTES = {
  expand: "Stacked to 100 %: each band is its share of the day's total.",
  sum: "Stacked: each band sits on the ones below it, so the top edge is the day's total.",
} as const;

interface TimeChartProps {
  title: string;
  /** One sentence saying what the chart shows now (the text alternative's summary). */
  summary: string;
  data: Point[];
  series: Series[];
  /** How values are written (tooltip, numbers); a chart stacked to 100 % draws shares of them. */
  format: ValueFormat;
  kind?: "line" | "area";
  /** Stack areas: to 100% of their sum ("expand") or on top of each other ("sum"). */
  stacked?: "expand" | "sum";
  domain?: [number, number];
  height?: number;
  /** Days marked with what happened on them (rollouts, incidents…), drawn as vertical lines. */
  marks?: readonly ChartMark[];
  /** Let the axis stop short of exceptional days (drawn off the top, labelled with their values). */
  clipOutliers?: boolean;
}

/** Days along the bottom, one label per few days. */
const TIME_AXIS = (
  <XAxis
    dataKey="t"
    type="number"
    scale="time"
    domain={["dataMin", "dataMax"]}
    tickFormatter={(t: number) => shortDay(t)}
    tick={axis}
    stroke="var(--chart-grid)"
    minTickGap={24}
  />
);

export function TimeChart({
  title,
  summary,
  data,
  series,
  format,
  kind = "line",
  stacked,
  domain,
  height = 220,
  marks = [],
  clipOutliers = false,
}: TimeChartProps) {
  const fmt = formatters[format];
  const offScale = clipOutliers && !domain && stacked !== "expand" ? offScaleOf(data, series, stacked) : null;
  const axisDomain = offScale?.domain ?? domain;
  const note = [stacked && STACKED_NOTES[stacked], offScale && offScaleNote(offScale, fmt)]
    .filter(Boolean)
    .join(" ");
  // Stacked to 100 %, the axis reads shares of each day's total; values stay what they are.
  const axisFmt = stacked === "expand" ? formatters.pct : fmt;
  const common = {
    data,
    margin: { top: 8, right: 12, bottom: 0, left: 0 },
  };
  const yAxis = (
    <YAxis
      tickFormatter={(v: number) => axisFmt(v)}
      tick={axis}
      width={56}
      stroke="var(--chart-grid)"
      {...(axisDomain ? { domain: axisDomain, ticks: roundTicks(axisDomain) } : {})}
      allowDataOverflow={offScale !== null}
    />
  );
  const tooltip = (
    <Tooltip
      contentStyle={tooltipStyle}
      labelFormatter={(t) => new Date(Number(t)).toISOString().slice(0, 10)}
      formatter={(v) => (typeof v === "number" ? fmt(v) : String(v))}
    />
  );
  return (
    <Frame
      title={title}
      summary={summary}
      empty={data.length === 0}
      height={height}
      {...(note ? { note } : {})}
      marks={marks}
      numbers={
        <Numbers
          head="Date (UTC)"
          rows={data.map((p) => ({
            label: new Date(p.t).toISOString().slice(0, 10),
            values: series.map((x) => p[x.key]),
          }))}
          series={series}
          format={format}
          shares={stacked === "expand"}
        />
      }
    >
      {kind === "area" ? (
        <AreaChart {...common} {...(stacked === "expand" ? { stackOffset: "expand" as const } : {})}>
          <CartesianGrid stroke="var(--chart-grid)" strokeDasharray="3 3" vertical={false} />
          {TIME_AXIS}
          {yAxis}
          {tooltip}
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {markLines(marks)}
          {series.map((s) => (
            <Area
              key={s.key}
              dataKey={s.key}
              name={s.label}
              stackId={stacked ? "1" : undefined}
              stroke={s.color}
              fill={s.color}
              fillOpacity={0.35}
              isAnimationActive={false}
            />
          ))}
          {offScaleDots(offScale, fmt)}
        </AreaChart>
      ) : (
        <LineChart {...common}>
          <CartesianGrid stroke="var(--chart-grid)" strokeDasharray="3 3" vertical={false} />
          {TIME_AXIS}
          {yAxis}
          {tooltip}
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {markLines(marks)}
          {series.map((s) => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.label}
              stroke={s.color}
              strokeWidth={2}
              strokeDasharray={s.dashed ? "5 4" : undefined}
              dot={false}
              connectNulls
              isAnimationActive={false}
            />
          ))}
          {offScaleDots(offScale, fmt)}
        </LineChart>
      )}
    </Frame>
  );
}

export interface Bars {
  label: string;
  [key: string]: string | number;
}

/** Bar labels drawn straight up to this many bars; more are slanted (a fleet has dozens of clusters). */
const SLANT_OVER = 6;

/** Bars side by side for each label, each standing on zero at its own value (never stacked). */
export function BarsChart({
  title,
  summary,
  data,
  series,
  format = "count",
  height = 220,
}: {
  title: string;
  summary: string;
  data: Bars[];
  series: Series[];
  format?: ValueFormat;
  height?: number;
}) {
  const fmt = formatters[format];
  return (
    <Frame
      title={title}
      summary={summary}
      empty={data.length === 0}
      height={height}
      numbers={
        <Numbers
          head=""
          rows={data.map((d) => ({
            label: d.label,
            values: series.map((x) => (typeof d[x.key] === "number" ? (d[x.key] as number) : null)),
          }))}
          series={series}
          format={format}
        />
      }
    >
      <BarChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--chart-grid)" strokeDasharray="3 3" vertical={false} />
        {/* Every label is drawn; more than a few side by side are slanted so that none overlaps. */}
        <XAxis
          dataKey="label"
          tick={axis}
          stroke="var(--chart-grid)"
          interval={0}
          angle={data.length > SLANT_OVER ? -30 : 0}
          textAnchor={data.length > SLANT_OVER ? "end" : "middle"}
          height={data.length > SLANT_OVER ? 64 : 30}
        />
        <YAxis tickFormatter={(v: number) => fmt(v)} tick={axis} width={56} stroke="var(--chart-grid)" />
        <Tooltip
          contentStyle={tooltipStyle}
          formatter={(v) => (typeof v === "number" ? fmt(v) : String(v))}
        />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {series.map((s) => (
          <Bar key={s.key} dataKey={s.key} name={s.label} fill={s.color} isAnimationActive={false} />
        ))}
      </BarChart>
    </Frame>
  );
}
