import { SnapshotStatus } from "~/components/snapshot-status.tsx";
import { DataTable, Empty, Grade, SEVERITIES, tableWrap, td, tr } from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";
import { api } from "~/server/caller.ts";

/** Two clusters side by side: score, sizes, findings by severity, policy and tag-kind mix, pulls. */
export async function Compare({ names }: { names: [string, string] }) {
  const caller = await api();
  const fleet = await caller.fleet.overview();
  const clusters = names.map((n) => fleet.clusters.find((c) => c.name === n));
  if (clusters.some((c) => !c)) return <Empty title="One of these clusters does not exist." />;
  const posture = await Promise.all(
    names.map((n) => caller.trends.posture({ scope: { cluster: n }, range: { days: 2 }, bucket: "day" })),
  );
  const latency = await Promise.all(
    names.map((n) => caller.trends.latency({ scope: { cluster: n }, range: { days: 7 }, bucket: "week" })),
  );
  const latest = posture.map((p) => p.at(-1));
  const policies = [...new Set(latest.flatMap((p) => Object.keys(p?.byPolicy ?? {})))].sort();
  const tagKinds = [...new Set(latest.flatMap((p) => Object.keys(p?.byTagKind ?? {})))].sort();
  const pulls = latency.map((rows) => {
    const week = Math.max(0, ...rows.map((r) => r.bucket.getTime()));
    const cur = rows.filter((r) => r.bucket.getTime() === week);
    const n = cur.reduce((s, r) => s + r.pulls, 0);
    const f = cur.reduce((s, r) => s + r.failures, 0);
    return { pulls: n, failures: f };
  });
  const rows: Array<[string, (i: number) => React.ReactNode]> = [
    ["Score", (i) => <Grade score={clusters[i]?.score ?? null} grade={clusters[i]?.grade ?? null} />],
    ["Kubernetes", (i) => clusters[i]?.kubernetesVersion ?? "unknown"],
    ["Last snapshot", (i) => <SnapshotStatus status={clusters[i]?.lastSnapshotStatus ?? null} />],
    ["Workloads", (i) => num(clusters[i]?.workloads)],
    ["Containers", (i) => num(clusters[i]?.containers)],
    ["Open findings", (i) => num(clusters[i]?.findings.open)],
    ...SEVERITIES.map(
      (s) =>
        [`  ${s}`, (i: number) => num(clusters[i]?.findings.bySeverity[s])] as [
          string,
          (i: number) => React.ReactNode,
        ],
    ),
    ...policies.map(
      (p) =>
        [`imagePullPolicy ${p}`, (i: number) => num(latest[i]?.byPolicy[p] ?? 0)] as [
          string,
          (i: number) => React.ReactNode,
        ],
    ),
    ...tagKinds.map(
      (k) =>
        [`Tag kind ${k}`, (i: number) => num(latest[i]?.byTagKind[k] ?? 0)] as [
          string,
          (i: number) => React.ReactNode,
        ],
    ),
    ["By digest", (i) => (latest[i]?.digestShare == null ? "–" : `${latest[i]?.digestShare}%`)],
    ["Digest or full version", (i) => (latest[i]?.pinnedShare == null ? "–" : `${latest[i]?.pinnedShare}%`)],
    ["Pulls this week", (i) => num(pulls[i]?.pulls)],
    ["Failed pulls this week", (i) => num(pulls[i]?.failures)],
  ];
  return (
    <div className={tableWrap}>
      <DataTable
        caption={
          <>
            {names[0]} and {names[1]} side by side
          </>
        }
        columns={["", ...names]}
      >
        <tbody>
          {rows.map(([label, cell]) => (
            <tr key={label} className={tr}>
              <th scope="row" className={`${td} font-normal ${label.startsWith("  ") ? "pl-6" : ""}`}>
                {label.trim()}
              </th>
              <td className={`${td} tabular-nums`}>{cell(0)}</td>
              <td className={`${td} tabular-nums`}>{cell(1)}</td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </div>
  );
}
