// Trends from the rollups only (PostureRollup per snapshot, PullLatencyDaily per day): compliance
// score, policy mix, digest and pinned-version adoption, pull latency and failures by cause, by
// day or ISO week, for the fleet, a cluster or a namespace. A bucket's value for a cluster is its
// last rollup in that bucket (which rollup compaction keeps: HOURLY_ROLLUP_DAYS). Several clusters'
// values add them up as the fleet's score card does, each at its last known posture: a bucket in
// which some cluster was collected counts a cluster not collected in it at its last rollup before
// (each point says how many clusters it adds up, and how many of them were carried). Rollups are read per cluster on the
// (clusterId, namespace, takenAt) index; the whole fleet's whole buckets are read already added
// up (FleetPosture, fleet-posture.ts).
import { complianceScore, type Histogram, histogramQuantile, mergeHistograms } from "@pullsight/core";
import { z } from "zod";
import { type Db, poolOf } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { type FleetPostureRow, fleetPostureRows, fleetRanges, type PostureCounts } from "./fleet-posture.ts";
import { counts } from "./results.ts";
import { OWNER_SQL } from "./review-groups.ts";

export interface TrendScope {
  cluster?: string;
  /** Needs `cluster`. */
  namespace?: string;
  /** Only clusters with all of these labels. */
  labels?: Record<string, string>;
  /** Only the namespaces this team owns ("(unowned)": those nobody owns), across clusters. */
  team?: string;
}

export interface TrendInput {
  scope?: TrendScope;
  bucket?: "day" | "week";
  from: Date;
  to: Date;
}

type Counts = Record<string, number>;

export const posturePoint = z.object({
  bucket: z.date(),
  /** Clusters added up, and of them those not collected in the bucket (counted at their last rollup before it). */
  clusters: z.number().int(),
  carried: z.number().int(),
  workloads: z.number().int(),
  containers: z.number().int(),
  compliant: z.number().int(),
  score: z.number().nullable(),
  byPolicy: counts,
  byPolicySource: counts,
  byTagKind: counts,
  findingsBySeverity: counts,
  /** Share (0–100) of containers pinned by digest, and by digest or full version. */
  digestShare: z.number().nullable(),
  pinnedShare: z.number().nullable(),
});
export type PosturePoint = z.infer<typeof posturePoint>;

export const latencyPoint = z.object({
  bucket: z.date(),
  cluster: z.string().nullable(),
  registry: z.string(),
  pulls: z.number().int(),
  failures: z.number().int(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  maxMs: z.number().nullable(),
  /**
   * How p50/p95 were computed: "exact" from one day's pulls of one cluster and registry,
   * "histogram" from the merged histograms of several (within one bucket, BUCKET_RESOLUTION), or
   * "mean", a pull-weighted mean of their percentiles, only where a day recorded before histograms
   * existed is among them.
   */
  percentiles: z.enum(["exact", "histogram", "mean"]),
  failuresByCause: counts,
});
export type LatencyPoint = z.infer<typeof latencyPoint>;

const add = (into: Counts, from: unknown) => {
  if (!from || typeof from !== "object") return into;
  for (const [k, v] of Object.entries(from as Counts)) into[k] = (into[k] ?? 0) + Number(v);
  return into;
};
const share = (n: number, total: number) => (total > 0 ? Math.round((n / total) * 1000) / 10 : null);

function clusterWhere(scope: TrendScope | undefined): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (scope?.cluster) parts.push(Prisma.sql`c.name = ${scope.cluster}`);
  for (const [k, v] of Object.entries(scope?.labels ?? {})) parts.push(Prisma.sql`c.labels ->> ${k} = ${v}`);
  return parts.length ? Prisma.sql`AND ${Prisma.join(parts, " AND ")}` : Prisma.empty;
}

/**
 * A cluster's last rollup of a bucket; `bucket` null: its last one before the range, which the
 * range's buckets carry until the cluster is collected in one. `marker`: the cluster was collected
 * in the bucket, but none of its rows is in scope (a team's namespaces it no longer has).
 */
interface RollupRow extends Omit<PostureCounts, "bucket"> {
  bucket: Date | null;
  clusterId: number;
  marker?: boolean;
}

/**
 * A statement's rows read through the pg pool under `db`: Prisma's raw path converts every value
 * of every row once more, which for a year of rollups (thousands of rows of four jsonb maps) cost
 * more than the statement.
 */
async function pooledRows<T>(db: Db, sql: Prisma.Sql): Promise<T[]> {
  return (await poolOf(db).query(sql.text, sql.values as unknown[])).rows as T[];
}

/** The rollup of each cluster in scope that is the last one of each bucket of the range, by its snapshot. */
function lastOfBuckets(
  input: TrendInput,
  bucket: Prisma.Sql,
  namespace: string,
  columns: Prisma.Sql,
): Prisma.Sql {
  return Prisma.sql`
    SELECT DISTINCT ON (r."clusterId", 1)
      (date_trunc(${bucket}, r."takenAt" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS bucket, ${columns}
    FROM "Cluster" c CROSS JOIN LATERAL (
      SELECT * FROM "PostureRollup"
      WHERE "clusterId" = c.id AND namespace = ${namespace} AND "takenAt" >= ${input.from} AND "takenAt" < ${input.to}
    ) r
    WHERE true ${clusterWhere(input.scope)}
    ORDER BY r."clusterId", 1, r."takenAt" DESC, r."snapshotId" DESC`;
}

/** The last rollup before the range of each cluster in scope (bucket null). */
function lastBefore(input: TrendInput, namespace: string, columns: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT NULL::timestamptz AS bucket, ${columns}
    FROM "Cluster" c CROSS JOIN LATERAL (
      SELECT * FROM "PostureRollup"
      WHERE "clusterId" = c.id AND namespace = ${namespace} AND "takenAt" < ${input.from}
      ORDER BY "takenAt" DESC, "snapshotId" DESC LIMIT 1
    ) r
    WHERE true ${clusterWhere(input.scope)}`;
}

const COUNT_COLUMNS = Prisma.sql`r."clusterId", r.workloads, r.containers, r.compliant, r."byPolicy", r."byPolicySource",
  r."byTagKind", r."findingsBySeverity"`;

/**
 * Each cluster's last rollup per bucket, of the cluster or of one of its namespaces. Several
 * clusters also bring their last rollup before the range, to be carried; one cluster has a point
 * only where it was collected, so it needs none.
 */
function clusterRollups(db: Db, input: TrendInput, bucket: Prisma.Sql): Promise<RollupRow[]> {
  const namespace = input.scope?.cluster && input.scope.namespace ? input.scope.namespace : "";
  const inRange = lastOfBuckets(input, bucket, namespace, COUNT_COLUMNS);
  if (input.scope?.cluster) return pooledRows<RollupRow>(db, inRange);
  return pooledRows<RollupRow>(
    db,
    Prisma.sql`(${inRange}) UNION ALL (${lastBefore(input, namespace, COUNT_COLUMNS)})`,
  );
}

/**
 * A team's namespaces' rollups of each cluster's last snapshot per bucket (a row per namespace,
 * or a marker row when the snapshot has none of them), and of its last snapshot before the range.
 */
function teamRollups(db: Db, input: TrendInput, bucket: Prisma.Sql, team: string): Promise<RollupRow[]> {
  const snapshot = Prisma.sql`r."clusterId", r."snapshotId"`;
  return pooledRows<RollupRow>(
    db,
    Prisma.sql`
    SELECT l.bucket, l."clusterId", t.namespace IS NULL AS marker, COALESCE(t.workloads, 0) AS workloads,
      COALESCE(t.containers, 0) AS containers, COALESCE(t.compliant, 0) AS compliant, t."byPolicy",
      t."byPolicySource", t."byTagKind", t."findingsBySeverity"
    FROM ((${lastOfBuckets(input, bucket, "", snapshot)}) UNION ALL (${lastBefore(input, "", snapshot)})) l
    LEFT JOIN LATERAL (
      SELECT r.* FROM "PostureRollup" r
      LEFT JOIN "Namespace" n ON n."clusterId" = r."clusterId" AND n.name = r.namespace
      WHERE r."snapshotId" = l."snapshotId" AND r.namespace <> '' AND ${OWNER_SQL} = ${team}
    ) t ON true`,
  );
}

/** Adds one rollup (or one fleet bucket) to its point. */
function addUp(p: PosturePoint, r: Omit<PostureCounts, "bucket">): PosturePoint {
  p.workloads += r.workloads;
  p.containers += r.containers;
  p.compliant += r.compliant;
  add(p.byPolicy, r.byPolicy);
  add(p.byPolicySource, r.byPolicySource);
  add(p.byTagKind, r.byTagKind);
  add(p.findingsBySeverity, r.findingsBySeverity);
  return p;
}

/** The rows of a trend: per cluster, or (the whole fleet) whole buckets already added up and the partial ones at either end per cluster. */
async function postureRows(
  db: Db,
  input: TrendInput,
): Promise<{ rollups: RollupRow[][]; fleet: FleetPostureRow[] }> {
  const kind = input.bucket === "week" ? "week" : "day";
  const bucket = Prisma.raw(`'${kind}'`);
  const scope = input.scope ?? {};
  if (scope.team) return { rollups: [await teamRollups(db, input, bucket, scope.team)], fleet: [] };
  const fleetWide = !scope.cluster && !scope.namespace && Object.keys(scope.labels ?? {}).length === 0;
  const ranges = fleetWide ? fleetRanges(kind, input.from, input.to) : null;
  if (!ranges) return { rollups: [await clusterRollups(db, input, bucket)], fleet: [] };
  const [fleet, ...edges] = await Promise.all([
    fleetPostureRows(db, kind, ranges.whole),
    ...ranges.partial.map((r) => clusterRollups(db, { ...input, ...r }, bucket)),
  ]);
  return { rollups: edges, fleet };
}

function emptyPoint(bucket: Date): PosturePoint {
  return {
    bucket,
    clusters: 0,
    carried: 0,
    workloads: 0,
    containers: 0,
    compliant: 0,
    score: null,
    byPolicy: {},
    byPolicySource: {},
    byTagKind: {},
    findingsBySeverity: {},
    digestShare: null,
    pinnedShare: null,
  };
}

/**
 * Adds up one range's rollups read per cluster, as FleetPosture does the fleet's: a bucket in
 * which some cluster was collected counts every cluster at its last rollup up to the bucket,
 * carried when the cluster was not collected in it.
 */
function addUpCarried(rows: readonly RollupRow[], pointOf: (bucket: number) => PosturePoint) {
  const buckets = [...new Set(rows.flatMap((r) => (r.bucket ? [r.bucket.getTime()] : [])))].sort(
    (a, b) => a - b,
  );
  const byCluster = new Map<number, Map<number, RollupRow[]>>();
  for (const r of rows) {
    const own = byCluster.get(r.clusterId) ?? new Map<number, RollupRow[]>();
    byCluster.set(r.clusterId, own);
    const key = r.bucket ? r.bucket.getTime() : Number.NEGATIVE_INFINITY;
    const rowsOfBucket = own.get(key) ?? [];
    rowsOfBucket.push(r);
    own.set(key, rowsOfBucket);
  }
  for (const own of byCluster.values()) {
    let last = own.get(Number.NEGATIVE_INFINITY);
    for (const bucket of buckets) {
      const collected = own.get(bucket);
      last = collected ?? last;
      const counted = last?.filter((r) => !r.marker) ?? [];
      if (counted.length === 0) continue;
      const p = pointOf(bucket);
      for (const r of counted) addUp(p, r);
      p.clusters += 1;
      if (!collected) p.carried += 1;
    }
  }
}

export async function getPostureTrend(db: Db, input: TrendInput): Promise<PosturePoint[]> {
  const { rollups, fleet } = await postureRows(db, input);
  const points = new Map<number, PosturePoint>();
  const pointOf = (bucket: number) => {
    const p = points.get(bucket) ?? emptyPoint(new Date(bucket));
    points.set(bucket, p);
    return p;
  };
  for (const r of fleet)
    Object.assign(addUp(pointOf(r.bucket.getTime()), r), { clusters: r.clusters, carried: r.carried });
  for (const range of rollups) addUpCarried(range, pointOf);
  return [...points.values()]
    .sort((a, b) => a.bucket.getTime() - b.bucket.getTime())
    .map((p) => ({
      ...p,
      score: complianceScore(p.compliant, p.containers),
      digestShare: share(p.byTagKind.digest ?? 0, p.containers),
      pinnedShare: share((p.byTagKind.digest ?? 0) + (p.byTagKind["full-version"] ?? 0), p.containers),
    }));
}

/**
 * One day's exact percentiles (also when the other days of the bucket pulled nothing); several
 * days' from their merged histograms, never above the slowest pull (a bucket's upper part may lie
 * beyond it); a pull-weighted mean where days recorded before histograms are among them.
 */
function percentilesOf(r: {
  pulled: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
  histograms: Histogram[];
  unbinned: number;
}) {
  // With one day that pulled, the weighted means are that day's own percentiles.
  if (r.pulled <= 1) return { p50Ms: r.p50, p95Ms: r.p95, percentiles: "exact" as const };
  if (r.unbinned > 0) return { p50Ms: r.p50, p95Ms: r.p95, percentiles: "mean" as const };
  const merged = mergeHistograms(r.histograms);
  const atMost = (v: number | null) => (v === null || r.max === null ? v : Math.min(v, r.max));
  return {
    p50Ms: atMost(histogramQuantile(merged, 0.5)),
    p95Ms: atMost(histogramQuantile(merged, 0.95)),
    percentiles: "histogram" as const,
  };
}

/** Pull latency and failures per bucket and registry (and cluster, when `byCluster`). */
export async function getLatencyTrend(
  db: Db,
  input: TrendInput & { byCluster?: boolean; registry?: string },
): Promise<LatencyPoint[]> {
  const bucket = Prisma.raw(input.bucket === "week" ? "'week'" : "'day'");
  const clusterCol = input.byCluster ? Prisma.sql`c.name` : Prisma.sql`NULL::text`;
  const rows = await db.$queryRaw<
    Array<{
      bucket: Date;
      cluster: string | null;
      registry: string;
      pulls: number;
      failures: number;
      rows: number;
      p50: number | null;
      p95: number | null;
      max: number | null;
      causes: unknown[];
      histograms: Histogram[];
      unbinned: number;
      pulled: number;
    }>
  >`
    SELECT (date_trunc(${bucket}, d.day::timestamp) AT TIME ZONE 'UTC') AS bucket, ${clusterCol} AS cluster, d.registry,
      SUM(d.pulls)::int AS pulls, SUM(d.failures)::int AS failures, COUNT(*)::int AS rows,
      SUM(d."p50Ms" * d.pulls) FILTER (WHERE d."p50Ms" IS NOT NULL) / NULLIF(SUM(d.pulls) FILTER (WHERE d."p50Ms" IS NOT NULL), 0) AS p50,
      SUM(d."p95Ms" * d.pulls) FILTER (WHERE d."p95Ms" IS NOT NULL) / NULLIF(SUM(d.pulls) FILTER (WHERE d."p95Ms" IS NOT NULL), 0) AS p95,
      MAX(d."maxMs") AS max,
      array_agg(d."failuresByCause") AS causes,
      array_agg(d.histogram) AS histograms,
      COUNT(*) FILTER (WHERE d.pulls > 0 AND d.histogram = '{}'::jsonb)::int AS unbinned,
      COUNT(*) FILTER (WHERE d.pulls > 0)::int AS pulled
    FROM "PullLatencyDaily" d JOIN "Cluster" c ON c.id = d."clusterId"
    WHERE d.day >= ${input.from}::date AND d.day < ${input.to}::date
      ${clusterWhere(input.scope)} ${input.registry ? Prisma.sql`AND d.registry = ${input.registry}` : Prisma.empty}
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3`;
  return rows.map((r) => ({
    bucket: r.bucket,
    cluster: r.cluster,
    registry: r.registry,
    pulls: r.pulls,
    failures: r.failures,
    ...percentilesOf(r),
    maxMs: r.max,
    failuresByCause: r.causes.reduce<Counts>((m, c) => add(m, c), {}),
  }));
}

export const coveragePoint = z.object({
  day: z.date(),
  /** Container starts seen in pod status, and those whose kubelet Pulled event is stored. */
  containerStarts: z.number().int(),
  startsWithPullEvent: z.number().int(),
  /** Containers waiting on a failed pull at the day's latest snapshot, and those with a failure event of the hour before it. */
  failingContainers: z.number().int(),
  failingWithEvent: z.number().int(),
  /** Stored events client-go's aggregator combined, and the occurrences their counts claim. */
  aggregatedEvents: z.number().int(),
  aggregatedOccurrences: z.number().int(),
});
export type CoveragePoint = z.infer<typeof coveragePoint>;

/** Event coverage per UTC day, summed over the clusters in scope: the data-quality flag of pull figures. */
export async function getEventCoverage(
  db: Db,
  input: { scope?: TrendScope; from: Date; to: Date },
): Promise<CoveragePoint[]> {
  return db.$queryRaw<CoveragePoint[]>`
    SELECT (d.day::timestamp AT TIME ZONE 'UTC') AS day,
      SUM(d."containerStarts")::int AS "containerStarts", SUM(d."startsWithPullEvent")::int AS "startsWithPullEvent",
      SUM(d."failingContainers")::int AS "failingContainers", SUM(d."failingWithEvent")::int AS "failingWithEvent",
      SUM(d."aggregatedEvents")::int AS "aggregatedEvents", SUM(d."aggregatedOccurrences")::int AS "aggregatedOccurrences"
    FROM "EventCoverageDaily" d JOIN "Cluster" c ON c.id = d."clusterId"
    WHERE d.day >= ${input.from}::date AND d.day < ${input.to}::date ${clusterWhere(input.scope)}
    GROUP BY 1 ORDER BY 1`;
}
