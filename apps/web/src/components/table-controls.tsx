// The controls every server-side table shares: a filter menu, sortable headers and the pager (state
// in the URL).
import type { ReactNode } from "react";
import { button, hrefWith, input, Link, muted, rowsTable, th, thead } from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";

export interface Option {
  value: string;
  text: string;
}

/** A labelled text filter in a GET form (its value as the URL has it); "" means no filter. */
export function FilterText({
  name,
  label,
  value,
  placeholder,
  type = "text",
}: {
  name: string;
  label: string;
  value: string | undefined;
  placeholder?: string;
  type?: "text" | "date";
}) {
  return (
    <label className="flex flex-col gap-1 text-sm">
      <span className={muted}>{label}</span>
      <input
        type={type}
        name={name}
        defaultValue={value ?? ""}
        {...(placeholder ? { placeholder } : {})}
        className={`${input} ${type === "text" ? "w-32" : ""}`}
      />
    </label>
  );
}

/** The tag-kind menu: every stored kind, and "not pinned by digest". */
export const tagKindOptions = (kinds: Option[], notDigest: string): Option[] => [
  { value: notDigest, text: "not pinned by digest" },
  ...kinds,
];

/** A labelled filter menu in a GET form; "" means no filter. */
export function FilterSelect({
  name,
  label,
  value,
  options,
  anyLabel = "any",
}: {
  name: string;
  label: string;
  value: string | undefined;
  options: Option[];
  anyLabel?: string;
}) {
  return (
    <label className="flex flex-col gap-1 text-sm">
      <span className={muted}>{label}</span>
      <select name={name} aria-label={label} defaultValue={value ?? ""} className={`${input} max-w-56`}>
        <option value="">{anyLabel}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A form's selects for the filters of one schema, each showing the value the URL has. */
export function filterSelects<K extends string>(raw: Record<string, string | undefined>) {
  return (name: K, label: string, options: Option[], anyLabel?: string) => (
    <FilterSelect
      name={name}
      label={label}
      value={raw[name]}
      options={options}
      {...(anyLabel ? { anyLabel } : {})}
    />
  );
}

/** "Showing a–b of n", then first and next page links that keep every other parameter. */
export function Pager({
  path,
  params,
  page,
  pageSize,
  shown,
  total,
  nextCursor,
}: {
  path: string;
  params: Record<string, string | undefined>;
  page: number;
  pageSize: number;
  shown: number;
  total: number;
  nextCursor: string | null;
}) {
  const first = (page - 1) * pageSize + 1;
  return (
    <nav aria-label="Pages" className="flex items-center justify-between gap-3 text-sm">
      <span className={muted}>
        {shown > 0 ? `Showing ${num(first)}–${num(first + shown - 1)} of ${num(total)}` : ""}
      </span>
      <span className="flex gap-2">
        {page > 1 && (
          <Link href={hrefWith(path, params, { cursor: null, page: null })} className={button}>
            First page
          </Link>
        )}
        {nextCursor !== null && (
          <Link
            href={hrefWith(path, params, { cursor: nextCursor, page: String(page + 1) })}
            className={button}
            rel="next"
          >
            Next page
          </Link>
        )}
      </span>
    </nav>
  );
}

export type SortOrder = "asc" | "desc";

/** A sorted table's state in the URL: its sort, direction, and every other parameter to keep. */
export interface SortView<S extends string> {
  path: string;
  sort: S;
  order: SortOrder;
  params: Record<string, string | undefined>;
  /** The direction a column starts in when first chosen (counts and severity largest first). */
  firstOrder: (column: S) => SortOrder;
}

/** The table sorted by `column`: the other way if it already is, else in the column's first direction; from the first page. */
function sortHref<S extends string>(view: SortView<S>, column: S): string {
  const active = view.sort === column;
  const order = active ? (view.order === "asc" ? "desc" : "asc") : view.firstOrder(column);
  return hrefWith(view.path, view.params, { sort: column, order, cursor: null, page: null });
}

/** A column header that sorts by its key, and says how the table is sorted (aria-sort). */
export function SortHeader<S extends string>({
  view,
  column,
  label,
  sortsBy,
  align = "",
}: {
  view: SortView<S>;
  column: S;
  label: string;
  /** What the column sorts by, when it is not what its name says. */
  sortsBy?: string | undefined;
  align?: string;
}) {
  const { sort, order } = view;
  const active = sort === column;
  return (
    <th
      scope="col"
      className={`${th} ${align}`}
      aria-sort={active ? (order === "asc" ? "ascending" : "descending") : undefined}
    >
      <Link
        href={sortHref(view, column)}
        className="inline-flex items-center gap-1 hover:underline"
        {...(sortsBy ? { title: `Sort by ${sortsBy.toLowerCase()}` } : {})}
      >
        {label}
        <span aria-hidden="true" className="text-xs">
          {active ? (order === "asc" ? "▲" : "▼") : "↕"}
        </span>
      </Link>
    </th>
  );
}

/** A column of a sortable table: its name, the sort it offers (if any), its alignment. */
export interface SortColumn<S extends string> {
  label: string;
  sort?: S;
  /** What the sort orders by when the column shows more than that (a workload sorted by its severity). */
  sortsBy?: string;
  align?: string;
}

/** A table whose headers sort it (state in the URL), with a hidden caption and rows readable on a phone. */
export function SortableTable<S extends string>({
  view,
  columns,
  caption,
  children,
}: {
  view: SortView<S>;
  columns: Array<SortColumn<S> | false>;
  caption: ReactNode;
  children: ReactNode;
}) {
  const shown = columns.filter((c) => c !== false);
  return (
    <>
      <PhoneSort view={view} columns={shown} />
      <table {...rowsTable(shown.map((c) => c.label))}>
        <caption className="sr-only">{caption}</caption>
        <thead className={thead}>
          <tr>
            {shown.map((c) =>
              c.sort ? (
                <SortHeader
                  key={c.label}
                  view={view}
                  column={c.sort}
                  label={c.label}
                  sortsBy={c.sortsBy}
                  align={c.align ?? ""}
                />
              ) : (
                <th key={c.label} scope="col" className={`${th} ${c.align ?? ""}`}>
                  {c.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        {children}
      </table>
    </>
  );
}

/** On a phone the header row is hidden (rows are labelled instead), so the sorts are offered here. */
function PhoneSort<S extends string>({ view, columns }: { view: SortView<S>; columns: SortColumn<S>[] }) {
  const { sort, order } = view;
  return (
    <nav
      aria-label="Sort the table"
      className="flex flex-wrap gap-x-3 gap-y-1 border-b border-slate-200 px-3 py-2 text-sm sm:hidden dark:border-slate-800"
    >
      <span className={muted}>Sort by</span>
      {columns.flatMap(({ sort: column, label, sortsBy }) => {
        if (!column) return [];
        const active = sort === column;
        return [
          <Link
            key={column}
            href={sortHref(view, column)}
            className={active ? "font-medium underline" : "hover:underline"}
            aria-current={active ? "true" : undefined}
          >
            {sortsBy ?? label}
            {active && (
              <>
                <span aria-hidden="true">{order === "asc" ? " ▲" : " ▼"}</span>
                <span className="sr-only">{order === "asc" ? ", ascending" : ", descending"}</span>
              </>
            )}
          </Link>,
        ];
      })}
    </nav>
  );
}

/** The sort and direction a page's URL asks for, or the list's default and the sort's first direction. */
export function sortFromUrl<S extends string>(
  raw: { sort?: string | undefined; order?: string | undefined },
  sorts: readonly S[],
  first: Record<S, SortOrder>,
): { sort: S; order: SortOrder } {
  const sort = (sorts as readonly string[]).includes(raw.sort ?? "") ? (raw.sort as S) : (sorts[0] as S);
  const order = raw.order === "asc" || raw.order === "desc" ? raw.order : first[sort];
  return { sort, order };
}

/** A filter form's hidden fields that keep the table's sort when the filters change. */
export function KeepSort({ sort, order }: { sort: string; order: SortOrder }) {
  return (
    <>
      <input type="hidden" name="sort" value={sort} />
      <input type="hidden" name="order" value={order} />
    </>
  );
}
