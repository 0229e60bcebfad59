import { OpenFindingsCell } from "~/components/cells.tsx";
import {
  DataTable,
  Empty,
  ExportLink,
  Grade,
  Link,
  link,
  Section,
  tableWrap,
  td,
  tr,
} from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Detail = Outputs["clusters"]["detail"];

/** A cluster's namespaces with owner, profile, score and findings, each linking to its rows. */
export function NamespacesTable({
  cluster,
  namespaces,
}: {
  cluster: Detail["cluster"];
  namespaces: Detail["namespaces"];
}) {
  const q = encodeURIComponent(cluster.name);
  return (
    <Section title="Namespaces">
      <div className="flex justify-end">
        <ExportLink href={`/api/export/namespaces.csv?cluster=${q}`}>Export CSV</ExportLink>
      </div>
      {namespaces.length === 0 ? (
        <Empty title="No namespaces collected." />
      ) : (
        <div className={tableWrap}>
          <DataTable
            caption={<>Namespaces of {cluster.name} with scores, owners and findings</>}
            columns={[
              "Namespace",
              "Team",
              "Profile",
              "Score",
              ["Workloads", "right"],
              ["Containers", "right"],
              ["Open findings", "right"],
              ["High + critical", "right"],
            ]}
          >
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
                  <td className={td}>
                    <Link href={`/teams/${encodeURIComponent(n.team)}`} className={link}>
                      {n.team}
                    </Link>
                  </td>
                  <td className={td}>{n.profile ?? "–"}</td>
                  <td className={td}>
                    <Grade score={n.score} grade={n.grade} />
                  </td>
                  <td className={`${td} text-right tabular-nums`}>{num(n.workloads)}</td>
                  <td className={`${td} text-right tabular-nums`}>{num(n.containers)}</td>
                  <OpenFindingsCell
                    {...n.findings}
                    href={`/findings?cluster=${q}&namespace=${encodeURIComponent(n.name)}`}
                  />
                  <td className={`${td} text-right tabular-nums`}>
                    {num(n.findings.bySeverity.high + n.findings.bySeverity.critical)}
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        </div>
      )}
    </Section>
  );
}
