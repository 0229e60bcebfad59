import { findingFilter, NOT_DIGEST } from "@pullsight/api";
import { FINDING_STATUSES, type Severity } from "@pullsight/core";
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
  card,
  Empty,
  ExportLink,
  Head,
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
  tr,
  Warning,
} from "~/components/ui.tsx";
import { WaiveForm } from "~/components/waive-form.tsx";
import { date, dateTime, num } from "~/lib/format.ts";
import { pick, type SearchParams, validFilters } from "~/lib/params.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Findings" };

type FilterKey = keyof typeof findingFilter.shape;
const PAGE = 50;

export default async function FindingsPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const { filter, raw, dropped } = validFilters(findingFilter, sp);
  const view = pick(sp, ["cursor", "page"] as const);
  const page = Math.max(1, Number(view.page ?? 1) || 1);
  const caller = await api();
  const [list, me, rules, facets, waivers] = await Promise.all([
    caller.findings.list({
      filter,
      limit: PAGE,
      // A cursor is a finding id this list handed out; anything else starts from the top.
      cursor: /^[1-9]\d{0,17}$/.test(view.cursor ?? "") ? BigInt(view.cursor as string) : null,
    }),
    caller.meta.me(),
    caller.meta.rules(),
    caller.workloads.facets(filter.cluster ? { cluster: filter.cluster } : undefined),
    caller.waivers.list({ state: "active" }),
  ]);
  const canWaive = me.role === "reviewer" || me.role === "admin";
  const titles = new Map(rules.rules.map((r) => [r.id, r.title]));
  const exportQuery = new URLSearchParams(raw).toString();
  const params = { ...raw, ...view };
  const first = (page - 1) * PAGE + 1;
  const grouped = list.groups.reduce((n, g) => n + g.findings, 0);

  const select = (name: FilterKey, label: string, options: Option[], anyLabel?: string) => (
    <FilterSelect
      name={name}
      label={label}
      value={raw[name]}
      options={options}
      {...(anyLabel ? { anyLabel } : {})}
    />
  );

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
      <form method="get" aria-label="Filter findings" className="flex flex-wrap items-end gap-3">
        {select(
          "cluster",
          "Cluster",
          (facets.cluster ?? []).map((f) => ({ value: f.value, text: f.value })),
        )}
        {select(
          "namespace",
          "Namespace",
          (facets.namespace ?? []).map((f) => ({ value: f.value, text: f.value })),
        )}
        {select(
          "ruleId",
          "Rule",
          rules.rules.map((r) => ({ value: r.id, text: `${r.id} ${r.title}` })),
        )}
        {select(
          "severity",
          "Severity",
          SEVERITIES.map((s) => ({ value: s, text: s })),
        )}
        {select(
          "status",
          "Status",
          FINDING_STATUSES.map((s) => ({ value: s, text: s })),
          "open and waived",
        )}
        {select(
          "tagKind",
          "Tag kind",
          tagKindOptions(
            (facets.tagKind ?? []).map((f) => ({ value: f.value, text: f.value })),
            NOT_DIGEST,
          ),
        )}
        <FilterText
          name="clusterLabel"
          label="Cluster labels"
          value={raw.clusterLabel}
          placeholder="env=prod"
        />
        <FilterText name="asOf" label="As of" value={raw.asOf} type="date" />
        <button type="submit" className={primaryButton}>
          Apply
        </button>
        {Object.keys(filter).length > 0 && (
          <Link href="/findings" className={button}>
            Clear filters
          </Link>
        )}
      </form>

      {dropped.length > 0 && <Warning>Ignored filters this page cannot use: {dropped.join(", ")}.</Warning>}
      {list.groups.length > 0 && <GroupedFindings groups={list.groups} titles={titles} raw={raw} />}
      {list.rows.length === 0 ? (
        <Empty title="No finding matches these filters." />
      ) : (
        <div className={tableWrap}>
          <table className={table}>
            <caption className="sr-only">
              Findings {first} to {first + list.rows.length - 1} of {list.total}
            </caption>
            <Head
              columns={[
                "Severity",
                "Rule",
                "Workload",
                "Container / image",
                "Status",
                "Opened",
                canWaive && "Action",
              ]}
            />
            <tbody>
              {list.rows.map((f) => (
                <tr key={String(f.finding_id)} className={tr}>
                  <td className={td}>
                    <SeverityBadge severity={f.severity} />
                  </td>
                  <th scope="row" className={`${td} font-normal`}>
                    <span className="font-medium">{f.rule_id}</span> {titles.get(f.rule_id)}
                    {f.message && <span className={`block text-xs ${muted}`}>{f.message}</span>}
                  </th>
                  <td className={td}>
                    {f.workload_id ? (
                      <Link href={`/workloads/${f.workload_id}`} className={link}>
                        {f.workload}
                      </Link>
                    ) : (
                      (f.workload ?? "–")
                    )}
                    <span className={`block text-xs ${muted}`}>
                      {f.cluster}/{f.namespace}
                      {f.workload_kind ? ` · ${f.workload_kind}` : ""}
                    </span>
                  </td>
                  <td className={`${td} text-xs`}>
                    {f.container ?? "–"}
                    {f.image && <span className="block break-all font-mono">{f.image}</span>}
                  </td>
                  <td className={td}>
                    {f.status}
                    {f.status === "resolved" ? (
                      <span className={`block text-xs ${muted}`}>{date(f.resolved_at)}</span>
                    ) : f.clearing_since ? (
                      <span className={`block text-xs ${muted}`}>
                        clearing: not seen since {date(f.clearing_since)}
                      </span>
                    ) : f.unverified_since ? (
                      <span className={`block text-xs ${muted}`}>
                        unverified: no data since {date(f.unverified_since)}
                      </span>
                    ) : (
                      f.collected_at && (
                        <span className={`block text-xs ${muted}`}>confirmed {date(f.collected_at)}</span>
                      )
                    )}
                  </td>
                  <td className={`${td} whitespace-nowrap`}>
                    {date(f.opened_at)}
                    {f.opened_from !== "snapshot" && (
                      <span className={`block text-xs ${muted}`}>from {f.opened_from}</span>
                    )}
                  </td>
                  {canWaive && (
                    <td className={td}>
                      {f.status === "open" && (
                        <WaiveForm
                          target={{
                            ruleId: f.rule_id,
                            cluster: f.cluster,
                            namespace: f.namespace,
                            workloadKind: f.workload_kind,
                            workloadName: f.workload,
                          }}
                          defaultOwner={me.name}
                        />
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        path="/findings"
        params={params}
        page={page}
        pageSize={PAGE}
        shown={list.rows.length}
        total={list.total}
        nextCursor={list.nextCursor === null ? null : String(list.nextCursor)}
      />

      <section aria-labelledby="waivers-title" className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="waivers-title" className="text-lg font-semibold">
            Waivers in force ({waivers.length})
          </h2>
          <ExportLink href="/api/export/waivers.csv?state=active">Export waivers (CSV)</ExportLink>
        </div>
        {waivers.length === 0 ? (
          <Empty title="No waiver is in force." />
        ) : (
          <div className={tableWrap}>
            <table className={table}>
              <caption className="sr-only">Waivers in force</caption>
              <Head columns={["Rule", "Scope", "Reason", "Owner", "Expires", "Created by"]} />
              <tbody>
                {waivers.map((w) => (
                  <tr key={w.id} className={tr}>
                    <th scope="row" className={`${td} font-medium`}>
                      {w.ruleId}
                    </th>
                    <td className={`${td} text-xs`}>
                      {[
                        w.cluster ?? "every cluster",
                        w.namespace,
                        w.workloadName && `${w.workloadKind}/${w.workloadName}`,
                        w.imagePattern && `image ${w.imagePattern}`,
                      ]
                        .filter(Boolean)
                        .join(" / ")}
                    </td>
                    <td className={`${td} max-w-md text-xs`}>{w.reason}</td>
                    <td className={td}>{w.owner}</td>
                    <td className={`${td} whitespace-nowrap`}>{date(w.expiresAt)}</td>
                    <td className={`${td} text-xs`}>
                      {w.createdBy} <span className={muted}>{date(w.createdAt)}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

/**
 * Rules that fire on most containers (PS005), one line per namespace with a count: listed one by
 * one they would drown everything else. Each line opens its rows.
 */
function GroupedFindings({
  groups,
  titles,
  raw,
}: {
  groups: Array<{
    rule_id: string;
    cluster: string;
    namespace: string;
    severity: Severity;
    findings: number;
    workloads: number;
  }>;
  titles: ReadonlyMap<string, string>;
  raw: Record<string, string | undefined>;
}) {
  const total = groups.reduce((n, g) => n + g.findings, 0);
  const rules = [...new Set(groups.map((g) => g.rule_id))];
  return (
    <details className={`${card} p-3 text-sm`}>
      <summary className="cursor-pointer">
        <span className="font-medium">
          {num(total)} {rules.map((id) => `${id} ${titles.get(id) ?? ""}`).join(", ")}
        </span>{" "}
        <span className={muted}>
          findings in {num(groups.length)} namespace{groups.length === 1 ? "" : "s"}, grouped because the rule
          fires on most containers
        </span>
      </summary>
      <ul className="mt-2 space-y-1" aria-label="Grouped findings by namespace">
        {groups.map((g) => {
          const q = new URLSearchParams({
            ...Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)),
            ruleId: g.rule_id,
            cluster: g.cluster,
            namespace: g.namespace,
          } as Record<string, string>);
          return (
            <li
              key={`${g.rule_id}/${g.cluster}/${g.namespace}`}
              className="flex flex-wrap items-center gap-2"
            >
              <SeverityBadge severity={g.severity} />
              <Link href={`/findings?${q}`} className={link}>
                {g.cluster}/{g.namespace}
              </Link>
              <span className={muted}>
                {g.rule_id}: {num(g.findings)} finding{g.findings === 1 ? "" : "s"} in {num(g.workloads)}{" "}
                workload{g.workloads === 1 ? "" : "s"}
              </span>
            </li>
          );
        })}
      </ul>
    </details>
  );
}
