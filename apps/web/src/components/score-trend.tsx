import { type ChartMark, TimeChart } from "~/components/charts.tsx";
import { fitDomain } from "~/lib/series.ts";
import type { Outputs } from "~/server/outputs.ts";

/** The compliance score per day, on an axis that fits it (the fleet's and a cluster's trend). */
export function ScoreTrend({
  posture,
  summary,
  height,
  marks = [],
}: {
  posture: Outputs["trends"]["posture"];
  summary: string;
  height?: number;
  /** What happened on the days the score moved (rollouts, tags that moved, incidents, waivers, sign-offs). */
  marks?: readonly ChartMark[];
}) {
  return (
    <TimeChart
      title="Compliance score"
      summary={summary}
      data={posture.map((p) => ({ t: p.bucket.getTime(), score: p.score }))}
      series={[{ key: "score", label: "Score", color: "#0284c7" }]}
      format="score"
      domain={fitDomain(
        posture.map((p) => p.score),
        [0, 100],
      )}
      {...(height ? { height } : {})}
      marks={marks}
    />
  );
}
