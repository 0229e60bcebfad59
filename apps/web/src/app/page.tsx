import type { Metadata } from "next";
import { FailingCallout } from "~/components/failing/failing-callout.tsx";
import { ClustersTable } from "~/components/fleet/clusters-table.tsx";
import { EmptyFleet } from "~/components/fleet/empty-fleet.tsx";
import { FleetCharts } from "~/components/fleet/fleet-charts.tsx";
import { FleetStats, IncompleteWarning, OpenBySeverity } from "~/components/fleet/fleet-summary.tsx";
import { LatencyThisWeek } from "~/components/fleet/latency-week.tsx";
import { RegistryLatency } from "~/components/fleet/registry-latency.tsx";
import { WorstLists } from "~/components/fleet/worst-lists.tsx";
import { AtRiskCallout } from "~/components/registries/at-risk-callout.tsx";
import { PageHeader, Section } from "~/components/ui.tsx";
import { ago, dateTime } from "~/lib/format.ts";
import { chartMarks } from "~/lib/marks.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Fleet" };

const DAYS = 56;

export default async function FleetPage() {
  const caller = await api();
  // One round of queries: each answer is cheap on an empty fleet, and waiting for the overview
  // before asking the rest would add its time to the page's.
  const [
    fleet,
    posture,
    latency,
    latencyWeek,
    coverage,
    worstWorkloads,
    worstNamespaces,
    failing,
    atRisk,
    registries,
    marks,
  ] = await Promise.all([
    caller.fleet.overview(),
    caller.trends.posture({ range: { days: DAYS }, bucket: "day" }),
    caller.trends.latency({ range: { days: DAYS }, bucket: "day" }),
    caller.trends.latency({ range: { days: 7 }, bucket: "week" }),
    caller.trends.coverage({ range: { days: 7 } }),
    caller.workloads.list({ sort: "findings", order: "desc", limit: 5 }),
    caller.fleet.worstNamespaces({ limit: 5 }),
    caller.failing.count({}),
    caller.registries.atRisk({ limit: 1 }),
    caller.registries.health({ days: 1 }),
    caller.trends.marks({ range: { days: DAYS } }),
  ]);
  if (fleet.clusters.length === 0) return <EmptyFleet />;

  return (
    <>
      <PageHeader
        title="Fleet"
        subtitle={
          <>
            Last collected {ago(fleet.lastCollectedAt, new Date())} ({dateTime(fleet.lastCollectedAt)}) ·{" "}
            {fleet.clusters.length} clusters
          </>
        }
      />
      <IncompleteWarning incomplete={fleet.incomplete} />
      <FailingCallout total={failing.total} />
      <AtRiskCallout total={atRisk.total} probed={registries.registries.length > 0} />
      <FleetStats fleet={fleet} latest={posture.at(-1)} />
      <OpenBySeverity findings={fleet.totals.findings} />
      <FleetCharts posture={posture} latency={latency} clusters={fleet.clusters} marks={chartMarks(marks)} />
      <RegistryLatency latency={latency} />
      <LatencyThisWeek latencyWeek={latencyWeek} coverage={coverage} probed={registries.registries} />
      <WorstLists clusters={fleet.clusters} namespaces={worstNamespaces} workloads={worstWorkloads.rows} />
      <Section title="Clusters">
        <ClustersTable clusters={fleet.clusters} />
      </Section>
    </>
  );
}
