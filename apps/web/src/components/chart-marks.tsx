// Marks on a time chart: the days something happened (rollouts, incidents, sign-offs…), drawn as
// labelled vertical lines and listed in words under the chart, each with a link to its evidence.
import { ReferenceLine } from "recharts";

/** Something that happened on a day of a trend, drawn as a labelled vertical line and listed with its evidence. */
export interface ChartMark {
  t: number;
  /** One or two characters drawn at the top of the line (the list below says it in words). */
  glyph: string;
  text: string;
  href: string;
  color: string;
}

/** The marks in words, each linking to its evidence, in date order (the lines carry only their glyph). */
export function MarkList({ marks }: { marks: readonly ChartMark[] }) {
  return (
    <ul
      aria-label="Marked on the chart"
      className="mt-2 space-y-0.5 text-xs text-slate-600 dark:text-slate-300"
    >
      {marks.map((m) => (
        <li key={`${m.t}-${m.glyph}-${m.text}`} className="flex gap-2">
          <span
            aria-hidden="true"
            className="w-4 shrink-0 text-center font-semibold"
            style={{ color: m.color }}
          >
            {m.glyph}
          </span>
          <span>
            {new Date(m.t).toISOString().slice(0, 10)}:{" "}
            <a
              href={m.href}
              className="underline decoration-slate-400 underline-offset-2 hover:text-slate-900 dark:hover:text-white"
            >
              {m.text}
            </a>
          </span>
        </li>
      ))}
    </ul>
  );
}

/** One dashed vertical line per mark, its glyph on top (several on a day share the line, glyphs joined). */
export function markLines(marks: readonly ChartMark[]) {
  const byDay = new Map<number, ChartMark[]>();
  for (const m of marks) byDay.set(m.t, [...(byDay.get(m.t) ?? []), m]);
  return [...byDay].map(([t, ms]) => (
    <ReferenceLine
      key={t}
      x={t}
      stroke={ms[0]?.color ?? "#64748b"}
      strokeDasharray="2 3"
      ifOverflow="extendDomain"
      label={{
        value: [...new Set(ms.map((m) => m.glyph))].join(""),
        position: "insideTopLeft",
        fontSize: 11,
        fill: ms[0]?.color ?? "#64748b",
      }}
    />
  ));
}
