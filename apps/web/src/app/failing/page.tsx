import { failingFilter } from "@pullsight/api";
import { FAILURE_CAUSES } from "@pullsight/core";
import type { Metadata } from "next";
import { FailingTable } from "~/components/failing/failing-table.tsx";
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
  Warning,
} from "~/components/ui.tsx";
import { num, plural } from "~/lib/format.ts";
import { type SearchParams, validFilters } from "~/lib/params.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Failing now" };

const LIMIT = 200;

/** Every container waiting on a failed pull now, longest failing first, with its pod, node and cause. */
export default async function FailingPage({ searchParams }: { searchParams: SearchParams }) {
  const { filter, raw, dropped } = validFilters(failingFilter, await searchParams);
  const caller = await api();
  const [failing, fleet, rules] = await Promise.all([
    caller.failing.now({ filter, limit: LIMIT }),
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
      {(raw.team || raw.namespace) && (
        <p className="text-sm">
          {raw.team && <>Team {raw.team} </>}
          {raw.namespace && <>Namespace {raw.namespace} </>}·{" "}
          <Link href={hrefWith("/failing", raw, { team: null, namespace: null })} className={link}>
            every team and namespace
          </Link>
        </p>
      )}
      {dropped.length > 0 && <Warning>Ignored filters this page cannot use: {dropped.join(", ")}.</Warning>}
      {failing.total === 0 ? (
        <Empty title="Nothing is failing to pull.">
          {query ? "Nothing matches these filters. " : ""}Containers waiting in ErrImagePull, ImagePullBackOff
          or another pull failure appear here at the next snapshot that sees them.
        </Empty>
      ) : (
        <>
          <CauseCounts rows={failing.rows} raw={raw} partial={failing.total > LIMIT} />
          <FailingTable rows={failing.rows} snippet={snippet} now={new Date()} />
          {failing.total > LIMIT && (
            <p className={`text-sm ${muted}`}>
              Showing the {num(LIMIT)} longest failing of {num(failing.total)}; the CSV has every one.
            </p>
          )}
        </>
      )}
    </>
  );
}

/** How many of the listed containers fail for each cause, each a link that filters by it. */
function CauseCounts({
  rows,
  raw,
  partial,
}: {
  rows: Array<{ cause: string }>;
  raw: Record<string, string>;
  /** Only some rows are listed: the counts are of those. */
  partial: boolean;
}) {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.cause, (counts.get(r.cause) ?? 0) + 1);
  return (
    <ul
      className="flex flex-wrap gap-x-4 gap-y-1 text-sm"
      aria-label={partial ? "By cause, among those listed" : "By cause"}
    >
      {[...counts]
        .sort((a, b) => b[1] - a[1])
        .map(([cause, n]) => (
          <li key={cause}>
            <Link href={hrefWith("/failing", raw, { cause })} className={link}>
              {cause}
            </Link>{" "}
            <span className={`tabular-nums ${muted}`}>{num(n)}</span>
          </li>
        ))}
    </ul>
  );
}
