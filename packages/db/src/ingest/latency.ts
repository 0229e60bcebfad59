// Daily pull-latency rollups per cluster and registry, recomputed for the days a snapshot touches,
// from that window of events only (the (clusterId, lastTimestamp) index), so charts never scan
// raw history. Pulls are Pulled events that pulled (not "already present"); failures are failed
// attempts (PULL_FAILURE_SQL), counted with their deduplication count.
import { LATENCY_BUCKET_BOUNDS_MS } from "@pullsight/core";
import type { Db } from "../client.ts";
import { FAILED_ATTEMPTS_SQL, PULL_FAILURE_SQL } from "./pull-events.ts";

/**
 * Recomputes the last `days` UTC days up to the cluster's newest event. The window follows the
 * cluster's own clock (event timestamps), not the collector's.
 */
export async function refreshPullLatencyDaily(db: Db, clusterId: number, days = 2): Promise<number> {
  return db.$executeRaw`
    WITH bounds AS (
      SELECT date_trunc('day', MAX("lastTimestamp") AT TIME ZONE 'UTC') - make_interval(days => ${days - 1}) AS day_from
      FROM "PullEvent" WHERE "clusterId" = ${clusterId}
    ),
    ev AS (
      SELECT (e."lastTimestamp" AT TIME ZONE 'UTC')::date AS day, COALESCE(e.registry, 'unknown') AS registry,
        e.reason, e.message, e."alreadyPresent", e."pullDurationMs", e."failureCause", e."count", e.aggregated
      FROM "PullEvent" e, bounds b
      WHERE e."clusterId" = ${clusterId} AND e."lastTimestamp" >= (b.day_from AT TIME ZONE 'UTC')
    ),
    causes AS (
      SELECT day, registry, jsonb_object_agg(cause, n) AS by_cause
      FROM (
        SELECT day, registry, COALESCE("failureCause", 'unknown') AS cause, SUM(${FAILED_ATTEMPTS_SQL})::int AS n
        FROM ev WHERE ${PULL_FAILURE_SQL}
        GROUP BY 1, 2, 3
      ) c GROUP BY 1, 2
    ),
    hist AS (
      SELECT day, registry, jsonb_object_agg(bucket::text, n) AS histogram FROM (
        SELECT day, registry, width_bucket("pullDurationMs", ${LATENCY_BUCKET_BOUNDS_MS as number[]}::float8[]) AS bucket, COUNT(*)::int AS n
        FROM ev WHERE reason = 'Pulled' AND NOT "alreadyPresent" AND "pullDurationMs" IS NOT NULL
        GROUP BY 1, 2, 3
      ) b GROUP BY 1, 2
    ),
    agg AS (
      SELECT day, registry,
        COUNT(*) FILTER (WHERE reason = 'Pulled' AND NOT "alreadyPresent")::int AS pulls,
        COUNT(*) FILTER (WHERE reason = 'Pulled' AND "alreadyPresent")::int AS already,
        COALESCE(SUM(${FAILED_ATTEMPTS_SQL}) FILTER (WHERE ${PULL_FAILURE_SQL}), 0)::int AS failures,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY "pullDurationMs") FILTER (WHERE "pullDurationMs" IS NOT NULL) AS p50,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY "pullDurationMs") FILTER (WHERE "pullDurationMs" IS NOT NULL) AS p95,
        MAX("pullDurationMs") AS max
      FROM ev GROUP BY 1, 2
    )
    INSERT INTO "PullLatencyDaily" ("clusterId", day, registry, pulls, "alreadyPresent", failures, "p50Ms", "p95Ms", "maxMs", "failuresByCause", histogram, "updatedAt")
    SELECT ${clusterId}, a.day, a.registry, a.pulls, a.already, a.failures, a.p50, a.p95, a.max, COALESCE(c.by_cause, '{}'::jsonb),
      COALESCE(h.histogram, '{}'::jsonb), now()
    FROM agg a LEFT JOIN causes c USING (day, registry) LEFT JOIN hist h USING (day, registry)
    ON CONFLICT ("clusterId", day, registry) DO UPDATE SET
      pulls = EXCLUDED.pulls, "alreadyPresent" = EXCLUDED."alreadyPresent", failures = EXCLUDED.failures,
      "p50Ms" = EXCLUDED."p50Ms", "p95Ms" = EXCLUDED."p95Ms", "maxMs" = EXCLUDED."maxMs",
      "failuresByCause" = EXCLUDED."failuresByCause", histogram = EXCLUDED.histogram, "updatedAt" = EXCLUDED."updatedAt"`;
}
