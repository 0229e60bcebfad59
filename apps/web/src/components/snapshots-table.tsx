import { SnapshotStatus } from "~/components/snapshot-status.tsx";
import { DataTable, muted, tableWrap, td, tr } from "~/components/ui.tsx";
import { dateTime, duration, num } from "~/lib/format.ts";

export interface SnapshotRow {
  id: bigint;
  cluster?: string;
  startedAt: Date;
  finishedAt: Date | null;
  status: string;
  durationMs: number | null;
  failures: Array<{ kind: string; reason: string; status: number | null; message: string }>;
  collectorVersion: string;
  rows: Record<string, number> | null;
  lists: { listed: string[]; watched: string[] } | null;
}

/** How a snapshot read its kinds: listed, taken from lists kept by watches, or both (the kinds on hover). */
function Lists({ lists }: { lists: SnapshotRow["lists"] }) {
  if (!lists) return <span className={muted}>–</span>;
  const parts = [
    lists.watched.length > 0 && `${lists.watched.length} watched`,
    lists.listed.length > 0 && `${lists.listed.length} listed`,
  ].filter(Boolean);
  const title = [
    lists.watched.length > 0 && `kept by watches: ${lists.watched.join(", ")}`,
    lists.listed.length > 0 && `listed: ${lists.listed.join(", ")}`,
  ]
    .filter(Boolean)
    .join("; ");
  return <span title={title}>{parts.join(", ") || "none"}</span>;
}

/** Snapshots with their status, duration, rows written and the reason for every failed read. */
export function SnapshotsTable({ snapshots, caption }: { snapshots: SnapshotRow[]; caption: string }) {
  const withCluster = snapshots.some((s) => s.cluster);
  return (
    <div className={tableWrap}>
      <DataTable
        caption={caption}
        columns={[
          withCluster && "Cluster",
          "Started",
          "Status",
          ["Read time", "right"],
          ["Rows written", "right"],
          "Kinds read",
          "Failed reads",
          "Collector",
        ]}
      >
        <tbody>
          {snapshots.map((s) => (
            <tr key={String(s.id)} className={tr}>
              {withCluster && <td className={`${td} font-medium`}>{s.cluster}</td>}
              <td className={`${td} whitespace-nowrap`}>{dateTime(s.startedAt)}</td>
              <td className={td}>
                <SnapshotStatus status={s.status} />
              </td>
              <td className={`${td} text-right tabular-nums`}>{duration(s.durationMs)}</td>
              <td className={`${td} text-right tabular-nums`}>
                {s.rows ? num(Object.values(s.rows).reduce((a, b) => a + b, 0)) : "–"}
              </td>
              <td className={`${td} whitespace-nowrap`}>
                <Lists lists={s.lists} />
              </td>
              <td className={td}>
                {s.failures.length === 0 ? (
                  <span className={muted}>none</span>
                ) : (
                  <ul className="space-y-1">
                    {s.failures.map((f, i) => (
                      <li key={i}>
                        <span className="font-medium">{f.kind}</span>: {f.reason}
                        {f.status !== null && ` (HTTP ${f.status})`}
                        {f.message && <span className={`block text-xs ${muted}`}>{f.message}</span>}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td className={`${td} text-xs ${muted}`}>{s.collectorVersion}</td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </div>
  );
}
