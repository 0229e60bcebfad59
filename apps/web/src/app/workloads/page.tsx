import { NOT_DIGEST, WORKLOAD_SORTS, workloadFilter } from "@pullsight/api";
import { REGISTRY_VISIBILITIES } from "@pullsight/core";
import type { Metadata } from "next";
import {
  FilterSelect,
  FilterText,
  type Option,
  Pager,
  tagKindOptions,
} from "~/components/table-controls.tsx";
import {
  button,
  Empty,
  ExportLink,
  hrefWith,
  input,
  Link,
  link,
  muted,
  PageHeader,
  primaryButton,
  SEVERITIES,
  SeverityBadge,
  table,
  tableWrap,
  td,
  th,
  thead,
  tr,
  Warning,
} from "~/components/ui.tsx";
import { dateTime, num } from "~/lib/format.ts";
import { pick, type SearchParams, validFilters } from "~/lib/params.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Workloads" };

type FilterKey = keyof typeof workloadFilter.shape;
type Sort = (typeof WORKLOAD_SORTS)[number];
const PAGE = 50;

export default async function WorkloadsPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const { filter, raw, dropped } = validFilters(workloadFilter, sp);
  const view = pick(sp, ["sort", "order", "cursor", "page"] as const);
  const sort: Sort = (WORKLOAD_SORTS as readonly string[]).includes(view.sort ?? "")
    ? (view.sort as Sort)
    : "name";
  const order = view.order === "desc" ? "desc" : "asc";
  const caller = await api();
  const listFrom = (cursor: string | null) =>
    caller.workloads.list({ filter, sort, order, limit: PAGE, cursor });
  const [list, facets, rules] = await Promise.all([
    // A cursor this list did not hand out (edited, or for another sort) starts from the top.
    listFrom(view.cursor ?? null).catch((e: { code?: string }) => {
      if (e.code !== "BAD_REQUEST" || !view.cursor) throw e;
      dropped.push("cursor");
      view.cursor = undefined;
      view.page = undefined;
      return listFrom(null);
    }),
    caller.workloads.facets(filter.cluster ? { cluster: filter.cluster } : undefined),
    caller.meta.rules(),
  ]);
  const page = Math.max(1, Number(view.page ?? 1) || 1);
  const params = { ...raw, ...view, sort, order };
  const filtersOnly = new URLSearchParams(raw).toString();
  const first = (page - 1) * PAGE + 1;

  const sortLink = (key: Sort, label: string, align = "") => {
    const active = sort === key;
    const nextOrder =
      active && order === "asc"
        ? "desc"
        : active
          ? "asc"
          : key === "findings" || key === "severity"
            ? "desc"
            : "asc";
    return (
      <th
        scope="col"
        className={`${th} ${align}`}
        aria-sort={active ? (order === "asc" ? "ascending" : "descending") : undefined}
      >
        <Link
          href={hrefWith("/workloads", params, { sort: key, order: nextOrder, cursor: null, page: null })}
          className="inline-flex items-center gap-1 hover:underline"
        >
          {label}
          <span aria-hidden="true" className="text-xs">
            {active ? (order === "asc" ? "▲" : "▼") : "↕"}
          </span>
        </Link>
      </th>
    );
  };

  const select = (name: FilterKey, label: string, options: Option[], anyLabel?: string) => (
    <FilterSelect
      name={name}
      label={label}
      value={raw[name]}
      options={options}
      {...(anyLabel ? { anyLabel } : {})}
    />
  );
  const facet = (key: string) =>
    (facets[key] ?? []).map((f) => ({ value: f.value, text: `${f.value} (${num(f.containers)})` }));

  return (
    <>
      <PageHeader
        title="Workloads"
        subtitle={`${num(list.total)} workloads match`}
        actions={
          <>
            <ExportLink href={`/api/export/workloads.csv${filtersOnly ? `?${filtersOnly}` : ""}`}>
              Export CSV
            </ExportLink>
            <ExportLink href={`/api/export/inventory.csv${filtersOnly ? `?${filtersOnly}` : ""}`}>
              Export containers (CSV)
            </ExportLink>
          </>
        }
      />
      <form method="get" aria-label="Filter workloads" className="flex flex-wrap items-end gap-3">
        <input type="hidden" name="sort" value={sort} />
        <input type="hidden" name="order" value={order} />
        <label className="flex flex-col gap-1 text-sm">
          <span className={muted}>Search</span>
          <input
            type="search"
            name="q"
            defaultValue={filter.q ?? ""}
            placeholder="name, namespace or image"
            className={`${input} w-56`}
          />
        </label>
        {select("cluster", "Cluster", facet("cluster"))}
        {select("namespace", "Namespace", facet("namespace"))}
        {select("kind", "Kind", facet("kind"))}
        {select("policy", "Pull policy", facet("policy"))}
        {select("policySource", "Policy source", facet("policySource"))}
        {select("tagKind", "Tag kind", tagKindOptions(facet("tagKind"), NOT_DIGEST))}
        {select("registry", "Registry", facet("registry"))}
        {select(
          "visibility",
          "Visibility",
          REGISTRY_VISIBILITIES.map((v) => ({ value: v, text: v })),
        )}
        <FilterText
          name="clusterLabel"
          label="Cluster labels"
          value={raw.clusterLabel}
          placeholder="env=prod"
        />
        {select(
          "ruleId",
          "Open finding",
          rules.rules.map((r) => ({ value: r.id, text: `${r.id} ${r.title}` })),
        )}
        {select(
          "severity",
          "Severity",
          SEVERITIES.map((s) => ({ value: s, text: s })),
        )}
        <button type="submit" className={primaryButton}>
          Apply
        </button>
        {Object.keys(filter).length > 0 && (
          <Link href={hrefWith("/workloads", { sort, order }, {})} className={button}>
            Clear filters
          </Link>
        )}
      </form>

      <form
        method="get"
        action="/api/export/inventory.csv"
        aria-label="Export the containers as of a date"
        className="flex flex-wrap items-end gap-2"
      >
        {Object.entries(raw).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <label className="flex flex-col gap-1 text-sm">
          <span className={muted}>These containers as of</span>
          <input type="date" name="asOf" required className={input} />
        </label>
        <button type="submit" className={button}>
          Export as of (CSV)
        </button>
      </form>

      {dropped.length > 0 && <Warning>Ignored filters this page cannot use: {dropped.join(", ")}.</Warning>}
      {list.rows.length === 0 ? (
        <Empty title="No workload matches these filters.">
          {Object.keys(filter).length > 0
            ? "Loosen a filter, or clear them all."
            : "Nothing has been collected yet."}
        </Empty>
      ) : (
        <div className={tableWrap}>
          <table className={table}>
            <caption className="sr-only">
              Workloads {first} to {first + list.rows.length - 1} of {list.total}, sorted by {sort}{" "}
              {order === "asc" ? "ascending" : "descending"}
            </caption>
            <thead className={thead}>
              <tr>
                {sortLink("name", "Workload")}
                {sortLink("cluster", "Cluster")}
                {sortLink("namespace", "Namespace")}
                {sortLink("kind", "Kind")}
                <th scope="col" className={th}>
                  Images
                </th>
                <th scope="col" className={th}>
                  Pull policies
                </th>
                {sortLink("containers", "Containers", "text-right")}
                {sortLink("findings", "Open findings", "text-right")}
                {sortLink("severity", "Worst")}
                {sortLink("lastSeen", "Changed")}
              </tr>
            </thead>
            <tbody>
              {list.rows.map((w) => (
                <tr key={String(w.id)} className={tr}>
                  <th scope="row" className={`${td} font-medium`}>
                    <Link href={`/workloads/${w.id}`} className={link}>
                      {w.name}
                    </Link>
                  </th>
                  <td className={td}>{w.cluster}</td>
                  <td className={td}>{w.namespace}</td>
                  <td className={td}>{w.kind}</td>
                  <td className={`${td} font-mono text-xs`}>
                    <ul>
                      {w.images.map((image) => (
                        <li key={image} className="max-w-[22rem] truncate" title={image}>
                          {image}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td className={td}>{w.policies.join(", ")}</td>
                  <td className={`${td} text-right tabular-nums`}>{num(w.containers)}</td>
                  <td className={`${td} text-right tabular-nums`}>
                    {num(w.findings)}
                    {w.waived > 0 && <span className={`ml-1 text-xs ${muted}`}>(+{w.waived} waived)</span>}
                  </td>
                  <td className={td}>
                    <SeverityBadge severity={w.maxSeverity} />
                  </td>
                  <td className={`${td} whitespace-nowrap text-xs`}>{dateTime(w.lastChangedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        path="/workloads"
        params={params}
        page={page}
        pageSize={PAGE}
        shown={list.rows.length}
        total={list.total}
        nextCursor={list.nextCursor}
      />
    </>
  );
}
