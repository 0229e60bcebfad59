import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TimeChart } from "~/components/charts.tsx";
import { GroupedNote } from "~/components/grouped-note.tsx";
import { SnapshotsTable } from "~/components/snapshots-table.tsx";
import {
  Empty,
  ExportLink,
  Grade,
  Head,
  Link,
  link,
  muted,
  PageHeader,
  Section,
  Stat,
  table,
  tableWrap,
  td,
  tr,
  Warning,
} from "~/components/ui.tsx";
import { ago, dateTime, num } from "~/lib/format.ts";
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
  const posture = await caller.trends.posture({
    scope: { cluster: name },
    range: { days: 56 },
    bucket: "day",
  });
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
      {(cluster.lastSnapshotStatus !== "complete" || cluster.stale) && (
        <Warning>
          {cluster.lastSnapshotStatus === null
            ? "This cluster has never been collected."
            : `The last snapshot is ${cluster.lastSnapshotStatus}${cluster.stale ? " and stale" : ""}${
                cluster.failures.length
                  ? `: ${cluster.failures.map((f) => `${f.kind} (${f.reason})`).join(", ")}`
                  : ""
              }. Figures below may be partial or out of date.`}
        </Warning>
      )}
      <dl className="grid grid-cols-2 gap-4 md:grid-cols-5">
        <Stat label="Score" value={<Grade score={cluster.score} grade={cluster.grade} />} />
        <Stat label="Namespaces" value={num(namespaces.length)} />
        <Stat label="Workloads" value={num(cluster.workloads)} />
        <Stat
          label="Containers"
          value={num(cluster.containers)}
          hint={`${num(cluster.compliant)} compliant`}
        />
        <Stat
          label="Open findings"
          value={num(cluster.findings.open)}
          hint={cluster.findings.waived ? `${num(cluster.findings.waived)} more waived` : undefined}
        />
      </dl>
      <GroupedNote count={cluster.findings.grouped} href={`/findings?cluster=${q}&status=open`} />

      <TimeChart
        title="Compliance score"
        summary={`Daily score of ${cluster.name} over 56 days; now ${cluster.score ?? "–"}%.`}
        data={posture.map((p) => ({ t: p.bucket.getTime(), score: p.score }))}
        series={[{ key: "score", label: "Score", color: "#0284c7" }]}
        format="score"
        domain={[0, 100]}
        height={180}
      />

      <Section title="Namespaces">
        <div className="flex justify-end">
          <ExportLink href={`/api/export/namespaces.csv?cluster=${q}`}>Export CSV</ExportLink>
        </div>
        {namespaces.length === 0 ? (
          <Empty title="No namespaces collected." />
        ) : (
          <div className={tableWrap}>
            <table className={table}>
              <caption className="sr-only">
                Namespaces of {cluster.name} with scores, owners and findings
              </caption>
              <Head
                columns={[
                  "Namespace",
                  "Owner (team)",
                  "Profile",
                  "Score",
                  ["Workloads", "right"],
                  ["Containers", "right"],
                  ["Open findings", "right"],
                  ["High + critical", "right"],
                ]}
              />
              <tbody>
                {namespaces.map((n) => (
                  <tr key={n.name} className={tr}>
                    <th scope="row" className={`${td} font-medium`}>
                      <Link
                        href={`/workloads?cluster=${q}&namespace=${encodeURIComponent(n.name)}`}
                        className={link}
                      >
                        {n.name}
                      </Link>
                    </th>
                    <td className={td}>{n.team ?? <span className={muted}>unlabelled</span>}</td>
                    <td className={td}>{n.profile ?? "–"}</td>
                    <td className={td}>
                      <Grade score={n.score} grade={n.grade} />
                    </td>
                    <td className={`${td} text-right tabular-nums`}>{num(n.workloads)}</td>
                    <td className={`${td} text-right tabular-nums`}>{num(n.containers)}</td>
                    <td className={`${td} text-right tabular-nums`}>
                      <Link
                        href={`/findings?cluster=${q}&namespace=${encodeURIComponent(n.name)}`}
                        className={link}
                      >
                        {num(n.findings.open)}
                      </Link>
                      {n.findings.waived > 0 && (
                        <span className={`ml-1 text-xs ${muted}`}>(+{n.findings.waived} waived)</span>
                      )}
                    </td>
                    <td className={`${td} text-right tabular-nums`}>
                      {num(n.findings.bySeverity.high + n.findings.bySeverity.critical)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>

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
