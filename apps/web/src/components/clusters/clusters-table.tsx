import { ClusterHeaderCell } from "~/components/cells.tsx";
import { SnapshotStatus } from "~/components/snapshot-status.tsx";
import { Sparkline } from "~/components/sparkline.tsx";
import { DataTable, Grade, muted, tableWrap, td, tr } from "~/components/ui.tsx";
import { ago, dateTime, num } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Clusters = Outputs["fleet"]["overview"]["clusters"];
type Posture = Outputs["trends"]["posture"];

/** The clusters with labels, grade, a 30-day sparkline (trends[i] belongs to clusters[i]) and last snapshot. */
export function ClustersTable({ clusters, trends }: { clusters: Clusters; trends: Posture[] }) {
  const now = new Date();
  return (
    <div className={tableWrap}>
      <DataTable
        caption="Clusters with grade, trend and last snapshot"
        columns={[
          "Cluster",
          "Labels",
          "Score",
          "30-day trend",
          "Kubernetes",
          "Last snapshot",
          ["Workloads", "right"],
          ["Open findings", "right"],
        ]}
      >
        <tbody>
          {clusters.map((c, i) => (
            <tr key={c.id} className={tr}>
              <ClusterHeaderCell name={c.name} />
              <td className={`${td} text-xs`}>
                {c.labels.map(([k, v]) => `${k}=${v}`).join(", ") || <span className={muted}>none</span>}
              </td>
              <td className={td}>
                <Grade score={c.score} grade={c.grade} />
              </td>
              <td className={td}>
                <Sparkline
                  values={(trends[i] ?? []).map((p) => p.score)}
                  label={`${c.name} score, 30 days`}
                />
              </td>
              <td className={td}>{c.kubernetesVersion ?? "unknown"}</td>
              <td className={td}>
                <SnapshotStatus status={c.lastSnapshotStatus} />
                {c.stale && c.lastSnapshotStatus && (
                  <span className="ml-1 text-xs text-amber-800 dark:text-amber-200">stale</span>
                )}
                <span className={`block text-xs ${muted}`} title={dateTime(c.lastSnapshotAt)}>
                  {ago(c.lastSnapshotAt, now)}
                </span>
              </td>
              <td className={`${td} text-right tabular-nums`}>{num(c.workloads)}</td>
              <td className={`${td} text-right tabular-nums`}>{num(c.findings.open)}</td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </div>
  );
}
