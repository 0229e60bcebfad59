// One cluster: its summary (as on the fleet page), its namespaces with scores, owners and
// findings, and its recent snapshots with their failures.
import { complianceScore, gradeFor } from "@pullsight/core";
import { z } from "zod";
import type { Db } from "../client.ts";
import {
  clusterSummary,
  emptyFindingCounts,
  getFleetOverview,
  openFindingCountsByNamespace,
} from "./fleet.ts";
import { findingCounts, grade, labelMap, type SnapshotStatusName, snapshotStatus } from "./results.ts";

export const namespaceSummary = z.object({
  name: z.string(),
  /** The namespace's `team` label (or `owner`), when it has one. */
  team: z.string().nullable(),
  labels: labelMap,
  profile: z.string().nullable(),
  workloads: z.number().int(),
  containers: z.number().int(),
  compliant: z.number().int(),
  score: z.number().nullable(),
  grade: grade.nullable(),
  findings: findingCounts,
});
export type NamespaceSummary = z.infer<typeof namespaceSummary>;

export const snapshotSummary = z.object({
  id: z.bigint(),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
  status: snapshotStatus,
  durationMs: z.number().nullable(),
  failures: z.array(
    z.object({ kind: z.string(), reason: z.string(), status: z.number().nullable(), message: z.string() }),
  ),
  collectorVersion: z.string(),
  rulesVersion: z.string(),
  rows: z.record(z.string(), z.number()).nullable(),
});
export type SnapshotSummary = z.infer<typeof snapshotSummary>;

export const clusterDetailResult = z.object({
  cluster: clusterSummary,
  namespaces: z.array(namespaceSummary),
  snapshots: z.array(snapshotSummary),
});
export type ClusterDetail = z.infer<typeof clusterDetailResult>;

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
