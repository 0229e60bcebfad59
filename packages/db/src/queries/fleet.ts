// The fleet at a glance: every cluster with its last snapshot's status, score and grade, and
// fleet totals. Scores come from each cluster's newest whole-cluster rollup (never from raw
// history); a cluster whose last snapshot failed keeps its last known score, marked as such.
import { complianceScore, gradeFor, SEVERITIES_MOST_SEVERE_FIRST, type Severity } from "@pullsight/core";
import { z } from "zod";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { countOpenFindings, emptyFindingCounts } from "./open-counts.ts";
import { type FindingCounts, findingCounts, grade, labelMap, snapshotStatus } from "./results.ts";

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

/**
 * Each cluster's newest rollup for a namespace ("" = the whole cluster): one backward step on the
 * (clusterId, namespace, takenAt) index per cluster. (DISTINCT ON over the table read every rollup
 * of the namespace, which grows with history; bench figure 3.)
 */
export async function latestRollups(db: Db, namespace = "", clusterIds?: readonly number[]) {
  return db.$queryRaw<
    Array<{
      clusterId: number;
      snapshotId: bigint;
      takenAt: Date;
      workloads: number;
      containers: number;
      compliant: number;
    }>
  >`
    SELECT r.* FROM "Cluster" c CROSS JOIN LATERAL (
      SELECT "clusterId", "snapshotId", "takenAt", workloads, containers, compliant
      FROM "PostureRollup" WHERE "clusterId" = c.id AND namespace = ${namespace}
      ORDER BY "takenAt" DESC LIMIT 1
    ) r
    ${clusterIds ? Prisma.sql`WHERE c.id = ANY(${[...clusterIds]}::int[])` : Prisma.empty}
    ORDER BY r."clusterId"`;
}

const labelsOf = (v: unknown): Record<string, string> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, string>) : {};

export async function getFleetOverview(db: Db, opts: FleetOptions = {}): Promise<FleetOverview> {
  const now = opts.now ?? new Date();
  const staleAfterMs = opts.staleAfterMs ?? 2 * 3_600_000;
  const all = await db.cluster.findMany({
    ...(opts.names ? { where: { name: { in: opts.names } } } : {}),
    select: {
      id: true,
      name: true,
      labels: true,
      kubernetesVersion: true,
      lastSnapshotId: true,
      lastSnapshotAt: true,
    },
    orderBy: { name: "asc" },
  });
  const wanted = Object.entries(opts.labels ?? {});
  const clusters = all.filter((c) =>
    wanted.every(([k, v]) => Object.hasOwn(labelsOf(c.labels), k) && labelsOf(c.labels)[k] === v),
  );
  const lastIds = clusters.flatMap((c) => (c.lastSnapshotId === null ? [] : [c.lastSnapshotId]));
  // Every cluster's answer reads only its own rows: a cluster page does not count the fleet.
  const ids = clusters.length === all.length ? undefined : clusters.map((c) => c.id);
  const [snapshots, workloadCounts, rollups, findings] = await Promise.all([
    db.snapshot.findMany({
      where: { id: { in: lastIds } },
      select: { id: true, status: true, failures: true },
    }),
    db.workload.groupBy({
      by: ["clusterId"],
      where: { deletedAt: null, ...(ids ? { clusterId: { in: ids } } : {}) },
      _count: { _all: true },
    }),
    latestRollups(db, "", ids),
    openFindingCounts(db, now, ids),
  ]);
  const snapshotById = new Map(snapshots.map((s) => [s.id, s]));
  const workloadsByCluster = new Map(workloadCounts.map((w) => [w.clusterId, w._count._all]));
  const rollupByCluster = new Map(rollups.map((r) => [r.clusterId, r]));
  const summaries = clusters.map((c): ClusterSummary => {
    const snap = c.lastSnapshotId === null ? undefined : snapshotById.get(c.lastSnapshotId);
    const failures = Array.isArray(snap?.failures)
      ? (snap.failures as Array<{ kind?: unknown; reason?: unknown }>).map((f) => ({
          kind: String(f.kind ?? "unknown"),
          reason: String(f.reason ?? "unknown"),
        }))
      : [];
    const r = rollupByCluster.get(c.id);
    const score = r ? complianceScore(r.compliant, r.containers) : null;
    return {
      id: c.id,
      name: c.name,
      labels: labelsOf(c.labels),
      kubernetesVersion: c.kubernetesVersion,
      lastSnapshotId: c.lastSnapshotId,
      lastSnapshotAt: c.lastSnapshotAt,
      lastSnapshotStatus: snap?.status ?? null,
      lastSnapshotFailures: failures.length,
      failures,
      stale: !c.lastSnapshotAt || now.getTime() - c.lastSnapshotAt.getTime() > staleAfterMs,
      workloads: workloadsByCluster.get(c.id) ?? 0,
      containers: r?.containers ?? 0,
      compliant: r?.compliant ?? 0,
      score,
      grade: gradeFor(score),
      scoredAt: r?.takenAt ?? null,
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
