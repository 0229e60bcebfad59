import { FAILING_SORT_FIRST, FAILING_SORTS, failingFilter } from "@pullsight/api";
import { FAILURE_CAUSES } from "@pullsight/core";
import type { Metadata } from "next";
import { CountsBy } from "~/components/counts-by.tsx";
import { FailingTable } from "~/components/failing/failing-table.tsx";
import { FocusTarget } from "~/components/focus-target.tsx";
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
  Warning,
} from "~/components/ui.tsx";
import { num, plural } from "~/lib/format.ts";
import { pick, type SearchParams, validFilters } from "~/lib/params.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Failing now" };

const LIMIT = 200;

/** Every container waiting on a failed pull now, longest failing first, with its pod, node and cause. */
export default async function FailingPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const { filter, raw, dropped } = validFilters(failingFilter, sp);
  const { sort, order } = sortFromUrl(
    pick(sp, ["sort", "order"] as const),
    FAILING_SORTS,
    FAILING_SORT_FIRST,
  );
  const caller = await api();
  const [failing, fleet, rules] = await Promise.all([
    caller.failing.now({ filter, limit: LIMIT, sort, order }),
    caller.fleet.overview(),
    caller.rules.catalog(),
  ]);
  const snippet = rules.rules.find((r) => r.id === "PS009")?.fixYaml ?? "";
  const query = new URLSearchParams(raw).toString();
  const pods = new Set(failing.rows.map((r) => `${r.cluster}/${r.namespace}/${r.pod}`)).size;
  return (
    <>
      <PageHeader
        title="Failing now"
        subtitle={
          failing.total === 0
            ? "No container is waiting on a failed pull in the latest snapshots."
            : `${plural(failing.total, "container")}${failing.total <= LIMIT ? ` in ${plural(pods, "pod")}` : ""} cannot pull their image, as each cluster's latest snapshot saw them`
        }
        actions={
          <ExportLink href={`/api/export/failing.csv${query ? `?${query}` : ""}`}>Export CSV</ExportLink>
        }
      />
      <form
        method="get"
        action={`#${RESULTS_ID}`}
        className="flex flex-wrap items-end gap-3 text-sm"
        aria-label="Filter failing containers"
      >
        <label className="flex flex-col gap-1">
          Cluster
          <select name="cluster" defaultValue={raw.cluster ?? ""} className={input}>
            <option value="">All clusters</option>
            {fleet.clusters.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          Cause
          <select name="cause" defaultValue={raw.cause ?? ""} className={input}>
            <option value="">Any cause</option>
            {FAILURE_CAUSES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <KeepSort sort={sort} order={order} />
        {raw.team && <input type="hidden" name="team" value={raw.team} />}
        {raw.namespace && <input type="hidden" name="namespace" value={raw.namespace} />}
        <button type="submit" className={primaryButton}>
          Apply
        </button>
        {query && (
          <Link href="/failing" className={link}>
            Clear
          </Link>
        )}
      </form>
      <ScopeNote path="/failing" raw={raw} />
      {dropped.length > 0 && <Warning>Ignored filters this page cannot use: {dropped.join(", ")}.</Warning>}
      <FocusTarget label="Failing containers">
        {failing.total === 0 ? (
          <Empty title="Nothing is failing to pull.">
            {query ? "Nothing matches these filters. " : ""}Containers waiting in ErrImagePull,
            ImagePullBackOff or another pull failure appear here at the next snapshot that sees them.
          </Empty>
        ) : (
          <>
            <section aria-label={failing.total > LIMIT ? "By cause, among those listed" : "By cause"}>
              <CountsBy
                label="Cause"
                values={failing.rows.map((r) => r.cause)}
                href={(cause) => hrefWith("/failing", raw, { cause })}
              />
            </section>
            <FailingTable
              rows={failing.rows}
              snippet={snippet}
              now={new Date()}
              view={{ sort, order, params: { ...raw, sort, order } }}
            />
            {failing.total > LIMIT && (
              <p className={`text-sm ${muted}`}>
                Showing the first {num(LIMIT)} of {num(failing.total)} in this order; the CSV has every one.
              </p>
            )}
          </>
        )}
      </FocusTarget>
    </>
  );
}
