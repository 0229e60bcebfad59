"use client";
// One team's group of a review section, expandable to its rules: they are fetched when the team is
// first opened (a fleet's review holds hundreds of rule groups across its teams; a page lists teams),
// as a rule's images and an image's rows are.
import { trpc } from "~/client/trpc.ts";
import { groupAnchor } from "./group-anchor.ts";
import { CountLine, type Counts, SeverityCounts } from "./group-counts.tsx";
import { LoadedDetails } from "./loaded-details.tsx";
import { RuleImages } from "./rule-images.tsx";

type Query = Parameters<typeof trpc.reviews.rules.query>[0] & { section: "new" | "resolved" | "ageing" };

export function TeamRules({
  query,
  counts,
  focus,
}: {
  query: Query;
  counts: Counts;
  /** The anchor of a group to show open. */
  focus?: string | undefined;
}) {
  const id = groupAnchor(query.section, query.team);
  return (
    <LoadedDetails
      id={id}
      open={focus?.startsWith(id) ?? false}
      fetch={() => trpc.reviews.rules.query(query)}
      summary={
        <>
          <span className="font-medium">{query.team}</span> <SeverityCounts by={counts.bySeverity} />{" "}
          <CountLine c={counts} />
        </>
      }
      bodyClassName="mt-2 border-l border-slate-200 pl-3 dark:border-slate-700"
      loading="Loading rules…"
    >
      {(rules) => (
        <ul className="space-y-2">
          {rules.map((rule) => (
            <li key={rule.ruleId}>
              <RuleImages
                query={{ ...query, ruleId: rule.ruleId }}
                title={rule.title ?? undefined}
                counts={rule}
                focus={focus}
              />
            </li>
          ))}
        </ul>
      )}
    </LoadedDetails>
  );
}
