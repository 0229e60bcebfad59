// What got worse, read first: new critical and high findings in production namespaces, then each
// team's score movement with the teams that dropped most at the top.
import { RULES_BY_ID } from "@pullsight/core";
import {
  card,
  DataTable,
  Delta,
  Empty,
  Link,
  link,
  muted,
  Section,
  SeverityBadge,
  tableWrap,
  td,
  tr,
} from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";

interface SevereGroup {
  ruleId: string;
  image: string | null;
  severity: string;
  findings: number;
  workloads: number;
  teams: string[];
}

export interface Worse {
  severe: SevereGroup[];
  severeCount: number;
  otherSevere: number;
  teams: Array<{
    team: string;
    score: number | null;
    previous: number | null;
    delta: number | null;
    containers: number;
  }>;
}

/** Teams shown before the rest fold away. */
const TEAMS_SHOWN = 8;

export function WhatGotWorse({
  worse,
  week,
  teamHref,
}: {
  worse: Worse;
  week: string;
  teamHref: (team: string) => string;
}) {
  return (
    <Section title="What got worse">
      <div className="space-y-2">
        <h3 className="font-medium">
          New critical and high findings in production ({num(worse.severeCount)})
        </h3>
        {worse.severe.length === 0 ? (
          <Empty title={`No new critical or high finding in a production namespace in ${week}.`} />
        ) : (
          <SevereTable groups={worse.severe} teamHref={teamHref} />
        )}
        <p className={`text-xs ${muted}`}>
          {sum(worse.severe) < worse.severeCount &&
            `Showing the ${num(worse.severe.length)} largest groups (${num(sum(worse.severe))} of ${num(worse.severeCount)} findings); the sections below have every one. `}
          {worse.otherSevere > 0 &&
            `${num(worse.otherSevere)} more new critical or high findings are in namespaces of other profiles. `}
          Production means namespaces whose profile is production.
        </p>
      </div>
      {worse.teams.length > 0 && <TeamMovements teams={worse.teams} teamHref={teamHref} />}
    </Section>
  );
}

const sum = (groups: SevereGroup[]) => groups.reduce((n, g) => n + g.findings, 0);

function SevereTable({ groups, teamHref }: { groups: SevereGroup[]; teamHref: (team: string) => string }) {
  return (
    <div className={tableWrap}>
      <DataTable
        caption="New critical and high findings in production namespaces, by rule and image"
        columns={["Severity", "Rule", "Image", ["Findings", "right"], ["Workloads", "right"], "Teams"]}
      >
        <tbody>
          {groups.map((g) => (
            <tr key={`${g.ruleId}/${g.image ?? ""}/${g.severity}`} className={tr}>
              <td className={td}>
                <SeverityBadge severity={g.severity} />
              </td>
              <th scope="row" className={`${td} font-normal`}>
                <span className="font-medium">{g.ruleId}</span> {RULES_BY_ID.get(g.ruleId)?.title}
              </th>
              <td className={`${td} min-w-48 break-all font-mono text-xs`}>{g.image ?? "(no image)"}</td>
              <td className={`${td} text-right tabular-nums`}>{num(g.findings)}</td>
              <td className={`${td} text-right tabular-nums`}>{num(g.workloads)}</td>
              <td className={td}>
                {g.teams.map((t, i) => (
                  <span key={t}>
                    {i > 0 && ", "}
                    <Link href={teamHref(t)} className={link}>
                      {t}
                    </Link>
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </div>
  );
}

function TeamMovements({ teams, teamHref }: { teams: Worse["teams"]; teamHref: (team: string) => string }) {
  const rows = (list: Worse["teams"]) =>
    list.map((t) => (
      <tr key={t.team} className={tr}>
        <th scope="row" className={`${td} font-medium`}>
          <Link href={teamHref(t.team)} className={link}>
            {t.team}
          </Link>
        </th>
        <td className={`${td} text-right tabular-nums`}>{t.score === null ? "–" : `${t.score}%`}</td>
        <td className={`${td} text-right`}>
          <Delta value={t.delta} />
        </td>
        <td className={`${td} text-right tabular-nums`}>{num(t.containers)}</td>
      </tr>
    ));
  const columns: Parameters<typeof DataTable>[0]["columns"] = [
    "Team",
    ["Score at week end", "right"],
    ["Change", "right"],
    ["Containers", "right"],
  ];
  return (
    <div className="space-y-2">
      <h3 className="font-medium">Score by team, largest drop first</h3>
      <div className={tableWrap}>
        <DataTable caption="Each team's score at the end of the week and its change" columns={columns}>
          <tbody>{rows(teams.slice(0, TEAMS_SHOWN))}</tbody>
        </DataTable>
      </div>
      {teams.length > TEAMS_SHOWN && (
        <details className={`${card} px-3 py-2 text-sm`}>
          <summary className="cursor-pointer">{num(teams.length - TEAMS_SHOWN)} more teams</summary>
          <DataTable caption="The other teams" columns={columns}>
            <tbody>{rows(teams.slice(TEAMS_SHOWN))}</tbody>
          </DataTable>
        </details>
      )}
    </div>
  );
}
