// Pull statistics over a recent window, as rule inputs: per registry (is it slow, failing,
// rate-limiting?) and per image (are its pulls slow?). The window ends at the cluster's newest
// event, so it follows the cluster's clock.
import type { FailureCause, PullStats } from "@pullsight/core";
import type { Db } from "../client.ts";
import { FAILED_ATTEMPTS_SQL, PULL_FAILURE_SQL } from "../ingest/pull-events.ts";

/** Core's pull statistics, as the rules read them. */
export type PullStatsRow = PullStats;

export interface ClusterPullStats {
  byRegistry: Map<string, PullStatsRow>;
  byImage: Map<string, PullStatsRow>;
}

interface Row {
  scope: "registry" | "image";
  key: string;
  pulls: number;
  failures: number;
  by_cause: Record<string, number> | null;
  p50: number | null;
  p95: number | null;
}

export async function getClusterPullStats(
  db: Db,
  clusterName: string,
  windowHours = 24,
): Promise<ClusterPullStats> {
  const rows = await db.$queryRaw<Row[]>`
    WITH c AS (SELECT id FROM "Cluster" WHERE name = ${clusterName}),
    ev AS (
      SELECT e.* FROM "PullEvent" e, c
      WHERE e."clusterId" = c.id
        AND e."lastTimestamp" >= (SELECT MAX("lastTimestamp") FROM "PullEvent" WHERE "clusterId" = c.id) - make_interval(hours => ${windowHours})
    ),
    keyed AS (
      SELECT 'registry' AS scope, COALESCE(registry, 'unknown') AS key, * FROM ev
      UNION ALL
      SELECT 'image' AS scope, image AS key, * FROM ev WHERE image IS NOT NULL
    ),
    causes AS (
      SELECT scope, key, jsonb_object_agg(cause, n) AS by_cause FROM (
        SELECT scope, key, COALESCE("failureCause", 'unknown') AS cause, SUM(${FAILED_ATTEMPTS_SQL})::int AS n
        FROM keyed WHERE ${PULL_FAILURE_SQL} GROUP BY 1, 2, 3
      ) x GROUP BY 1, 2
    )
    SELECT k.scope, k.key,
      (COUNT(*) FILTER (WHERE reason = 'Pulled' AND NOT "alreadyPresent"))::int AS pulls,
      (COALESCE(SUM(${FAILED_ATTEMPTS_SQL}) FILTER (WHERE ${PULL_FAILURE_SQL}), 0))::int AS failures,
      c.by_cause,
      (percentile_cont(0.5) WITHIN GROUP (ORDER BY "pullDurationMs") FILTER (WHERE "pullDurationMs" IS NOT NULL)) / 1000 AS p50,
      (percentile_cont(0.95) WITHIN GROUP (ORDER BY "pullDurationMs") FILTER (WHERE "pullDurationMs" IS NOT NULL)) / 1000 AS p95
    FROM keyed k LEFT JOIN causes c USING (scope, key)
    GROUP BY k.scope, k.key, c.by_cause`;
  const out: ClusterPullStats = { byRegistry: new Map(), byImage: new Map() };
  for (const r of rows) {
    const stats: PullStats = {
      pulls: r.pulls,
      p50Seconds: r.p50,
      p95Seconds: r.p95,
      failures: r.failures,
      // Stored causes are core's FailureCause values (classifyPullFailure wrote them).
      failuresByCause: (r.by_cause ?? {}) as Partial<Record<FailureCause, number>>,
    };
    (r.scope === "registry" ? out.byRegistry : out.byImage).set(r.key, stats);
  }
  return out;
}

/** Event reasons that record a pull that did not produce a running image. */
/** Kubelet event reasons that tell of a failing pull (a failed attempt, a back-off, a refusal). */
export const FAILURE_REASONS = ["Failed", "BackOff", "ErrImageNeverPull", "InspectFailed"];

/** Key of failureStarts: namespace, pod and container ("" when the event named no container). */
export const podContainerKey = (namespace: string, pod: string, container: string | null) =>
  `${namespace}\u0000${pod}\u0000${container ?? ""}`;

/**
 * Key of failureStarts for the pod-level pulls of one image: the kubelet pulls image volumes for
 * the pod, not for a container, so their events name no container, only the image.
 */
export const podImageKey = (namespace: string, pod: string, image: string) =>
  `${podContainerKey(namespace, pod, null)}\u0000${image}`;

/** What stored events say of one container's failing pulls. */
export interface PullFailureStart {
  /** The first failed pull (an aggregated event's firstTimestamp is its first occurrence). */
  first: Date;
  /** The cause of the latest failed attempt, where an event recorded one. */
  cause: FailureCause | null;
  /** The latest failure event's last occurrence: whether events still tell about it. */
  last: Date;
}

interface FailureRow {
  namespace: string;
  pod: string;
  container: string | null;
  image: string | null;
  first: Date;
  last: Date;
  cause: string | null;
}

/** Two spans of failures of one key as one: the earliest start, and the cause of the latest. */
function merged(a: PullFailureStart | undefined, b: PullFailureStart): PullFailureStart {
  if (!a) return b;
  const latest = b.last > a.last ? b : a;
  const first = new Date(Math.min(a.first.getTime(), b.first.getTime()));
  return { first, last: latest.last, cause: latest.cause ?? null };
}

/**
 * When each of these pods' containers first failed to pull, and why the latest attempt failed,
 * from stored kubelet events: the start and, where pod status names no cause (a back-off before
 * 1.32), the cause of a pull failure a snapshot sees in pod status. Events that name no container
 * are also kept per image (`podImageKey`): an image volume's. Pods without a stored failure event
 * are absent.
 */
export async function getPullFailureStarts(
  db: Db,
  clusterName: string,
  pods: ReadonlyArray<{ namespace: string; pod: string }>,
): Promise<Map<string, PullFailureStart>> {
  if (!pods.length) return new Map();
  const rows = await db.$queryRaw<FailureRow[]>`
    SELECT e.namespace, e."podName" AS pod, e."containerName" AS container,
      CASE WHEN e."containerName" IS NULL THEN e.image END AS image,
      MIN(e."firstTimestamp") AS first, MAX(e."lastTimestamp") AS last,
      (array_agg(e."failureCause" ORDER BY e."lastTimestamp" DESC) FILTER (WHERE ${PULL_FAILURE_SQL}))[1] AS cause
    FROM "PullEvent" e
    JOIN "Cluster" c ON c.id = e."clusterId"
    JOIN unnest(${pods.map((p) => p.namespace)}::text[], ${pods.map((p) => p.pod)}::text[]) AS p(namespace, pod)
      ON e.namespace = p.namespace AND e."podName" = p.pod
    WHERE c.name = ${clusterName} AND e.reason = ANY(${FAILURE_REASONS}::text[])
    GROUP BY 1, 2, 3, 4`;
  const out = new Map<string, PullFailureStart>();
  for (const r of rows) {
    // Stored causes are core's FailureCause values (classifyPullFailure wrote them).
    const start = { first: r.first, last: r.last, cause: (r.cause as FailureCause | null) ?? null };
    const key = podContainerKey(r.namespace, r.pod, r.container);
    out.set(key, merged(out.get(key), start));
    if (r.image !== null) out.set(podImageKey(r.namespace, r.pod, r.image), start);
  }
  return out;
}
