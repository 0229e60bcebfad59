import { NOT_DIGEST, type WORKLOAD_SORTS, type workloadFilter } from "@pullsight/api";
import { REGISTRY_VISIBILITIES } from "@pullsight/core";
import { FilterText, filterSelects, tagKindOptions } from "~/components/table-controls.tsx";
import {
  button,
  hrefWith,
  input,
  Link,
  muted,
  primaryButton,
  RESULTS_ID,
  SEVERITIES,
} from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type FilterKey = keyof typeof workloadFilter.shape;
type Sort = (typeof WORKLOAD_SORTS)[number];

/** The workload filters as a GET form (the sort travels along), so that every view is a URL. */
export function WorkloadsFilterForm({
  raw,
  q,
  active,
  sort,
  order,
  facets,
  rules,
}: {
  raw: Record<string, string | undefined>;
  q: string | undefined;
  active: boolean;
  sort: Sort;
  order: "asc" | "desc";
  facets: Outputs["workloads"]["facets"];
  rules: Outputs["rules"]["catalog"]["rules"];
}) {
  const select = filterSelects<FilterKey>(raw);
  const facet = (key: string) =>
    (facets[key] ?? []).map((f) => ({ value: f.value, text: `${f.value} (${num(f.containers)})` }));
  return (
    <form
      method="get"
      action={`#${RESULTS_ID}`}
      aria-label="Filter workloads"
      className="flex flex-wrap items-end gap-3"
    >
      <input type="hidden" name="sort" value={sort} />
      <input type="hidden" name="order" value={order} />
      <label className="flex flex-col gap-1 text-sm">
        <span className={muted}>Search</span>
        <input
          type="search"
          name="q"
          defaultValue={q ?? ""}
          placeholder="name, namespace or image"
          className={`${input} w-56`}
        />
      </label>
      {select("cluster", "Cluster", facet("cluster"))}
      {select("namespace", "Namespace", facet("namespace"))}
      {select("team", "Team", facet("team"))}
      {select("kind", "Kind", facet("kind"))}
      {select("policy", "Pull policy", facet("policy"))}
      {select("policySource", "Policy source", facet("policySource"))}
      {select("tagKind", "Tag kind", tagKindOptions(facet("tagKind"), NOT_DIGEST))}
      {select("registry", "Registry", facet("registry"))}
      {select(
        "visibility",
        "Visibility",
        REGISTRY_VISIBILITIES.map((v) => ({ value: v, text: v })),
      )}
      <FilterText
        name="clusterLabel"
        label="Cluster labels"
        value={raw.clusterLabel}
        placeholder="env=prod"
      />
      {select(
        "ruleId",
        "Open finding",
        rules.map((r) => ({ value: r.id, text: `${r.id} ${r.title}` })),
      )}
      {select(
        "severity",
        "Severity",
        SEVERITIES.map((s) => ({ value: s, text: s })),
      )}
      <button type="submit" className={primaryButton}>
        Apply
      </button>
      {active && (
        <Link href={hrefWith("/workloads", { sort, order }, {})} className={button}>
          Clear filters
        </Link>
      )}
    </form>
  );
}

/** The same filters, exported as the containers stood on a chosen date. */
export function AsOfExportForm({ raw }: { raw: Record<string, string | undefined> }) {
  return (
    <form
      method="get"
      action="/api/export/inventory.csv"
      aria-label="Export the containers as of a date"
      className="flex flex-wrap items-end gap-2"
    >
      {Object.entries(raw).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <label className="flex flex-col gap-1 text-sm">
        <span className={muted}>These containers as of</span>
        <input type="date" name="asOf" required className={input} />
      </label>
      <button type="submit" className={button}>
        Export as of (CSV)
      </button>
    </form>
  );
}
