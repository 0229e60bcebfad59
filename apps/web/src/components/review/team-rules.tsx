"use client";
// One team's group of a review section, expandable to its rules: they are fetched when the team is
// first opened (a fleet's review holds hundreds of rule groups across its teams; a page lists teams),
// as a rule's images and an image's rows are.
import { trpc } from "~/client/trpc.ts";
import { muted } from "~/components/ui.tsx";
import { groupAnchor } from "./group-anchor.ts";
import { CountLine, type Counts, SeverityCounts } from "./group-counts.tsx";
import { RuleImages } from "./rule-images.tsx";
import { useLoadedOnOpen } from "./use-loaded-on-open.ts";

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
  const open = focus?.startsWith(id) ?? false;
  const { state, load } = useLoadedOnOpen(() => trpc.reviews.rules.query(query), open);
  return (
    <details
      id={id}
      open={open}
      onToggle={(e) => {
        if ((e.currentTarget as HTMLDetailsElement).open) void load();
      }}
    >
      <summary className="cursor-pointer">
        <span className="font-medium">{query.team}</span> <SeverityCounts by={counts.bySeverity} />{" "}
        <CountLine c={counts} />
      </summary>
      <div className="mt-2 border-l border-slate-200 pl-3 dark:border-slate-700">
        {state.loading && <p className={`text-sm ${muted}`}>Loading rules…</p>}
        {state.error && (
          <p role="alert" className="text-sm text-red-800 dark:text-red-200">
            {state.error}
          </p>
        )}
        {state.value && (
          <ul className="space-y-2">
            {state.value.map((rule) => (
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
      </div>
    </details>
  );
}
