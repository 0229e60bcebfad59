import { type findingFilter, NOT_DIGEST } from "@pullsight/api";
import { FINDING_STATUSES } from "@pullsight/core";
import { FilterText, filterSelects, tagKindOptions } from "~/components/table-controls.tsx";
import { button, Link, primaryButton, RESULTS_ID, SEVERITIES } from "~/components/ui.tsx";
import type { Outputs } from "~/server/outputs.ts";

type FilterKey = keyof typeof findingFilter.shape;

/** The findings filters as a GET form, so that every view is a URL. */
export function FindingsFilterForm({
  raw,
  active,
  rules,
  facets,
}: {
  raw: Record<string, string | undefined>;
  active: boolean;
  rules: Outputs["rules"]["catalog"]["rules"];
  facets: Outputs["workloads"]["facets"];
}) {
  const select = filterSelects<FilterKey>(raw);
  const facet = (key: keyof typeof facets) =>
    (facets[key] ?? []).map((f) => ({ value: f.value, text: f.value }));
  return (
    <form
      method="get"
      action={`#${RESULTS_ID}`}
      aria-label="Filter findings"
      className="flex flex-wrap items-end gap-3"
    >
      {select("cluster", "Cluster", facet("cluster"))}
      {select("namespace", "Namespace", facet("namespace"))}
      {select("team", "Team", facet("team"))}
      {select(
        "ruleId",
        "Rule",
        rules.map((r) => ({ value: r.id, text: `${r.id} ${r.title}` })),
      )}
      {select(
        "severity",
        "Severity",
        SEVERITIES.map((s) => ({ value: s, text: s })),
      )}
      {select(
        "status",
        "Status",
        FINDING_STATUSES.map((s) => ({ value: s, text: s })),
        "open and waived",
      )}
      {select("tagKind", "Tag kind", tagKindOptions(facet("tagKind"), NOT_DIGEST))}
      <FilterText
        name="clusterLabel"
        label="Cluster labels"
        value={raw.clusterLabel}
        placeholder="env=prod"
      />
      <FilterText name="asOf" label="As of" value={raw.asOf} type="date" />
      <button type="submit" className={primaryButton}>
        Apply
      </button>
      {active && (
        <Link href="/findings" className={button}>
          Clear filters
        </Link>
      )}
    </form>
  );
}
