// A review section read in groups: team → rule → image, the heaviest first (severity-weighted
// findings). Teams and rules are native disclosure widgets; a rule expands to its images (fetched
// when opened) and an image to its rows.
import { RULES_BY_ID } from "@pullsight/core";
import { card, Empty } from "~/components/ui.tsx";
import { groupAnchor } from "./group-anchor.ts";
import { CountLine, type Counts, SeverityCounts } from "./group-counts.tsx";
import { RuleImages } from "./rule-images.tsx";

type RuleGroup = Counts & { ruleId: string };
export type TeamGroup = Counts & { team: string; rules: RuleGroup[] };

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
      {groups.map((team) => {
        const teamId = groupAnchor(section, team.team);
        return (
          <li key={team.team} className="px-3 py-2">
            <details id={teamId} open={focus?.startsWith(teamId)}>
              <summary className="cursor-pointer">
                <span className="font-medium">{team.team}</span> <SeverityCounts by={team.bySeverity} />{" "}
                <CountLine c={team} />
              </summary>
              <ul className="mt-2 space-y-2 border-l border-slate-200 pl-3 dark:border-slate-700">
                {team.rules.map((rule) => (
                  <li key={rule.ruleId}>
                    <RuleImages
                      query={{ week, scope, section, team: team.team, ruleId: rule.ruleId }}
                      title={RULES_BY_ID.get(rule.ruleId)?.title}
                      counts={rule}
                      focus={focus}
                    />
                  </li>
                ))}
              </ul>
            </details>
          </li>
        );
      })}
    </ul>
  );
}
