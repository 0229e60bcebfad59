import { WORKLOAD_SORTS, workloadFilter } from "@pullsight/api";
import type { Metadata } from "next";
import { FocusTarget } from "~/components/focus-target.tsx";
import { Pager } from "~/components/table-controls.tsx";
import { Empty, ExportLink, PageHeader, Warning } from "~/components/ui.tsx";
import { AsOfExportForm, WorkloadsFilterForm } from "~/components/workloads/filter-form.tsx";
import { WorkloadsTable } from "~/components/workloads/workloads-table.tsx";
import { num } from "~/lib/format.ts";
import { pick, type SearchParams, validFilters } from "~/lib/params.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Workloads" };

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
    caller.rules.catalog(),
  ]);
  const page = Math.max(1, Number(view.page ?? 1) || 1);
  const params = { ...raw, ...view, sort, order };
  const filtersOnly = new URLSearchParams(raw).toString();
  const active = Object.keys(filter).length > 0;
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
      <WorkloadsFilterForm
        raw={raw}
        q={filter.q}
        active={active}
        sort={sort}
        order={order}
        facets={facets}
        rules={rules.rules}
      />
      <AsOfExportForm raw={raw} />
      {dropped.length > 0 && <Warning>Ignored filters this page cannot use: {dropped.join(", ")}.</Warning>}
      <FocusTarget label="Matching workloads">
        {list.rows.length === 0 ? (
          <Empty title="No workload matches these filters.">
            {active ? "Loosen a filter, or clear them all." : "Nothing has been collected yet."}
          </Empty>
        ) : (
          <WorkloadsTable
            rows={list.rows}
            first={(page - 1) * PAGE + 1}
            total={list.total}
            view={{ sort, order, params }}
          />
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
      </FocusTarget>
    </>
  );
}
