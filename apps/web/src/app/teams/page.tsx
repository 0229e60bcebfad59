import { gradeFor } from "@pullsight/core";
import type { Metadata } from "next";
import { OpenFindingsCell } from "~/components/cells.tsx";
import {
  DataTable,
  Delta,
  Empty,
  Grade,
  Link,
  link,
  PageHeader,
  tableWrap,
  td,
  tr,
} from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Teams" };

/** Every team that owns a namespace, the lowest score first, with its change over a week. */
export default async function TeamsPage() {
  const teams = await (await api()).teams.list();
  return (
    <>
      <PageHeader
        title="Teams"
        subtitle="Owners come from namespace labels or annotations, or the profiles file (README, Owners)."
      />
      {teams.length === 0 ? (
        <Empty title="No namespace has been collected yet." />
      ) : (
        <div className={tableWrap}>
          <DataTable
            caption="Teams by score, lowest first"
            columns={[
              "Team",
              "Score",
              ["Change over 7 days", "right"],
              ["Clusters", "right"],
              ["Namespaces", "right"],
              ["Containers", "right"],
              ["Open findings", "right"],
              ["High + critical", "right"],
            ]}
          >
            <tbody>
              {teams.map((t) => (
                <tr key={t.team} className={tr}>
                  <th scope="row" className={`${td} font-medium`}>
                    <Link href={`/teams/${encodeURIComponent(t.team)}`} className={link}>
                      {t.team}
                    </Link>
                  </th>
                  <td className={td}>
                    <Grade score={t.score} grade={gradeFor(t.score)} />
                  </td>
                  <td className={`${td} text-right`}>
                    <Delta value={t.delta} />
                  </td>
                  <td className={`${td} text-right tabular-nums`}>{num(t.clusters)}</td>
                  <td className={`${td} text-right tabular-nums`}>{num(t.namespaces)}</td>
                  <td className={`${td} text-right tabular-nums`}>{num(t.containers)}</td>
                  <OpenFindingsCell {...t.findings} href={`/findings?team=${encodeURIComponent(t.team)}`} />
                  <td className={`${td} text-right tabular-nums`}>
                    {num(t.findings.bySeverity.high + t.findings.bySeverity.critical)}
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        </div>
      )}
    </>
  );
}
