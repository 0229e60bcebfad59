// The few building blocks every page shares. Colour is never the only signal: badges carry text.
import { SEVERITIES_MOST_SEVERE_FIRST } from "@pullsight/core";
import Link from "next/link";
import type { CSSProperties, ReactNode } from "react";

/** Where a filter form's results begin: the forms submit to `#results` (FocusTarget). */
export const RESULTS_ID = "results";
export const card = "rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900";
export const muted = "text-slate-600 dark:text-slate-300";
export const link =
  "text-sky-700 underline decoration-sky-700/30 underline-offset-2 hover:decoration-sky-700 dark:text-sky-300 dark:decoration-sky-300/40 focus-visible:outline-2 focus-visible:outline-sky-600";
export const button =
  "inline-flex items-center gap-1 rounded border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-sky-600 disabled:opacity-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800";
export const primaryButton =
  "inline-flex items-center gap-1 rounded bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-50";
export const input =
  "rounded border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";
export const th = "px-3 py-2 font-medium whitespace-nowrap";
export const td = "px-3 py-2 align-top";
// relative: absolutely placed text (sr-only) inside a scrolled table stays in its box instead of widening the page.
export const tableWrap = `relative overflow-x-auto ${card}`;
/**
 * A long list's box: from a tablet's width up it scrolls inside itself, so its sticky header stays
 * in view (a header sticks only within the box that scrolls); on a phone the page scrolls.
 */
export const longTableWrap = `relative overflow-x-auto md:max-h-[75vh] md:overflow-y-auto ${card}`;
/** A long table's box, reachable by keyboard so that its own scrolling works without a mouse. */
export const scrollBox = (label: string) => ({ tabIndex: 0, role: "region", "aria-label": label }) as const;
export const table = "w-full text-left text-sm";
export const thead =
  "sticky top-0 z-10 border-b border-slate-200 bg-white text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-300";
export const tr = "border-b border-slate-100 last:border-0 dark:border-slate-800";

export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="flex flex-wrap items-end justify-between gap-3">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {subtitle && <p className={`mt-1 text-sm ${muted}`}>{subtitle}</p>}
      </div>
      {actions && <div className="flex flex-wrap items-center gap-2 print:hidden">{actions}</div>}
    </div>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  const headingId = id ?? `h-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section aria-labelledby={headingId} className="space-y-3 break-inside-avoid">
      <h2 id={headingId} className="text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <div className={`${card} p-4`}>
      <dt className={`text-sm ${muted}`}>{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums">{value}</dd>
      {hint && <dd className={`mt-1 text-xs ${muted}`}>{hint}</dd>}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className={`${card} border-dashed p-6 text-sm`}>
      <p className="font-medium">{title}</p>
      {children && <div className={`mt-2 ${muted}`}>{children}</div>}
    </div>
  );
}

export function Warning({ children }: { children: ReactNode }) {
  return (
    <div
      role="alert"
      className="rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/40 dark:text-amber-100"
    >
      {children}
    </div>
  );
}

const severityStyle: Record<string, string> = {
  critical: "bg-red-700 text-white",
  high: "bg-red-100 text-red-900 dark:bg-red-900/50 dark:text-red-100",
  medium: "bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-100",
  low: "bg-sky-100 text-sky-900 dark:bg-sky-900/50 dark:text-sky-100",
  info: "bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-200",
};
/** Most severe first, as pages list them. */
export const SEVERITIES = SEVERITIES_MOST_SEVERE_FIRST;

export function SeverityBadge({ severity }: { severity: string | null }) {
  if (!severity) return <span className={muted}>none</span>;
  return (
    <span
      className={`inline-flex rounded px-1.5 py-0.5 text-xs font-medium ${severityStyle[severity] ?? ""}`}
    >
      {severity}
    </span>
  );
}

const gradeStyle: Record<string, string> = {
  A: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900/50 dark:text-emerald-100",
  B: "bg-lime-100 text-lime-900 dark:bg-lime-900/50 dark:text-lime-100",
  C: "bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-100",
  D: "bg-orange-100 text-orange-900 dark:bg-orange-900/50 dark:text-orange-100",
  F: "bg-red-100 text-red-900 dark:bg-red-900/50 dark:text-red-100",
};

/** Score and grade together; "not scored" when there is nothing to score. */
export function Grade({ score, grade }: { score: number | null; grade: string | null }) {
  if (score === null || !grade) return <span className={muted}>not scored</span>;
  return (
    <span className="inline-flex items-center gap-1.5 tabular-nums">
      <span
        className={`inline-flex h-6 w-6 items-center justify-center rounded text-xs font-bold ${gradeStyle[grade] ?? ""}`}
      >
        <span className="sr-only">grade </span>
        {grade}
      </span>
      {score}%
    </span>
  );
}

export function Delta({
  value,
  unit = " pts",
  invert = false,
}: {
  value: number | null;
  unit?: string;
  invert?: boolean;
}) {
  if (value === null) return <span className={muted}>no previous week</span>;
  const better = invert ? value < 0 : value > 0;
  const style =
    value === 0
      ? muted
      : better
        ? "text-emerald-700 dark:text-emerald-300"
        : "text-red-700 dark:text-red-300";
  return (
    <span className={`tabular-nums ${style}`}>
      {value > 0 ? "▲ +" : value < 0 ? "▼ " : "± "}
      {value}
      {unit}
    </span>
  );
}

/** A link that keeps the current filters and changes some (null removes a key). */
export function hrefWith(
  path: string,
  params: Record<string, string | undefined>,
  change: Record<string, string | null>,
): string {
  const next = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== "" && !(k in change)) next.set(k, v);
  for (const [k, v] of Object.entries(change)) if (v !== null && v !== "") next.set(k, v);
  const qs = next.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Which team or namespace a list is narrowed to (links from a team or namespace page), and the way back to all. */
export function ScopeNote({ path, raw }: { path: string; raw: Record<string, string | undefined> }) {
  if (!raw.team && !raw.namespace) return null;
  return (
    <p className="text-sm">
      {raw.team && <>Team {raw.team} </>}
      {raw.namespace && <>Namespace {raw.namespace} </>}·{" "}
      <Link href={hrefWith(path, raw, { team: null, namespace: null })} className={link}>
        every team and namespace
      </Link>
    </p>
  );
}

export function ExportLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <a href={href} className={button} download>
      {children}
    </a>
  );
}

export { Link };

type Column = string | [string, "right"] | false;
const columnLabel = (c: Exclude<Column, false>) => (typeof c === "string" ? c : c[0]);

/**
 * A table's header row: column names, ["name", "right"] for numeric columns, false for a column
 * not shown.
 */
export function Head({ columns }: { columns: Column[] }) {
  return (
    <thead className={thead}>
      <tr>
        {columns
          .filter((c) => c !== false)
          .map((c) => {
            const [label, align] = typeof c === "string" ? [c, null] : c;
            return (
              <th key={label || "row"} scope="col" className={align ? `${th} text-right` : th}>
                {label}
              </th>
            );
          })}
      </tr>
    </thead>
  );
}

/** How many columns a phone can label (globals.css declares a label rule for each). */
export const ROW_LABEL_COLUMNS = 14;
/** A labelled cell's left padding on a phone: the label's column (globals.css) and the cell's own. */
const ROW_LABEL_PAD = "8rem";

/**
 * A table that a phone shows as readable rows: below the `sm` width each row is a block and each
 * cell shows its column's name beside its value (globals.css `.rows-table`), so no column is
 * scrolled out of view.
 * The names travel as custom properties because a cell cannot read its header; "" leaves a cell
 * unlabelled (a row's title).
 */
export function rowsTable(labels: string[]) {
  const style: Record<string, string> = {};
  labels.slice(0, ROW_LABEL_COLUMNS).forEach((label, i) => {
    if (!label) return;
    style[`--col-${i + 1}`] = JSON.stringify(label);
    style[`--pad-${i + 1}`] = ROW_LABEL_PAD;
  });
  return { className: `${table} rows-table`, style: style as CSSProperties };
}

/** A table with a hidden caption, the header row of `columns`, and rows readable on a phone. */
export function DataTable({
  caption,
  columns,
  children,
}: {
  caption: ReactNode;
  columns: Column[];
  children: ReactNode;
}) {
  const shown = columns.filter((c) => c !== false);
  return (
    <table {...rowsTable(shown.map(columnLabel))}>
      <caption className="sr-only">{caption}</caption>
      <Head columns={columns} />
      {children}
    </table>
  );
}
