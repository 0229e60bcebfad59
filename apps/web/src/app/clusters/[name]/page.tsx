import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ClusterStats, SnapshotWarning } from "~/components/clusters/cluster-summary.tsx";
import { NamespacesTable } from "~/components/clusters/namespaces-table.tsx";
import { FailingCallout } from "~/components/failing/failing-callout.tsx";
import { GroupedNote } from "~/components/grouped-note.tsx";
import { ScoreTrend } from "~/components/score-trend.tsx";
import { SnapshotsTable } from "~/components/snapshots-table.tsx";
import { Link, link, muted, PageHeader, Section } from "~/components/ui.tsx";
import { ago, dateTime } from "~/lib/format.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";

type Params = Promise<{ name: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: decodeURIComponent((await params).name) };
}

export default async function ClusterPage({ params }: { params: Params }) {
  const name = decodeURIComponent((await params).name);
  const caller = await api();
  const detail = await caller.clusters.detail({ name, snapshots: 10 }).catch((e: { code?: string }) => {
    if (e.code === "NOT_FOUND") notFound();
    throw e;
  });
  const [posture, failing] = await Promise.all([
    caller.trends.posture({ scope: { cluster: name }, range: { days: 56 }, bucket: "day" }),
    caller.failing.now({ filter: { cluster: name }, limit: 1 }),
  ]);
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

      <ClusterStats cluster={cluster} namespaces={namespaces.length} />
      <GroupedNote count={cluster.findings.grouped} href={`/findings?cluster=${q}&status=open`} />

      <ScoreTrend
        posture={posture}
        summary={`Daily score of ${cluster.name} over 56 days; now ${cluster.score ?? "–"}%.`}
        height={180}
      />

      <NamespacesTable cluster={cluster} namespaces={namespaces} />

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
