import type { WORKLOAD_SORTS } from "@pullsight/api";
import { OpenFindingsCell } from "~/components/cells.tsx";
import { SortHeader, type SortOrder, type SortView } from "~/components/table-controls.tsx";
import {
  Link,
  link,
  longTableWrap,
  SeverityBadge,
  scrollBox,
  table,
  td,
  th,
  thead,
  tr,
} from "~/components/ui.tsx";
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
  const sortLink = (key: Sort, label: string, align = "") => (
    <SortHeader view={sorted} column={key} label={label} align={align} />
  );
  return (
    <div className={longTableWrap} {...scrollBox("Workloads table")}>
      <table className={table}>
        <caption className="sr-only">
          Workloads {first} to {first + rows.length - 1} of {total}, sorted by {sort}{" "}
          {order === "asc" ? "ascending" : "descending"}
        </caption>
        <thead className={thead}>
          <tr>
            {sortLink("name", "Workload")}
            {sortLink("cluster", "Cluster")}
            {sortLink("namespace", "Namespace")}
            <th scope="col" className={th}>
              Team
            </th>
            {sortLink("kind", "Kind")}
            <th scope="col" className={th}>
              Images
            </th>
            <th scope="col" className={th}>
              Pull policies
            </th>
            {sortLink("containers", "Containers", "text-right")}
            {sortLink("findings", "Open findings", "text-right")}
            {sortLink("severity", "Worst")}
            {sortLink("lastSeen", "Changed")}
          </tr>
        </thead>
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
      </table>
    </div>
  );
}
