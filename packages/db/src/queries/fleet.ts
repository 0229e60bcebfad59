import type { Db } from "../client.ts";

export interface ClusterSummary {
  id: number;
  name: string;
  kubernetesVersion: string | null;
  lastSnapshotAt: Date | null;
  lastSnapshotStatus: "running" | "complete" | "partial" | "failed" | null;
  lastSnapshotFailures: number;
  workloads: number;
}

export interface FleetOverview {
  clusters: ClusterSummary[];
  totals: { clusters: number; workloads: number; containers: number; openFindings: number };
  /** Newest finished snapshot anywhere in the fleet; null when nothing was ever collected. */
  lastCollectedAt: Date | null;
}

/** The fleet at a glance: every cluster with its last snapshot, and fleet totals. */
export async function getFleetOverview(db: Db): Promise<FleetOverview> {
  const clusters = await db.cluster.findMany({
    select: { id: true, name: true, kubernetesVersion: true, lastSnapshotId: true, lastSnapshotAt: true },
    orderBy: { name: "asc" },
  });
  const lastIds = clusters.flatMap((c) => (c.lastSnapshotId === null ? [] : [c.lastSnapshotId]));
  const [snapshots, workloadCounts, containers, openFindings] = await Promise.all([
    db.snapshot.findMany({
      where: { id: { in: lastIds } },
      select: { id: true, status: true, failures: true },
    }),
    db.workload.groupBy({ by: ["clusterId"], where: { deletedAt: null }, _count: { _all: true } }),
    db.containerFact.count({ where: { validTo: null, workload: { deletedAt: null } } }),
    db.finding.count({ where: { resolvedAt: null } }),
  ]);
  const snapshotById = new Map(snapshots.map((s) => [s.id, s]));
  const workloadsByCluster = new Map(workloadCounts.map((w) => [w.clusterId, w._count._all]));
  const summaries = clusters.map((c): ClusterSummary => {
    const snap = c.lastSnapshotId === null ? undefined : snapshotById.get(c.lastSnapshotId);
    return {
      id: c.id,
      name: c.name,
      kubernetesVersion: c.kubernetesVersion,
      lastSnapshotAt: c.lastSnapshotAt,
      lastSnapshotStatus: snap?.status ?? null,
      lastSnapshotFailures: Array.isArray(snap?.failures) ? snap.failures.length : 0,
      workloads: workloadsByCluster.get(c.id) ?? 0,
    };
  });
  const times = summaries.flatMap((s) => (s.lastSnapshotAt ? [s.lastSnapshotAt.getTime()] : []));
  return {
    clusters: summaries,
    totals: {
      clusters: summaries.length,
      workloads: summaries.reduce((n, s) => n + s.workloads, 0),
      containers,
      openFindings,
    },
    lastCollectedAt: times.length ? new Date(Math.max(...times)) : null,
  };
}
