// A review's finding rows: severity, rule, team, workload, image and age. Rendered by the page for
// the severe list and an action's rows, and by the client when a group is expanded.
import { WorkloadCell } from "~/components/cells.tsx";
import { DataTable, muted, SeverityBadge, tableWrap, td, tr } from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";

export interface FindingRow {
  id: bigint;
  cluster: string;
  namespace: string;
  team: string;
  workload: string | null;
  workloadId: bigint | null;
  container: string | null;
  ruleId: string;
  severity: string;
  image: string | null;
  ageDays: number;
  waived: boolean;
}

export function FindingRows({
  rows,
  caption,
  showTeam = true,
  showImage = true,
}: {
  rows: FindingRow[];
  caption: string;
  showTeam?: boolean;
  showImage?: boolean;
}) {
  return (
    <div className={tableWrap}>
      <DataTable
        caption={caption}
        columns={[
          "Severity",
          "Rule",
          showTeam && "Team",
          "Workload",
          showImage && "Image",
          ["Age (days)", "right"],
        ]}
      >
        <tbody>
          {rows.map((f) => (
            <tr key={String(f.id)} className={tr}>
              <td className={td}>
                <SeverityBadge severity={f.severity} />
              </td>
              <th scope="row" className={`${td} font-medium`}>
                {f.ruleId}
                {f.waived && <span className={`ml-1 text-xs font-normal ${muted}`}>(waived)</span>}
              </th>
              {showTeam && <td className={td}>{f.team}</td>}
              <WorkloadCell
                id={f.workloadId}
                name={f.workload}
                cluster={f.cluster}
                namespace={f.namespace}
                detail={f.container}
              />
              {showImage && <td className={`${td} break-all font-mono text-xs`}>{f.image ?? "–"}</td>}
              <td className={`${td} text-right tabular-nums`}>{num(f.ageDays)}</td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </div>
  );
}
