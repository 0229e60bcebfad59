import type { WORKLOAD_SORTS } from "@pullsight/api";
import { OpenFindingsCell } from "~/components/cells.tsx";
import { SortableTable, type SortOrder, type SortView } from "~/components/table-controls.tsx";
import { Link, link, longTableWrap, SeverityBadge, scrollBox, td, tr } from "~/components/ui.tsx";
import { dateTime, num } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Sort = (typeof WORKLOAD_SORTS)[number];
type Row = Outputs["workloads"]["list"]["rows"][number];
export type WorkloadsView = Omit<SortView<Sort>, "path" | "firstOrder">;

/** Counts and severity start largest first; names A to Z. */
const firstOrder = (column: Sort): SortOrder =>
  column === "findings" || column === "severity" ? "desc" : "asc";

/** One page of workloads with sortable headers. */
export function WorkloadsTable({
  rows,
  first,
  total,
  view,
}: {
  rows: Row[];
  first: number;
  total: number;
  view: WorkloadsView;
}) {
  const { sort, order } = view;
  const sorted = { ...view, path: "/workloads", firstOrder };
  return (
    <div className={longTableWrap} {...scrollBox("Workloads table")}>
      <SortableTable
        view={sorted}
        caption={
          <>
            Workloads {first} to {first + rows.length - 1} of {total}, sorted by {sort}{" "}
            {order === "asc" ? "ascending" : "descending"}
          </>
        }
        columns={[
          { label: "Workload", sort: "name" },
          { label: "Cluster", sort: "cluster" },
          { label: "Namespace", sort: "namespace" },
          { label: "Team" },
          { label: "Kind", sort: "kind" },
          { label: "Images" },
          { label: "Pull policies" },
          { label: "Containers", sort: "containers", align: "text-right" },
          { label: "Open findings", sort: "findings", align: "text-right" },
          { label: "Worst", sort: "severity" },
          { label: "Changed", sort: "lastSeen" },
        ]}
      >
        <tbody>
          {rows.map((w) => (
            <tr key={String(w.id)} className={tr}>
              <th scope="row" className={`${td} font-medium`}>
                <Link href={`/workloads/${w.id}`} className={link}>
                  {w.name}
                </Link>
              </th>
              <td className={td}>{w.cluster}</td>
              <td className={td}>{w.namespace}</td>
              <td className={td}>{w.owner}</td>
              <td className={td}>{w.kind}</td>
              <td className={`${td} font-mono text-xs`}>
                <ul>
                  {w.images.map((image) => (
                    <li key={image} className="max-w-[22rem] truncate" title={image}>
                      {image}
                    </li>
                  ))}
                </ul>
              </td>
              <td className={td}>{w.policies.join(", ")}</td>
              <td className={`${td} text-right tabular-nums`}>{num(w.containers)}</td>
              <OpenFindingsCell open={w.findings} waived={w.waived} />
              <td className={td}>
                <SeverityBadge severity={w.maxSeverity} />
              </td>
              <td className={`${td} whitespace-nowrap text-xs`}>{dateTime(w.lastChangedAt)}</td>
            </tr>
          ))}
        </tbody>
      </SortableTable>
    </div>
  );
}
