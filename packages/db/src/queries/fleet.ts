// The fleet at a glance: every cluster with its last snapshot's status, score and grade, and
// fleet totals. Scores come from each cluster's newest whole-cluster rollup (never from raw
// history); a cluster whose last snapshot failed keeps its last known score, marked as such.
import { complianceScore, gradeFor, SEVERITIES_MOST_SEVERE_FIRST, type Severity } from "@pullsight/core";
import { z } from "zod";
import { type Db, poolOf } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { countOpenFindings, emptyFindingCounts } from "./open-counts.ts";
import {
  type FindingCounts,
  findingCounts,
  grade,
  labelMap,
  type SnapshotStatusName,
  snapshotStatus,
} from "./results.ts";

export const SEVERITY_NAMES: readonly Severity[] = SEVERITIES_MOST_SEVERE_FIRST;

export const clusterSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  labels: labelMap,
  kubernetesVersion: z.string().nullable(),
  lastSnapshotId: z.bigint().nullable(),
  lastSnapshotAt: z.date().nullable(),
  lastSnapshotStatus: snapshotStatus.nullable(),
  lastSnapshotFailures: z.number().int(),
  /** Kind and reason of each failure of the last snapshot. */
  failures: z.array(z.object({ kind: z.string(), reason: z.string() })),
  /** True when the last snapshot is older than the freshness limit (or there is none). */
  stale: z.boolean(),
  workloads: z.number().int(),
  containers: z.number().int(),
  compliant: z.number().int(),
  score: z.number().nullable(),
  grade: grade.nullable(),
  /** When the score was measured (a failed last snapshot leaves the previous one's). */
  scoredAt: z.date().nullable(),
  findings: findingCounts,
});
export type ClusterSummary = z.infer<typeof clusterSummary>;

export const fleetOverviewResult = z.object({
  clusters: z.array(clusterSummary),
  totals: z.object({
    clusters: z.number().int(),
    workloads: z.number().int(),
    containers: z.number().int(),
    compliant: z.number().int(),
    score: z.number().nullable(),
    grade: grade.nullable(),
    openFindings: z.number().int(),
    findings: findingCounts,
  }),
  /** Newest finished snapshot anywhere in the fleet; null when nothing was ever collected. */
  lastCollectedAt: z.date().nullable(),
  /** Clusters whose data is not whole: last snapshot partial, failed, never taken, or stale. */
  incomplete: z.array(z.object({ name: z.string(), status: snapshotStatus.nullable(), stale: z.boolean() })),
});
export type FleetOverview = z.infer<typeof fleetOverviewResult>;

export interface FleetOptions {
  now?: Date;
  /** A last snapshot older than this is stale (default 2 hours). */
  staleAfterMs?: number;
  /** Only clusters with all of these labels. */
  labels?: Record<string, string>;
  /** Only these clusters. */
  names?: string[];
  /** Only these clusters, by id (their finding counts are then read alongside). */
  clusterIds?: number[];
}

/** Open findings per cluster (of `clusterIds`, or every one) by severity, split into waived and not, at `now`. */
export async function openFindingCounts(
  db: Db,
  now: Date,
  clusterIds?: readonly number[],
): Promise<Map<number, FindingCounts>> {
  const byKey = await countOpenFindings(db, now, "cluster", clusterIds ? { clusterIds } : {});
  return new Map([...byKey].map(([key, counts]) => [Number(key), counts]));
}

export function addFindingCounts(into: FindingCounts, add: FindingCounts): FindingCounts {
  for (const s of SEVERITY_NAMES) into.bySeverity[s] += add.bySeverity[s];
  into.open += add.open;
  into.waived += add.waived;
  into.grouped += add.grouped;
  return into;
}

const labelsOf = (v: unknown): Record<string, string> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, string>) : {};

interface ClusterRow {
  id: number;
  name: string;
  labels: unknown;
  kubernetesVersion: string | null;
  lastSnapshotId: string | null;
  lastSnapshotAt: Date | null;
  status: SnapshotStatusName | null;
  failures: unknown;
  workloads: number;
  scoredAt: Date | null;
  containers: number | null;
  compliant: number | null;
}

/**
 * The clusters asked for with their last snapshot's status, live workloads and newest
 * whole-cluster rollup (one backward step on the rollup index per cluster), in one statement
 * through the pg pool: the fleet page and every cluster page ask it, and a statement a part cost
 * more in round trips and Prisma's per-query work than in PostgreSQL.
 */
async function clusterRows(db: Db, opts: FleetOptions): Promise<ClusterRow[]> {
  const where: Prisma.Sql[] = [];
  if (opts.names) where.push(Prisma.sql`c.name = ANY(${opts.names}::text[])`);
  if (opts.clusterIds) where.push(Prisma.sql`c.id = ANY(${opts.clusterIds}::int[])`);
  if (opts.labels && Object.keys(opts.labels).length)
    where.push(Prisma.sql`c.labels @> ${JSON.stringify(opts.labels)}::jsonb`);
  const sql = Prisma.sql`
    SELECT c.id, c.name, c.labels, c."kubernetesVersion", c."lastSnapshotId"::text AS "lastSnapshotId",
      c."lastSnapshotAt", s.status::text AS status, s.failures,
      (SELECT COUNT(*)::int FROM "Workload" w WHERE w."clusterId" = c.id AND w."deletedAt" IS NULL) AS workloads,
      r."takenAt" AS "scoredAt", r.containers, r.compliant
    FROM "Cluster" c
    LEFT JOIN "Snapshot" s ON s.id = c."lastSnapshotId"
    LEFT JOIN LATERAL (
      SELECT "takenAt", containers, compliant FROM "PostureRollup"
      WHERE "clusterId" = c.id AND namespace = '' ORDER BY "takenAt" DESC, "snapshotId" DESC LIMIT 1
    ) r ON true
    ${where.length ? Prisma.sql`WHERE ${Prisma.join(where, " AND ")}` : Prisma.empty}
    ORDER BY c.name`;
  return (await poolOf(db).query<ClusterRow>(sql.text, sql.values as unknown[])).rows;
}

export async function getFleetOverview(db: Db, opts: FleetOptions = {}): Promise<FleetOverview> {
  const now = opts.now ?? new Date();
  const staleAfterMs = opts.staleAfterMs ?? 2 * 3_600_000;
  // Finding counts are read alongside the clusters when it is known whose to count (the fleet's,
  // or the ids asked for); a part chosen by names or labels counts only its clusters' rows.
  const known = opts.names || Object.keys(opts.labels ?? {}).length ? null : opts.clusterIds;
  const [clusters, knownFindings] = await Promise.all([
    clusterRows(db, opts),
    known === null ? null : openFindingCounts(db, now, known),
  ]);
  const findings =
    knownFindings ??
    (await openFindingCounts(
      db,
      now,
      clusters.map((c) => c.id),
    ));
  const summaries = clusters.map((c): ClusterSummary => {
    const failures = Array.isArray(c.failures)
      ? (c.failures as Array<{ kind?: unknown; reason?: unknown }>).map((f) => ({
          kind: String(f.kind ?? "unknown"),
          reason: String(f.reason ?? "unknown"),
        }))
      : [];
    const score = c.containers === null ? null : complianceScore(c.compliant ?? 0, c.containers);
    return {
      id: c.id,
      name: c.name,
      labels: labelsOf(c.labels),
      kubernetesVersion: c.kubernetesVersion,
      lastSnapshotId: c.lastSnapshotId === null ? null : BigInt(c.lastSnapshotId),
      lastSnapshotAt: c.lastSnapshotAt,
      lastSnapshotStatus: c.status,
      lastSnapshotFailures: failures.length,
      failures,
      stale: !c.lastSnapshotAt || now.getTime() - c.lastSnapshotAt.getTime() > staleAfterMs,
      workloads: c.workloads,
      containers: c.containers ?? 0,
      compliant: c.compliant ?? 0,
      score,
      grade: gradeFor(score),
      scoredAt: c.scoredAt,
      findings: findings.get(c.id) ?? emptyFindingCounts(),
    };
  });
  const times = summaries.flatMap((s) => (s.lastSnapshotAt ? [s.lastSnapshotAt.getTime()] : []));
  const containers = summaries.reduce((n, s) => n + s.containers, 0);
  const compliant = summaries.reduce((n, s) => n + s.compliant, 0);
  const score = complianceScore(compliant, containers);
  const totalFindings = summaries.reduce((acc, s) => addFindingCounts(acc, s.findings), emptyFindingCounts());
  return {
    clusters: summaries,
    totals: {
      clusters: summaries.length,
      workloads: summaries.reduce((n, s) => n + s.workloads, 0),
      containers,
      compliant,
      score,
      grade: gradeFor(score),
      openFindings: totalFindings.open,
      findings: totalFindings,
    },
    lastCollectedAt: times.length ? new Date(Math.max(...times)) : null,
    incomplete: summaries
      .filter((s) => s.lastSnapshotStatus !== "complete" || s.stale)
      .map((s) => ({ name: s.name, status: s.lastSnapshotStatus, stale: s.stale })),
  };
}
