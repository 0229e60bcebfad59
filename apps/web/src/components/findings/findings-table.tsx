import { FINDING_SORT_FIRST, type FINDING_SORTS } from "@pullsight/api";
import { WorkloadCell } from "~/components/cells.tsx";
import { SortableTable, type SortView } from "~/components/table-controls.tsx";
import { longTableWrap, muted, SeverityBadge, scrollBox, td, tr } from "~/components/ui.tsx";
import { WaiveForm } from "~/components/waive-form.tsx";
import { date } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Row = Outputs["findings"]["list"]["rows"][number];
type Sort = (typeof FINDING_SORTS)[number];
export type FindingsView = Omit<SortView<Sort>, "path" | "firstOrder">;

/** One page of findings; a reviewer or admin (waiveAs set) gets a waive action per open finding. */
export function FindingsTable({
  rows,
  first,
  total,
  titles,
  waiveAs,
  view,
}: {
  rows: Row[];
  first: number;
  total: number;
  titles: ReadonlyMap<string, string>;
  waiveAs: string | null;
  view: FindingsView;
}) {
  const canWaive = waiveAs !== null;
  const sorted: SortView<Sort> = { ...view, path: "/findings", firstOrder: (c) => FINDING_SORT_FIRST[c] };
  return (
    <div className={longTableWrap} {...scrollBox("Findings table")}>
      <SortableTable
        view={sorted}
        caption={
          <>
            Findings {first} to {first + rows.length - 1} of {total}, sorted by {view.sort}{" "}
            {view.order === "asc" ? "ascending" : "descending"}
          </>
        }
        columns={[
          { label: "Severity", sort: "severity" },
          { label: "Rule", sort: "rule" },
          { label: "Workload · cluster", sort: "cluster", sortsBy: "Cluster" },
          { label: "Team" },
          { label: "Container / image" },
          { label: "Status" },
          { label: "Opened", sort: "opened" },
          canWaive && { label: "Action" },
        ]}
      >
        <tbody>
          {rows.map((f) => (
            <tr key={String(f.findingId)} className={tr}>
              <td className={td}>
                <SeverityBadge severity={f.severity} />
              </td>
              <th scope="row" className={`${td} font-normal`}>
                <span className="font-medium">{f.ruleId}</span> {titles.get(f.ruleId)}
                {f.message && <span className={`block text-xs ${muted}`}>{f.message}</span>}
              </th>
              <WorkloadCell
                id={f.workloadId}
                name={f.workload}
                cluster={f.cluster}
                namespace={f.namespace}
                detail={f.workloadKind}
              />
              <td className={td}>{f.owner}</td>
              <td className={`${td} text-xs`}>
                {f.container ?? "–"}
                {f.image && <span className="block break-all font-mono">{f.image}</span>}
              </td>
              <td className={td}>
                {f.status}
                {f.status === "resolved" ? (
                  <span className={`block text-xs ${muted}`}>{date(f.resolvedAt)}</span>
                ) : f.clearingSince ? (
                  <span className={`block text-xs ${muted}`}>
                    clearing: not seen since {date(f.clearingSince)}
                  </span>
                ) : f.unverifiedSince ? (
                  <span className={`block text-xs ${muted}`}>
                    unverified: no data since {date(f.unverifiedSince)}
                  </span>
                ) : (
                  f.collectedAt && (
                    <span className={`block text-xs ${muted}`}>confirmed {date(f.collectedAt)}</span>
                  )
                )}
              </td>
              <td className={`${td} whitespace-nowrap`}>
                {date(f.openedAt)}
                {f.openedFrom !== "snapshot" && (
                  <span className={`block text-xs ${muted}`}>from {f.openedFrom}</span>
                )}
              </td>
              {canWaive && (
                <td className={td}>
                  {f.status === "open" && (
                    <WaiveForm
                      target={{
                        ruleId: f.ruleId,
                        cluster: f.cluster,
                        namespace: f.namespace,
                        workloadKind: f.workloadKind,
                        workloadName: f.workload,
                      }}
                      defaultOwner={waiveAs ?? ""}
                    />
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </SortableTable>
    </div>
  );
}
