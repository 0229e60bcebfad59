// One cluster: its summary (as on the fleet page), its namespaces with scores, owners and
// findings, and its recent snapshots with their failures.
import { complianceScore, type Grade, gradeFor } from "@pullsight/core";
import type { Db } from "../client.ts";
import {
  type ClusterSummary,
  emptyFindingCounts,
  type FindingCounts,
  getFleetOverview,
  openFindingCountsByNamespace,
  type SnapshotStatusName,
} from "./fleet.ts";

export interface NamespaceSummary {
  name: string;
  /** The namespace's `team` label (or `owner`), when it has one. */
  team: string | null;
  labels: Record<string, string>;
  profile: string | null;
  workloads: number;
  containers: number;
  compliant: number;
  score: number | null;
  grade: Grade | null;
  findings: FindingCounts;
}

export interface SnapshotSummary {
  id: bigint;
  startedAt: Date;
  finishedAt: Date | null;
  status: SnapshotStatusName;
  durationMs: number | null;
  failures: Array<{ kind: string; reason: string; status: number | null; message: string }>;
  collectorVersion: string;
  rulesVersion: string;
  rows: Record<string, number> | null;
}

export interface ClusterDetail {
  cluster: ClusterSummary;
  namespaces: NamespaceSummary[];
  snapshots: SnapshotSummary[];
}

export function toSnapshotSummary(s: {
  id: bigint;
  startedAt: Date;
  finishedAt: Date | null;
  status: SnapshotStatusName;
  failures: unknown;
  collectorVersion: string;
  rulesVersion: string;
  stats: unknown;
}): SnapshotSummary {
  const stats = (s.stats ?? {}) as { rows?: Record<string, number>; readMs?: number };
  return {
    id: s.id,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    status: s.status,
    durationMs: typeof stats.readMs === "number" ? stats.readMs : null,
    failures: (Array.isArray(s.failures) ? s.failures : []).map((f: Record<string, unknown>) => ({
      kind: String(f.kind ?? "unknown"),
      reason: String(f.reason ?? "unknown"),
      status: typeof f.status === "number" ? f.status : null,
      message: String(f.message ?? ""),
    })),
    collectorVersion: s.collectorVersion,
    rulesVersion: s.rulesVersion,
    rows: stats.rows ?? null,
  };
}

export async function getClusterDetail(
  db: Db,
  name: string,
  opts: { now?: Date; snapshots?: number } = {},
): Promise<ClusterDetail | null> {
  const now = opts.now ?? new Date();
  const fleet = await getFleetOverview(db, { now, names: [name] });
  const cluster = fleet.clusters[0];
  if (!cluster) return null;
  const latest = await db.postureRollup.findFirst({
    where: { clusterId: cluster.id, namespace: "" },
    orderBy: { takenAt: "desc" },
    select: { snapshotId: true },
  });
  const [rollups, namespaces, findings, snapshots] = await Promise.all([
    latest
      ? db.postureRollup.findMany({
          where: { snapshotId: latest.snapshotId, namespace: { not: "" } },
          select: { namespace: true, workloads: true, containers: true, compliant: true },
        })
      : [],
    db.namespace.findMany({
      where: { clusterId: cluster.id, deletedAt: null },
      select: { name: true, labels: true, profile: true },
    }),
    openFindingCountsByNamespace(db, now, cluster.id),
    db.snapshot.findMany({
      where: { clusterId: cluster.id },
      orderBy: { startedAt: "desc" },
      take: opts.snapshots ?? 20,
    }),
  ]);
  const nsInfo = new Map(namespaces.map((n) => [n.name, n]));
  const list = rollups.map((r): NamespaceSummary => {
    const info = nsInfo.get(r.namespace);
    const labels = (info?.labels ?? {}) as Record<string, string>;
    const score = complianceScore(r.compliant, r.containers);
    return {
      name: r.namespace,
      team: labels.team ?? labels.owner ?? null,
      labels,
      profile: info?.profile ?? null,
      workloads: r.workloads,
      containers: r.containers,
      compliant: r.compliant,
      score,
      grade: gradeFor(score),
      findings: findings.get(r.namespace) ?? emptyFindingCounts(),
    };
  });
  list.sort((a, b) => (a.score ?? 101) - (b.score ?? 101) || a.name.localeCompare(b.name));
  return { cluster, namespaces: list, snapshots: snapshots.map(toSnapshotSummary) };
}
