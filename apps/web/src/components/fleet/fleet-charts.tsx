import { BarsChart, type ChartMark, TimeChart } from "~/components/charts.tsx";
import { ScoreTrend } from "~/components/score-trend.tsx";
import { date, num, share } from "~/lib/format.ts";
import { fitDomain, POLICY_COLORS, seriesOf } from "~/lib/series.ts";
import type { Outputs } from "~/server/outputs.ts";

type Posture = Outputs["trends"]["posture"];
type Latency = Outputs["trends"]["latency"];
type Clusters = Outputs["fleet"]["overview"]["clusters"];

/** Containers per pull policy per day, one key per policy seen in the range. */
function policyMixOf(posture: Posture) {
  const names = [...new Set(posture.flatMap((p) => Object.keys(p.byPolicy)))].sort();
  const points = posture.map((p) => ({
    t: p.bucket.getTime(),
    ...Object.fromEntries(names.map((n) => [n, p.byPolicy[n] ?? 0])),
  }));
  return { names, points };
}

/** Failed pulls per day and cause, summed over registries. */
function failuresOf(latency: Latency) {
  const causes = [...new Set(latency.flatMap((r) => Object.keys(r.failuresByCause)))].sort();
  const byDay = new Map<number, Record<string, number>>();
  for (const r of latency) {
    const t = r.bucket.getTime();
    const m = byDay.get(t) ?? Object.fromEntries(causes.map((c) => [c, 0]));
    for (const [c, n] of Object.entries(r.failuresByCause)) m[c] = (m[c] ?? 0) + n;
    byDay.set(t, m);
  }
  const points = [...byDay.entries()].sort((a, b) => a[0] - b[0]).map(([t, m]) => ({ t, ...m }));
  const total = [...byDay.values()].reduce((n, m) => n + Object.values(m).reduce((a, b) => a + b, 0), 0);
  return { causes, points, total };
}

/**
 * A point counts every cluster at its last snapshot up to the point's day, as the cards above do:
 * when the latest day carries clusters not collected in it (a collector behind), say how many.
 */
function carriedNote(latest: Posture[number] | undefined): string {
  if (!latest?.carried) return "";
  const were = latest.carried === 1 ? "was" : "were";
  return ` On the latest day ${latest.carried} of its ${latest.clusters} clusters ${were} not collected; each counts at its last snapshot before it.`;
}

/** The fleet's trends over the page's range and the clusters side by side. */
export function FleetCharts({
  posture,
  latency,
  clusters,
  marks,
}: {
  posture: Posture;
  latency: Latency;
  clusters: Clusters;
  marks: readonly ChartMark[];
}) {
  const latest = posture.at(-1);
  const firstScored = posture.find((p) => p.score !== null);
  const carried = carriedNote(latest);
  const policyMix = policyMixOf(posture);
  const failures = failuresOf(latency);
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <ScoreTrend
        posture={posture}
        marks={marks}
        summary={
          latest?.score != null && firstScored?.score != null
            ? `${firstScored.score}% on ${date(firstScored.bucket)}, ${latest.score}% now.${carried}`
            : "Not enough history yet."
        }
      />
      <TimeChart
        title="Pull policy mix"
        summary={`Containers by imagePullPolicy per day, as shares of the day's total; now ${policyMix.names
          .map((n) => `${n} ${num(latest?.byPolicy[n] ?? 0)}`)
          .join(", ")}.${carried}`}
        data={policyMix.points}
        series={seriesOf(policyMix.names, POLICY_COLORS)}
        format="count"
        kind="area"
        stacked="expand"
      />
      <TimeChart
        title="Digest and pinned-version adoption"
        summary={`Containers referencing their image by digest: ${share(latest?.digestShare)}; by digest or a full version tag: ${share(latest?.pinnedShare)}.${carried}`}
        data={posture.map((p) => ({ t: p.bucket.getTime(), digest: p.digestShare, pinned: p.pinnedShare }))}
        series={[
          { key: "digest", label: "By digest", color: "#059669" },
          { key: "pinned", label: "Digest or full version", color: "#7c3aed", dashed: true },
        ]}
        format="score"
        domain={fitDomain(
          posture.flatMap((p) => [p.digestShare, p.pinnedShare]),
          [0, 100],
        )}
      />
      <TimeChart
        title="Pull failures by cause"
        summary={`Failed pulls per day: ${num(failures.total)} since ${date(failures.points[0] ? new Date(failures.points[0].t) : undefined)}.`}
        data={failures.points}
        series={seriesOf(failures.causes)}
        format="count"
        kind="area"
        stacked="sum"
        clipOutliers
      />
      <BarsChart
        title="Clusters by score"
        summary={clusters.map((c) => `${c.name} ${c.score ?? "–"}%`).join(", ")}
        data={clusters.map((c) => ({ label: c.name, score: c.score ?? 0 }))}
        series={[{ key: "score", label: "Score", color: "#0284c7" }]}
        format="score"
      />
    </div>
  );
}
