import { AT_RISK_SORT_FIRST, AT_RISK_SORTS, atRiskFilter } from "@pullsight/api";
import { AT_RISK_CAUSES } from "@pullsight/core";
import type { Metadata } from "next";
import type { ReactNode } from "react";
import { CountsBy } from "~/components/counts-by.tsx";
import { FocusTarget } from "~/components/focus-target.tsx";
import { AtRiskTable, CAUSE_WORDS } from "~/components/registries/at-risk-table.tsx";
import { RegistryHealthTable } from "~/components/registries/registry-health-table.tsx";
import { KeepSort, sortFromUrl } from "~/components/table-controls.tsx";
import {
  Empty,
  ExportLink,
  hrefWith,
  input,
  Link,
  link,
  muted,
  PageHeader,
  primaryButton,
  RESULTS_ID,
  ScopeNote,
  Section,
  Warning,
} from "~/components/ui.tsx";
import { num, plural } from "~/lib/format.ts";
import { pick, type SearchParams, validFilters } from "~/lib/params.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Will it pull?" };

const LIMIT = 200;
const causeLabels = Object.fromEntries(Object.entries(CAUSE_WORDS).map(([k, v]) => [k, v.label]));

/**
 * Will it still pull tomorrow? The running containers whose next pull would fail or get a different
 * image, from what each registry answered the prober, and how the registries answer.
 */
export default async function WillItPullPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const { filter, raw, dropped } = validFilters(atRiskFilter, sp);
  const { sort, order } = sortFromUrl(
    pick(sp, ["sort", "order"] as const),
    AT_RISK_SORTS,
    AT_RISK_SORT_FIRST,
  );
  const caller = await api();
  const [atRisk, health, fleet] = await Promise.all([
    caller.registries.atRisk({ filter, limit: LIMIT, sort, order }),
    caller.registries.health(),
    caller.fleet.overview(),
  ]);
  const query = new URLSearchParams(raw).toString();
  const now = new Date();
  const probed = health.registries.length > 0;
  return (
    <>
      <PageHeader
        title="Will it pull?"
        subtitle={
          !probed
            ? "No registry has been asked yet."
            : atRisk.total === 0
              ? "Every running reference resolves in its registry to what runs, as the prober last asked."
              : `${plural(atRisk.total, "container")} would fail or get a different image at their next pull`
        }
        actions={
          <ExportLink href={`/api/export/at-risk.csv${query ? `?${query}` : ""}`}>Export CSV</ExportLink>
        }
      />
      {!probed && (
        <Empty title="The registry prober has not run.">
          Run <code className="font-mono">npm run pullsight -- probe --once</code> (or deploy the prober
          component): it asks each registry whether the fleet&apos;s references still resolve, with one HEAD
          request per reference. Findings appear at each cluster&apos;s next snapshot.
        </Empty>
      )}
      <AtRiskFilters
        raw={raw}
        sort={<KeepSort sort={sort} order={order} />}
        clusters={fleet.clusters.map((c) => c.name)}
        registries={health.registries.map((r) => r.registry)}
      />
      <ScopeNote path="/will-it-pull" raw={raw} />
      {dropped.length > 0 && <Warning>Ignored filters this page cannot use: {dropped.join(", ")}.</Warning>}
      <FocusTarget label="References at risk">
        {probed && atRisk.total === 0 && (
          <Empty title="Nothing at risk.">
            {query ? "Nothing matches these filters. " : ""}A reference its registry no longer serves, or a
            tag that moved under running pods, appears here at the next snapshot after the prober sees it.
          </Empty>
        )}
        {atRisk.total > 0 && (
          <div className="space-y-3">
            <section
              className="space-y-1"
              aria-label={atRisk.total > LIMIT ? "Counts among those listed" : "Counts"}
            >
              <CountsBy
                label="Cause"
                values={atRisk.rows.map((r) => r.cause)}
                href={(v) => hrefWith("/will-it-pull", raw, { cause: v })}
                words={causeLabels}
              />
              <CountsBy
                label="Team"
                values={atRisk.rows.map((r) => r.owner)}
                href={(v) => hrefWith("/will-it-pull", raw, { team: v })}
              />
              <CountsBy
                label="Registry"
                values={atRisk.rows.map((r) => r.registry ?? "–")}
                href={(v) => hrefWith("/will-it-pull", raw, { registry: v })}
              />
            </section>
            <AtRiskTable
              rows={atRisk.rows}
              now={now}
              view={{ sort, order, params: { ...raw, sort, order } }}
            />
            {atRisk.total > LIMIT && (
              <p className={`text-sm ${muted}`}>
                Showing the first {num(LIMIT)} of {num(atRisk.total)} in this order; the CSV has every one.
              </p>
            )}
          </div>
        )}
      </FocusTarget>
      {probed && (
        <Section title="Registries">
          <p className={`text-sm ${muted}`}>
            What each registry answered the prober: references by their last answer, the latest round&apos;s
            latency and 429s, the rate-limit headroom it announced, and each day&apos;s share of references it
            answered and its worst p95.
          </p>
          <RegistryHealthTable registries={health.registries} now={now} />
        </Section>
      )}
    </>
  );
}

/** Cluster, registry and cause, kept in the URL; a team or namespace filter (from their pages) rides along. */
function AtRiskFilters({
  raw,
  sort,
  clusters,
  registries,
}: {
  raw: Record<string, string | undefined>;
  /** The hidden fields that keep the table's sort. */
  sort: ReactNode;
  clusters: string[];
  registries: string[];
}) {
  const query = new URLSearchParams(
    Object.entries(raw).filter(([, v]) => v) as Array<[string, string]>,
  ).toString();
  return (
    <form
      method="get"
      action={`#${RESULTS_ID}`}
      className="flex flex-wrap items-end gap-3 text-sm"
      aria-label="Filter references at risk"
    >
      <label className="flex flex-col gap-1">
        Cluster
        <select name="cluster" defaultValue={raw.cluster ?? ""} className={input}>
          <option value="">All clusters</option>
          {clusters.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label className="flex max-w-full min-w-0 flex-col gap-1">
        Registry
        <select name="registry" defaultValue={raw.registry ?? ""} className={`${input} max-w-full`}>
          <option value="">All registries</option>
          {registries.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1">
        Cause
        <select name="cause" defaultValue={raw.cause ?? ""} className={input}>
          <option value="">Any cause</option>
          {AT_RISK_CAUSES.map((c) => (
            <option key={c} value={c}>
              {causeLabels[c] ?? c}
            </option>
          ))}
        </select>
      </label>
      {sort}
      {raw.team && <input type="hidden" name="team" value={raw.team} />}
      {raw.namespace && <input type="hidden" name="namespace" value={raw.namespace} />}
      <button type="submit" className={primaryButton}>
        Apply
      </button>
      {query && (
        <Link href="/will-it-pull" className={link}>
          Clear
        </Link>
      )}
    </form>
  );
}
