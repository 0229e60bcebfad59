// Trends from the rollups only (PostureRollup per snapshot, PullLatencyDaily per day): compliance
// score, policy mix, digest and pinned-version adoption, pull latency and failures by cause, by
// day or ISO week, for the fleet, a cluster or a namespace. A bucket's value for a cluster is its
// last rollup in that bucket (which rollup compaction keeps: HOURLY_ROLLUP_DAYS); fleet values add
// the clusters up (each point says how many). Rollups are read per cluster on the
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
  clusters: z.number().int(),
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

/** A cluster's last rollup of a bucket. */
interface RollupRow extends PostureCounts {
  clusterId: number;
}

/**
 * A statement's rows read through the pg pool under `db`: Prisma's raw path converts every value
 * of every row once more, which for a year of rollups (thousands of rows of four jsonb maps) cost
 * more than the statement.
 */
async function pooledRows<T>(db: Db, sql: Prisma.Sql): Promise<T[]> {
  return (await poolOf(db).query(sql.text, sql.values as unknown[])).rows as T[];
}

/** Each cluster's last rollup per bucket: of the cluster, or of one of its namespaces. */
function clusterRollups(db: Db, input: TrendInput, bucket: Prisma.Sql): Promise<RollupRow[]> {
  const namespace = input.scope?.cluster && input.scope.namespace ? input.scope.namespace : "";
  return pooledRows<RollupRow>(
    db,
    Prisma.sql`
    SELECT DISTINCT ON (r."clusterId", 1)
      (date_trunc(${bucket}, r."takenAt" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS bucket, r."clusterId",
      r.workloads, r.containers, r.compliant, r."byPolicy", r."byPolicySource", r."byTagKind", r."findingsBySeverity"
    FROM "Cluster" c CROSS JOIN LATERAL (
      SELECT * FROM "PostureRollup"
      WHERE "clusterId" = c.id AND namespace = ${namespace} AND "takenAt" >= ${input.from} AND "takenAt" < ${input.to}
    ) r
    WHERE true ${clusterWhere(input.scope)}
    ORDER BY r."clusterId", 1, r."takenAt" DESC, r."snapshotId" DESC`,
  );
}

/** A team's namespaces' rollups of each cluster's last snapshot per bucket (a row per namespace). */
function teamRollups(db: Db, input: TrendInput, bucket: Prisma.Sql, team: string): Promise<RollupRow[]> {
  return pooledRows<RollupRow>(
    db,
    Prisma.sql`
    SELECT l.bucket, r."clusterId", r.workloads, r.containers, r.compliant, r."byPolicy", r."byPolicySource",
      r."byTagKind", r."findingsBySeverity"
    FROM (
      SELECT DISTINCT ON (r0."clusterId", 1)
        (date_trunc(${bucket}, r0."takenAt" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS bucket, r0."snapshotId"
      FROM "Cluster" c CROSS JOIN LATERAL (
        SELECT "clusterId", "snapshotId", "takenAt" FROM "PostureRollup"
        WHERE "clusterId" = c.id AND namespace = '' AND "takenAt" >= ${input.from} AND "takenAt" < ${input.to}
      ) r0
      WHERE true ${clusterWhere(input.scope)}
      ORDER BY r0."clusterId", 1, r0."takenAt" DESC, r0."snapshotId" DESC
    ) l
    JOIN "PostureRollup" r ON r."snapshotId" = l."snapshotId" AND r.namespace <> ''
    LEFT JOIN "Namespace" n ON n."clusterId" = r."clusterId" AND n.name = r.namespace
    WHERE ${OWNER_SQL} = ${team}`,
  );
}

/** Adds one rollup (or one fleet bucket) to its point. */
function addUp(p: PosturePoint, r: PostureCounts): PosturePoint {
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
): Promise<{ rollups: RollupRow[]; fleet: FleetPostureRow[] }> {
  const kind = input.bucket === "week" ? "week" : "day";
  const bucket = Prisma.raw(`'${kind}'`);
  const scope = input.scope ?? {};
  if (scope.team) return { rollups: await teamRollups(db, input, bucket, scope.team), fleet: [] };
  const fleetWide = !scope.cluster && !scope.namespace && Object.keys(scope.labels ?? {}).length === 0;
  const ranges = fleetWide ? fleetRanges(kind, input.from, input.to) : null;
  if (!ranges) return { rollups: await clusterRollups(db, input, bucket), fleet: [] };
  const [fleet, ...edges] = await Promise.all([
    fleetPostureRows(db, kind, ranges.whole),
    ...ranges.partial.map((r) => clusterRollups(db, { ...input, ...r }, bucket)),
  ]);
  return { rollups: edges.flat(), fleet };
}

export async function getPostureTrend(db: Db, input: TrendInput): Promise<PosturePoint[]> {
  const { rollups, fleet } = await postureRows(db, input);
  const clustersOf = new Map<number, Set<number>>();
  const points = new Map<number, PosturePoint>();
  const pointOf = (bucket: Date) => {
    const key = bucket.getTime();
    let p = points.get(key);
    if (!p) {
      p = {
        bucket,
        clusters: 0,
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
      points.set(key, p);
    }
    return p;
  };
  for (const r of fleet) addUp(pointOf(r.bucket), r).clusters = r.clusters;
  for (const r of rollups) {
    const key = r.bucket.getTime();
    const seen = clustersOf.get(key) ?? new Set<number>();
    seen.add(r.clusterId);
    clustersOf.set(key, seen);
    addUp(pointOf(r.bucket), r).clusters = seen.size;
  }
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
