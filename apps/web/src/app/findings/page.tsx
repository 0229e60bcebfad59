import { FINDING_SORT_FIRST, FINDING_SORTS, findingFilter } from "@pullsight/api";
import type { Metadata } from "next";
import { FindingsFilterForm } from "~/components/findings/filter-form.tsx";
import { FindingsTable } from "~/components/findings/findings-table.tsx";
import { GroupedFindings } from "~/components/findings/grouped-findings.tsx";
import { WaiversInForce } from "~/components/findings/waivers-table.tsx";
import { FocusTarget } from "~/components/focus-target.tsx";
import { Pager, sortFromUrl } from "~/components/table-controls.tsx";
import { Empty, ExportLink, PageHeader, Warning } from "~/components/ui.tsx";
import { dateTime, num } from "~/lib/format.ts";
import { pick, type SearchParams, validFilters } from "~/lib/params.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Findings" };

const PAGE = 50;

export default async function FindingsPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const { filter, raw, dropped } = validFilters(findingFilter, sp);
  const view = pick(sp, ["sort", "order", "cursor", "page"] as const);
  const { sort, order } = sortFromUrl(view, FINDING_SORTS, FINDING_SORT_FIRST);
  const caller = await api();
  const listFrom = (cursor: string | null) =>
    caller.findings.list({ filter, sort, order, limit: PAGE, cursor });
  const [list, me, rules, facets, waivers] = await Promise.all([
    // A cursor this list did not hand out (edited, or for another sort) starts from the top.
    listFrom(view.cursor ?? null).catch((e: { code?: string }) => {
      if (e.code !== "BAD_REQUEST" || !view.cursor) throw e;
      dropped.push("cursor");
      view.cursor = undefined;
      view.page = undefined;
      return listFrom(null);
    }),
    caller.identity.me(),
    caller.rules.catalog(),
    caller.workloads.facets(filter.cluster ? { cluster: filter.cluster } : undefined),
    caller.waivers.list({ state: "active" }),
  ]);
  const waiveAs = me.role === "reviewer" || me.role === "admin" ? me.name : null;
  const page = Math.max(1, Number(view.page ?? 1) || 1);
  const params = { ...raw, ...view, sort, order };
  const titles = new Map(rules.rules.map((r) => [r.id, r.title]));
  const exportQuery = new URLSearchParams(raw).toString();
  const grouped = list.groupTotals.reduce((n, g) => n + g.findings, 0);
  return (
    <>
      <PageHeader
        title="Findings"
        subtitle={`${num(list.total + grouped)} ${filter.status ?? "open and waived"} findings match${filter.asOf ? `, as they stood on ${dateTime(filter.asOf)}` : ""}`}
        actions={
          <ExportLink href={`/api/export/findings.csv${exportQuery ? `?${exportQuery}` : ""}`}>
            Export CSV
          </ExportLink>
        }
      />
      <FindingsFilterForm
        raw={raw}
        active={Object.keys(filter).length > 0}
        rules={rules.rules}
        facets={facets}
      />
      {dropped.length > 0 && <Warning>Ignored filters this page cannot use: {dropped.join(", ")}.</Warning>}
      <FocusTarget label="Matching findings">
        {list.groups.length > 0 && (
          <GroupedFindings groups={list.groups} totals={list.groupTotals} titles={titles} raw={raw} />
        )}
        {list.rows.length === 0 ? (
          <Empty title="No finding matches these filters." />
        ) : (
          <FindingsTable
            rows={list.rows}
            first={(page - 1) * PAGE + 1}
            total={list.total}
            titles={titles}
            waiveAs={waiveAs}
            view={{ sort, order, params }}
          />
        )}
        <Pager
          path="/findings"
          params={params}
          page={page}
          pageSize={PAGE}
          shown={list.rows.length}
          total={list.total}
          nextCursor={list.nextCursor}
        />
      </FocusTarget>
      <WaiversInForce waivers={waivers} />
    </>
  );
}
