import { gradeFor } from "@pullsight/core";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { OpenFindingsCell } from "~/components/cells.tsx";
import { FailingCallout } from "~/components/failing/failing-callout.tsx";
import { ScoreTrend } from "~/components/score-trend.tsx";
import {
  DataTable,
  Delta,
  Empty,
  Grade,
  Link,
  link,
  PageHeader,
  Section,
  Stat,
  tableWrap,
  td,
  tr,
} from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";

type Params = Promise<{ team: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Team ${decodeURIComponent((await params).team)}` };
}

/** One team's dashboard: its score and trend across clusters, its namespaces, and links to its rows. */
export default async function TeamPage({ params }: { params: Params }) {
  const name = decodeURIComponent((await params).team);
  const caller = await api();
  const detail = await caller.teams.detail({ team: name }).catch((e: { code?: string }) => {
    if (e.code === "NOT_FOUND" || e.code === "BAD_REQUEST") notFound();
    throw e;
  });
  const { summary: t, namespaces } = detail;
  const [posture, failing] = await Promise.all([
    caller.trends.posture({ scope: { team: t.team }, range: { days: 56 }, bucket: "day" }),
    caller.failing.count({ filter: { team: t.team } }),
  ]);
  const q = encodeURIComponent(t.team);
  return (
    <>
      <PageHeader
        title={`Team ${t.team}`}
        subtitle={`${num(t.namespaces)} namespaces in ${num(t.clusters)} clusters`}
        actions={
          <>
            <Link href={`/workloads?team=${q}`} className={link}>
              Workloads
            </Link>
            <Link href={`/findings?team=${q}`} className={link}>
              Findings
            </Link>
            <Link href={`/review?scope=${encodeURIComponent(`team:${t.team}`)}`} className={link}>
              Weekly review
            </Link>
          </>
        }
      />
      <FailingCallout total={failing.total} filter={{ team: t.team }} />
      <dl className="grid grid-cols-2 gap-4 md:grid-cols-4">
        <Stat
          label="Score"
          value={<Grade score={t.score} grade={gradeFor(t.score)} />}
          hint={<Delta value={t.delta} />}
        />
        <Stat label="Containers" value={num(t.containers)} hint={`${num(t.compliant)} compliant`} />
        <Stat
          label="Open findings"
          value={num(t.findings.open)}
          hint={t.findings.waived > 0 ? `and ${num(t.findings.waived)} waived` : undefined}
        />
        <Stat
          label="High + critical"
          value={num(t.findings.bySeverity.high + t.findings.bySeverity.critical)}
        />
      </dl>
      <ScoreTrend
        posture={posture}
        summary={`Daily score of team ${t.team} across its namespaces over 56 days; now ${t.score ?? "–"}%.`}
        height={180}
      />
      <Section title="Namespaces">
        {namespaces.length === 0 ? (
          <Empty title="No namespace of this team has containers." />
        ) : (
          <div className={tableWrap}>
            <DataTable
              caption={<>Namespaces of team {t.team}, lowest score first</>}
              columns={[
                "Namespace",
                "Cluster",
                "Profile",
                "Score",
                ["Containers", "right"],
                ["Open findings", "right"],
                ["High + critical", "right"],
              ]}
            >
              <tbody>
                {namespaces.map((n) => {
                  const where = `cluster=${encodeURIComponent(n.cluster)}&namespace=${encodeURIComponent(n.name)}`;
                  return (
                    <tr key={`${n.cluster}/${n.name}`} className={tr}>
                      <th scope="row" className={`${td} font-medium`}>
                        <Link href={`/workloads?${where}`} className={link}>
                          {n.name}
                        </Link>
                      </th>
                      <td className={td}>
                        <Link href={`/clusters/${encodeURIComponent(n.cluster)}`} className={link}>
                          {n.cluster}
                        </Link>
                      </td>
                      <td className={td}>{n.profile ?? "–"}</td>
                      <td className={td}>
                        <Grade score={n.score} grade={n.grade} />
                      </td>
                      <td className={`${td} text-right tabular-nums`}>{num(n.containers)}</td>
                      <OpenFindingsCell {...n.findings} href={`/findings?${where}`} />
                      <td className={`${td} text-right tabular-nums`}>
                        {num(n.findings.bySeverity.high + n.findings.bySeverity.critical)}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </DataTable>
          </div>
        )}
      </Section>
    </>
  );
}
