// Event coverage per cluster and UTC day: how many container starts seen in pod status have the
// kubelet's Pulled event stored, how many containers failing to pull have a failure event, and
// how many stored events client-go's aggregator rewrote. Kubelet events are aggregated,
// rate-limited per object and expire after an hour, so every pull figure is a sample; this is
// the size of the sample.
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";

export interface ContainerStart {
  namespace: string;
  pod: string;
  container: string;
  startedAt: Date;
}

export interface CoverageInput {
  /** Container starts after the watermark and up to `coveredUntil`, each counted once. */
  starts: readonly ContainerStart[];
  coveredUntil: Date;
  /** Containers waiting on a failed pull at this snapshot, and those with a stored failure event. */
  failing: number;
  failingWithEvent: number;
  /** The snapshot's time: the day its failing containers are counted for. */
  at: Date;
}

/** Up to when container starts have been counted for this cluster; null before the first time. */
export async function coverageWatermark(db: Db, clusterId: number): Promise<Date | null> {
  const [row] = await db.$queryRaw<Array<{ until: Date | null }>>`
    SELECT MAX("coveredUntil") AS until FROM "EventCoverageDaily" WHERE "clusterId" = ${clusterId}`;
  return row?.until ?? null;
}

// A Pulled event belongs to a start when the kubelet emitted it just before: the pull ends (or
// the cache is found) and the container starts within moments. A deduplicated "already present"
// event spans every restart, so its first occurrence is before the start and its last after.
const MATCHING_PULLED = Prisma.sql`
  EXISTS (SELECT 1 FROM "PullEvent" e
    WHERE e."clusterId" = s.cluster AND e.namespace = s.namespace AND e."podName" = s.pod
      AND (e."containerName" = s.container OR e."containerName" IS NULL) AND e.reason = 'Pulled'
      AND e."firstTimestamp" <= s.started + interval '1 minute'
      AND e."lastTimestamp" >= s.started - interval '15 minutes')`;

/** Adds this snapshot's starts and sets today's failing containers; refreshes aggregated counts. */
export async function recordEventCoverage(db: Db, clusterId: number, input: CoverageInput): Promise<void> {
  const { starts } = input;
  await db.$transaction([
    db.$executeRaw`
      WITH s AS (
        SELECT ${clusterId}::int AS cluster, u.namespace, u.pod, u.container, u.started
        FROM unnest(${starts.map((x) => x.namespace)}::text[], ${starts.map((x) => x.pod)}::text[],
          ${starts.map((x) => x.container)}::text[], ${starts.map((x) => x.startedAt)}::timestamptz[])
          AS u(namespace, pod, container, started)
      ),
      days AS (
        SELECT (s.started AT TIME ZONE 'UTC')::date AS day, COUNT(*)::int AS starts,
          (COUNT(*) FILTER (WHERE ${MATCHING_PULLED}))::int AS covered
        FROM s GROUP BY 1
        UNION ALL SELECT (${input.coveredUntil}::timestamptz AT TIME ZONE 'UTC')::date, 0, 0
      )
      INSERT INTO "EventCoverageDaily" ("clusterId", day, "containerStarts", "startsWithPullEvent", "coveredUntil", "updatedAt")
      SELECT ${clusterId}, day, SUM(starts), SUM(covered), ${input.coveredUntil}, now() FROM days GROUP BY day
      ON CONFLICT ("clusterId", day) DO UPDATE SET
        "containerStarts" = "EventCoverageDaily"."containerStarts" + EXCLUDED."containerStarts",
        "startsWithPullEvent" = "EventCoverageDaily"."startsWithPullEvent" + EXCLUDED."startsWithPullEvent",
        "coveredUntil" = GREATEST("EventCoverageDaily"."coveredUntil", EXCLUDED."coveredUntil"),
        "updatedAt" = now()`,
    db.$executeRaw`
      INSERT INTO "EventCoverageDaily" ("clusterId", day, "failingContainers", "failingWithEvent", "updatedAt")
      VALUES (${clusterId}, (${input.at}::timestamptz AT TIME ZONE 'UTC')::date, ${input.failing}, ${input.failingWithEvent}, now())
      ON CONFLICT ("clusterId", day) DO UPDATE SET
        "failingContainers" = EXCLUDED."failingContainers", "failingWithEvent" = EXCLUDED."failingWithEvent",
        "updatedAt" = now()`,
    refreshAggregated(db, clusterId),
  ]);
}

/** Aggregated events and the occurrences they stand for, on the cluster's last two event days. */
function refreshAggregated(db: Db, clusterId: number) {
  return db.$executeRaw`
    WITH bounds AS (
      SELECT date_trunc('day', MAX("lastTimestamp") AT TIME ZONE 'UTC') - interval '1 day' AS day_from
      FROM "PullEvent" WHERE "clusterId" = ${clusterId}
    ),
    agg AS (
      SELECT (e."lastTimestamp" AT TIME ZONE 'UTC')::date AS day, COUNT(*)::int AS events, SUM(e."count")::int AS occurrences
      FROM "PullEvent" e, bounds b
      WHERE e."clusterId" = ${clusterId} AND e.aggregated AND e."lastTimestamp" >= (b.day_from AT TIME ZONE 'UTC')
      GROUP BY 1
    )
    INSERT INTO "EventCoverageDaily" ("clusterId", day, "aggregatedEvents", "aggregatedOccurrences", "updatedAt")
    SELECT ${clusterId}, day, events, occurrences, now() FROM agg
    ON CONFLICT ("clusterId", day) DO UPDATE SET
      "aggregatedEvents" = EXCLUDED."aggregatedEvents", "aggregatedOccurrences" = EXCLUDED."aggregatedOccurrences",
      "updatedAt" = now()`;
}
