// A review section read in groups: team → rule → image, the heaviest first (severity-weighted
// findings). Teams and rules are native disclosure widgets; an image expands to its rows.
import { RULES_BY_ID } from "@pullsight/core";
import { card, Empty, muted, SEVERITIES, SeverityBadge } from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";
import { GroupRows } from "./group-rows.tsx";

type Counts = {
  findings: number;
  workloads: number;
  containers: number;
  bySeverity: Record<string, number>;
};
type ImageGroup = Counts & { image: string | null };
type RuleGroup = Counts & {
  ruleId: string;
  images: ImageGroup[];
  moreImages: { images: number; findings: number };
};
export type TeamGroup = Counts & { team: string; rules: RuleGroup[] };

/** The anchor of a group, so that a link can open it. */
export const groupAnchor = (section: string, team: string, ruleId?: string, image?: string | null) =>
  `g-${section}-${[team, ruleId ?? "", image ?? ""].join("-")}`.replace(/[^A-Za-z0-9_-]+/g, "_");

function CountLine({ c }: { c: Counts }) {
  return (
    <span className={`text-xs ${muted}`}>
      {num(c.findings)} finding{c.findings === 1 ? "" : "s"} · {num(c.workloads)} workload
      {c.workloads === 1 ? "" : "s"} · {num(c.containers)} container{c.containers === 1 ? "" : "s"}
    </span>
  );
}

/** Badges of the severities present, most severe first, with their counts. */
function SeverityCounts({ by }: { by: Record<string, number> }) {
  return (
    <span className="inline-flex flex-wrap gap-1">
      {SEVERITIES.filter((s) => (by[s] ?? 0) > 0).map((s) => (
        <span key={s} className="inline-flex items-center gap-0.5">
          <SeverityBadge severity={s} />
          <span className="text-xs tabular-nums">{num(by[s] ?? 0)}</span>
        </span>
      ))}
    </span>
  );
}

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
                  <RuleItem key={rule.ruleId} {...{ rule, section, week, scope, focus }} team={team.team} />
                ))}
              </ul>
            </details>
          </li>
        );
      })}
    </ul>
  );
}

function RuleItem({
  rule,
  team,
  section,
  week,
  scope,
  focus,
}: {
  rule: RuleGroup;
  team: string;
  section: "new" | "resolved" | "ageing";
  week: string;
  scope: string;
  focus?: string | undefined;
}) {
  const ruleId = groupAnchor(section, team, rule.ruleId);
  return (
    <li>
      <details id={ruleId} open={focus?.startsWith(ruleId)}>
        <summary className="cursor-pointer">
          <span className="font-medium">{rule.ruleId}</span>{" "}
          <span className="text-sm">{RULES_BY_ID.get(rule.ruleId)?.title}</span>{" "}
          <SeverityCounts by={rule.bySeverity} /> <CountLine c={rule} />
        </summary>
        <ul className="mt-1 space-y-1 border-l border-slate-200 pl-3 text-sm dark:border-slate-700">
          {rule.images.map((img) => {
            const id = groupAnchor(section, team, rule.ruleId, img.image);
            return (
              <li key={img.image ?? ""}>
                <GroupRows
                  id={id}
                  open={focus === id}
                  total={img.findings}
                  query={{ week, scope, section, team, ruleId: rule.ruleId, image: img.image }}
                  summary={
                    <>
                      <span className="break-all font-mono text-xs">{img.image ?? "(no image)"}</span>{" "}
                      <SeverityCounts by={img.bySeverity} /> <CountLine c={img} />
                    </>
                  }
                />
              </li>
            );
          })}
          {rule.moreImages.images > 0 && (
            <li className={`text-xs ${muted}`}>
              and {num(rule.moreImages.images)} more images with {num(rule.moreImages.findings)} findings (the
              CSV export has every row)
            </li>
          )}
        </ul>
      </details>
    </li>
  );
}
