import type { Metadata } from "next";
import { SnapshotStatus } from "~/components/snapshot-status.tsx";
import { SnapshotsTable } from "~/components/snapshots-table.tsx";
import {
  DataTable,
  Empty,
  ExportLink,
  Link,
  link,
  muted,
  PageHeader,
  Section,
  Stat,
  tableWrap,
  td,
  tr,
  Warning,
} from "~/components/ui.tsx";
import { ago, dateTime, duration, num } from "~/lib/format.ts";
import { api } from "~/server/caller.ts";

type Caller = Awaited<ReturnType<typeof api>>;

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Collector" };

export default async function CollectorPage() {
  const caller = await api();
  const fleet = await caller.fleet.overview();
  const now = new Date();
  if (fleet.clusters.length === 0)
    return (
      <>
        <PageHeader title="Collector" />
        <Empty title="The collector has not written anything yet.">
          Run <code className="font-mono">npx pnpm@10 collect --once --kubeconfig ~/.kube/config</code>.
        </Empty>
      </>
    );
  const recent = new Map(
    (await caller.clusters.snapshots({ perCluster: 20 })).map((r) => [r.clusterId, r.snapshots]),
  );
  const details = fleet.clusters.map((cluster) => ({ cluster, snapshots: recent.get(cluster.id) ?? [] }));
  const all = details.flatMap((d) => d.snapshots);
  const failed = all.filter((s) => s.status !== "complete");
  const durations = all
    .map((s) => s.durationMs)
    .filter((d): d is number => d !== null)
    .sort((a, b) => a - b);
  const median = durations.length ? (durations[Math.floor(durations.length / 2)] ?? null) : null;

  return (
    <>
      <PageHeader
        title="Collector"
        subtitle={`Last snapshot ${ago(fleet.lastCollectedAt, now)} (${dateTime(fleet.lastCollectedAt)})`}
        actions={<ExportLink href="/api/export/snapshots.csv">Export CSV</ExportLink>}
      />
      {fleet.incomplete.length > 0 && (
        <Warning>
          {fleet.incomplete
            .map((c) => `${c.name}: ${c.status ?? "never collected"}${c.stale ? ", stale" : ""}`)
            .join("; ")}
        </Warning>
      )}
      <dl className="grid grid-cols-2 gap-4 md:grid-cols-4">
        <Stat label="Clusters" value={num(fleet.clusters.length)} />
        <Stat label="Recent snapshots" value={num(all.length)} hint="the last 20 per cluster" />
        <Stat label="Not complete" value={num(failed.length)} hint="partial or failed, among them" />
        <Stat label="Median read time" value={duration(median)} hint="listing the cluster, before storage" />
      </dl>
      {details.map((d) => (
        <Section key={d.cluster.id} title={d.cluster.name} id={`cluster-${d.cluster.id}`}>
          <p className={`text-sm ${muted}`}>
            Now <SnapshotStatus status={d.cluster.lastSnapshotStatus} />
            {d.cluster.stale && " and stale"} · last {ago(d.cluster.lastSnapshotAt, now)} ·{" "}
            <Link href={`/clusters/${encodeURIComponent(d.cluster.name)}`} className={link}>
              cluster page
            </Link>
          </p>
          {d.snapshots.length === 0 ? (
            <Empty title="Never collected." />
          ) : (
            <SnapshotsTable snapshots={d.snapshots} caption={`Recent snapshots of ${d.cluster.name}`} />
          )}
        </Section>
      ))}
      <Deliveries deliveries={await caller.reviews.deliveries({ limit: 20 })} />
    </>
  );
}

/** The delivery log of digests and alerts: what went out, and what is failing and why. */
function Deliveries({ deliveries }: { deliveries: Awaited<ReturnType<Caller["reviews"]["deliveries"]>> }) {
  return (
    <Section title="Digests and alerts">
      {deliveries.length === 0 ? (
        <Empty title="Nothing sent yet.">
          Recipients are set in the profiles file under <code className="font-mono">notifications</code>.
        </Empty>
      ) : (
        <div className={tableWrap}>
          <DataTable
            caption="The newest digests and alerts and how their delivery went"
            columns={[
              "Kind",
              "About",
              "Recipient",
              "Channel",
              "Status",
              ["Attempts", "right"],
              "Last attempt",
            ]}
          >
            <tbody>
              {deliveries.map((d) => (
                <tr key={String(d.id)} className={tr}>
                  <td className={td}>{d.kind}</td>
                  <th scope="row" className={`${td} font-normal`}>
                    {d.kind === "alert" ? `finding ${d.subject}` : d.subject}
                  </th>
                  <td className={td}>{d.recipient}</td>
                  <td className={`${td} break-all`}>
                    {d.channel} <span className={`text-xs ${muted}`}>{d.target}</span>
                  </td>
                  <td className={td}>
                    {d.status}
                    {d.lastError && (
                      <span className={`block text-xs text-red-800 dark:text-red-200`}>{d.lastError}</span>
                    )}
                  </td>
                  <td className={`${td} text-right tabular-nums`}>{num(d.attempts)}</td>
                  <td className={`${td} whitespace-nowrap`}>{dateTime(d.attemptedAt)}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        </div>
      )}
    </Section>
  );
}
