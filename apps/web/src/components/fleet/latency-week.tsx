import { BUCKET_RESOLUTION, unansweredOf } from "@pullsight/core";
import { EventCoverage } from "~/components/event-coverage.tsx";
import {
  DataTable,
  Empty,
  ExportLink,
  Link,
  link,
  muted,
  Section,
  tableWrap,
  td,
  tr,
} from "~/components/ui.tsx";
import { ms, num, pct } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Row = Outputs["trends"]["latency"][number];
type Probed = Outputs["registries"]["health"]["registries"][number];

/**
 * This ISO week's pulls per registry (the newest week bucket), busiest first, beside how each
 * registry answered the prober's latest round, and how much of it events show.
 */
export function LatencyThisWeek({
  latencyWeek,
  coverage,
  probed = [],
}: {
  latencyWeek: Row[];
  coverage: Outputs["trends"]["coverage"];
  probed?: Probed[];
}) {
  const newestWeek = Math.max(0, ...latencyWeek.map((r) => r.bucket.getTime()));
  const registries = latencyWeek
    .filter((r) => r.bucket.getTime() === newestWeek && r.pulls + r.failures > 0)
    .sort((a, b) => b.pulls - a.pulls);
  return (
    <Section title="Pull latency this week">
      {registries.length === 0 ? (
        <Empty title="No image pulls recorded this week." />
      ) : (
        <>
          <div className="flex justify-end">
            <ExportLink
              href={`/api/export/latency.csv?bucket=week&from=${new Date(newestWeek).toISOString()}`}
            >
              Export CSV
            </ExportLink>
          </div>
          <RegistryTable registries={registries} probed={probed} />
        </>
      )}
      <EventCoverage days={coverage} />
    </Section>
  );
}

function RegistryTable({ registries, probed }: { registries: Row[]; probed: Probed[] }) {
  const right = `${td} text-right tabular-nums`;
  const prober = new Map(probed.map((p) => [p.registry, p.lastRound]));
  return (
    <div className={tableWrap}>
      <DataTable
        caption="Pull latency per registry this ISO week"
        columns={[
          "Registry",
          ["Pulls", "right"],
          ["Failures", "right"],
          ["p50", "right"],
          ["p95", "right"],
          ["Slowest", "right"],
          probed.length > 0 && ["Prober: answered", "right"],
          probed.length > 0 && ["Prober: p95", "right"],
        ]}
      >
        <tbody>
          {registries.map((r) => (
            <tr key={r.registry} className={tr}>
              <th scope="row" className={`${td} font-mono font-normal`}>
                {r.registry}
              </th>
              <td className={right}>{num(r.pulls)}</td>
              <td className={right}>
                {num(r.failures)}
                <span className={`ml-1 text-xs ${muted}`}>
                  ({pct(r.failures / (r.pulls + r.failures), 1)})
                </span>
              </td>
              <td className={right}>
                {r.percentiles === "mean" ? "≈ " : ""}
                {ms(r.p50Ms)}
              </td>
              <td className={right}>
                {r.percentiles === "mean" ? "≈ " : ""}
                {ms(r.p95Ms)}
              </td>
              <td className={right}>{ms(r.maxMs)}</td>
              {probed.length > 0 && <ProberCells round={prober.get(r.registry)} registry={r.registry} />}
            </tr>
          ))}
        </tbody>
      </DataTable>
      {registries.some((r) => r.percentiles === "histogram") && (
        <p className={`px-3 pb-2 text-xs ${muted}`}>
          Percentiles of several days or clusters come from their merged pull-time histograms: within{" "}
          {pct(BUCKET_RESOLUTION, 1)} of the exact value.
        </p>
      )}
      {registries.some((r) => r.percentiles === "mean") && (
        <p className={`px-3 pb-2 text-xs ${muted}`}>
          ≈ includes days recorded before pull-time histograms were kept: a pull-weighted mean of their
          percentiles, not a percentile.
        </p>
      )}
    </div>
  );
}

/** The prober's latest round for a registry: the share of references it answered, and its p95. */
function ProberCells({ round, registry }: { round: Probed["lastRound"] | undefined; registry: string }) {
  const right = `${td} text-right tabular-nums`;
  if (!round)
    return (
      <td colSpan={2} className={`${td} text-right text-xs ${muted}`}>
        not probed
      </td>
    );
  const unanswered = unansweredOf(round.outcomes);
  const share = round.references ? (round.references - unanswered) / round.references : null;
  return (
    <>
      <td className={right}>
        <Link href={`/will-it-pull?registry=${encodeURIComponent(registry)}`} className={link}>
          {share === null ? "–" : pct(share, 0)}
        </Link>
        {round.throttled > 0 && (
          <span className={`ml-1 text-xs ${muted}`}>({num(round.throttled)} × 429)</span>
        )}
      </td>
      <td className={right}>{ms(round.p95Ms)}</td>
    </>
  );
}
