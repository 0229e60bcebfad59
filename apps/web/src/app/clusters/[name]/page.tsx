import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ClusterStats, SnapshotWarning } from "~/components/clusters/cluster-summary.tsx";
import { KubeletMetrics } from "~/components/clusters/kubelet-metrics.tsx";
import { NamespacesTable } from "~/components/clusters/namespaces-table.tsx";
import { FailingCallout } from "~/components/failing/failing-callout.tsx";
import { GroupedNote } from "~/components/grouped-note.tsx";
import { AtRiskCallout } from "~/components/registries/at-risk-callout.tsx";
import { RegistryHealthTable } from "~/components/registries/registry-health-table.tsx";
import { ScoreTrend } from "~/components/score-trend.tsx";
import { SnapshotsTable } from "~/components/snapshots-table.tsx";
import { Link, link, muted, PageHeader, Section } from "~/components/ui.tsx";
import { ago, dateTime } from "~/lib/format.ts";
import { chartMarks } from "~/lib/marks.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";

type Params = Promise<{ name: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: decodeURIComponent((await params).name) };
}

export default async function ClusterPage({ params }: { params: Params }) {
  const name = decodeURIComponent((await params).name);
  const caller = await api();
  // One round of queries; an unknown cluster is a 404 whatever the others answered.
  const [asked, others] = await Promise.allSettled([
    caller.clusters.detail({ name, snapshots: 10 }),
    Promise.all([
      caller.trends.posture({ scope: { cluster: name }, range: { days: 56 }, bucket: "day" }),
      caller.failing.count({ filter: { cluster: name } }),
      caller.registries.atRisk({ filter: { cluster: name }, limit: 1 }),
      caller.registries.health({ cluster: name }),
      caller.trends.marks({ cluster: name, range: { days: 56 } }),
    ]),
  ]);
  if (asked.status === "rejected") {
    if ((asked.reason as { code?: string }).code === "NOT_FOUND") notFound();
    throw asked.reason;
  }
  const detail = asked.value;
  if (others.status === "rejected") throw others.reason;
  const [posture, failing, atRisk, registries, marks] = others.value;
  const { cluster, namespaces } = detail;
  const now = new Date();
  const q = encodeURIComponent(name);

  return (
    <>
      <PageHeader
        title={cluster.name}
        subtitle={
          <>
            Kubernetes {cluster.kubernetesVersion ?? "unknown"} · last collected{" "}
            {ago(cluster.lastSnapshotAt, now)} ({dateTime(cluster.lastSnapshotAt)})
            {cluster.labels.length > 0 && ` · ${cluster.labels.map(([k, v]) => `${k}=${v}`).join(", ")}`}
          </>
        }
        actions={
          <>
            <Link href={`/workloads?cluster=${q}`} className={link}>
              Workloads
            </Link>
            <Link href={`/findings?cluster=${q}`} className={link}>
              Findings
            </Link>
            <Link href={`/review?scope=${encodeURIComponent(`cluster:${name}`)}`} className={link}>
              Weekly review
            </Link>
          </>
        }
      />
      <SnapshotWarning cluster={cluster} />
      <FailingCallout total={failing.total} filter={{ cluster: cluster.name }} />
      <AtRiskCallout
        total={atRisk.total}
        probed={registries.registries.length > 0}
        filter={{ cluster: cluster.name }}
      />

      <ClusterStats cluster={cluster} namespaces={namespaces.length} />
      <GroupedNote count={cluster.findings.grouped} href={`/findings?cluster=${q}&status=open`} />

      <ScoreTrend
        posture={posture}
        summary={`Daily score of ${cluster.name} over 56 days; now ${cluster.score ?? "–"}%.`}
        height={180}
        marks={chartMarks(marks, name)}
      />

      <NamespacesTable cluster={cluster} namespaces={namespaces} />

      {registries.registries.length > 0 && (
        <Section title="Registries it pulls from">
          <p className={`text-sm ${muted}`}>
            References are the images {cluster.name}&apos;s workloads run, counted by the registry&apos;s last
            answer; latency, 429s and rate limits are the prober&apos;s, which asks once for the whole fleet.
          </p>
          <RegistryHealthTable registries={registries.registries} now={now} />
        </Section>
      )}

      <KubeletMetrics metrics={detail.kubeletMetrics} days={detail.kubeletDays} />

      <Section title="Recent snapshots">
        <SnapshotsTable snapshots={detail.snapshots} caption={`Recent snapshots of ${cluster.name}`} />
        <p className={`text-sm ${muted}`}>
          All clusters:{" "}
          <Link href="/collector" className={link}>
            collector status
          </Link>
          .
        </p>
      </Section>
    </>
  );
}
