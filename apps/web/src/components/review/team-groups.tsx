// A review section read in groups: team → rule → image, the heaviest first (severity-weighted
// findings). Teams, rules and images are native disclosure widgets, each fetching what it holds
// when first opened (team-rules.tsx, rule-images.tsx, group-rows.tsx).
import { card, Empty } from "~/components/ui.tsx";
import type { Counts } from "./group-counts.tsx";
import { TeamRules } from "./team-rules.tsx";

export type TeamGroup = Counts & { team: string };

export function TeamGroups({
  groups,
  section,
  week,
  scope,
  focus,
}: {
  groups: TeamGroup[];
  section: "new" | "resolved" | "ageing";
  week: string;
  scope: string;
  /** The anchor of a group to show open. */
  focus?: string | undefined;
}) {
  if (groups.length === 0) return <Empty title="None." />;
  return (
    <ul className={`${card} divide-y divide-slate-100 dark:divide-slate-800`}>
      {groups.map((team) => (
        <li key={team.team} className="px-3 py-2">
          <TeamRules
            query={{ week, scope, section, team: team.team }}
            // Only the counts cross to the browser: the rules come when the team is opened.
            counts={{
              findings: team.findings,
              workloads: team.workloads,
              containers: team.containers,
              bySeverity: team.bySeverity,
            }}
            focus={focus}
          />
        </li>
      ))}
    </ul>
  );
}
