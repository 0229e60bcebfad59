// The controls every server-side table shares: a filter menu, sortable headers and the pager (state
// in the URL).
import { button, hrefWith, input, Link, muted, th } from "~/components/ui.tsx";
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

/** A column header that sorts by its key, and says how the table is sorted (aria-sort). */
export function SortHeader<S extends string>({
  view,
  column,
  label,
  align = "",
}: {
  view: SortView<S>;
  column: S;
  label: string;
  align?: string;
}) {
  const { sort, order, params } = view;
  const active = sort === column;
  const nextOrder = active ? (order === "asc" ? "desc" : "asc") : view.firstOrder(column);
  return (
    <th
      scope="col"
      className={`${th} ${align}`}
      aria-sort={active ? (order === "asc" ? "ascending" : "descending") : undefined}
    >
      <Link
        href={hrefWith(view.path, params, { sort: column, order: nextOrder, cursor: null, page: null })}
        className="inline-flex items-center gap-1 hover:underline"
      >
        {label}
        <span aria-hidden="true" className="text-xs">
          {active ? (order === "asc" ? "▲" : "▼") : "↕"}
        </span>
      </Link>
    </th>
  );
}
