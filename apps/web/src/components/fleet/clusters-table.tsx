import { ClusterHeaderCell, OpenFindingsCell } from "~/components/cells.tsx";
import { SnapshotStatus } from "~/components/snapshot-status.tsx";
import { DataTable, Grade, muted, tableWrap, td, tr } from "~/components/ui.tsx";
import { dateTime, num } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type ClusterRow = Outputs["fleet"]["overview"]["clusters"][number];

/** Every cluster with its last snapshot, score and open findings. */
export function ClustersTable({ clusters }: { clusters: ClusterRow[] }) {
  return (
    <div className={tableWrap}>
      <DataTable
        caption="Clusters and their last snapshot"
        columns={[
          "Cluster",
          "Kubernetes",
          "Last snapshot",
          "Collected (UTC)",
          ["Workloads", "right"],
          ["Score", "right"],
          ["Open findings", "right"],
        ]}
      >
        <tbody>
          {clusters.map((c) => (
            <tr key={c.id} className={tr}>
              <ClusterHeaderCell name={c.name} />
              <td className={td}>{c.kubernetesVersion ?? "unknown"}</td>
              <td className={td}>
                <SnapshotStatus status={c.lastSnapshotStatus} />
                {c.stale && c.lastSnapshotStatus && (
                  <span className="ml-2 text-xs text-amber-800 dark:text-amber-200">stale</span>
                )}
                {c.lastSnapshotFailures > 0 && (
                  <span className={`ml-2 text-xs ${muted}`}>
                    {c.lastSnapshotFailures} failed read{c.lastSnapshotFailures === 1 ? "" : "s"}
                  </span>
                )}
              </td>
              <td className={td}>
                {c.lastSnapshotAt ? dateTime(c.lastSnapshotAt).replace(" UTC", "") : "never"}
              </td>
              <td className={`${td} text-right tabular-nums`}>{num(c.workloads)}</td>
              <td className={`${td} text-right`}>
                <Grade score={c.score} grade={c.grade} />
              </td>
              <OpenFindingsCell {...c.findings} />
            </tr>
          ))}
        </tbody>
      </DataTable>
    </div>
  );
}
