// One cluster: its summary (as on the fleet page), its namespaces with scores, owners and
// findings, and its recent snapshots with their failures.
import { z } from "zod";
import { type Db, poolOf } from "../client.ts";
import { clusterSummary, getFleetOverview } from "./fleet.ts";
import { getKubeletDays, kubeletDaysResult } from "./kubelet-days.ts";
import { latestNamespaceRollups, namespaceSummary, summarizeNamespaces } from "./namespaces.ts";
import { type SnapshotStatusName, snapshotStatus } from "./results.ts";

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
  /** The kinds the snapshot read by listing them, and those it took from lists kept by watches; null when not recorded. */
  lists: z.object({ listed: z.array(z.string()), watched: z.array(z.string()) }).nullable(),
});
export type SnapshotSummary = z.infer<typeof snapshotSummary>;

const ensureSummary = z.object({
  requests: z.number(),
  cached: z.number(),
  pulled: z.number(),
  pulledByAlways: z.number(),
});
const pullsSummary = z.object({ count: z.number(), sumSeconds: z.number() });

/** What the nodes' kubelet metrics said of image pulls at a snapshot (collector kubelet.ts summarizeKubeletMetrics). */
export const kubeletMetricsSummary = z.object({
  /** The snapshot that read them. */
  at: z.date(),
  nodes: z.number(),
  read: z.number(),
  ensureSecretPulledImages: z.number(),
  ensure: ensureSummary.nullable(),
  pulls: pullsSummary.nullable(),
  perNode: z.array(
    z.object({ node: z.string(), ensure: ensureSummary.nullable(), pulls: pullsSummary.nullable() }),
  ),
});
export type KubeletMetricsSummary = z.infer<typeof kubeletMetricsSummary>;

export const clusterDetailResult = z.object({
  cluster: clusterSummary,
  namespaces: z.array(namespaceSummary),
  snapshots: z.array(snapshotSummary),
  /** From the newest of those snapshots that read kubelet metrics (an opt-in read); null when none did. */
  kubeletMetrics: kubeletMetricsSummary.nullable(),
  /** The nodes' kubelet counters per UTC day over the last 30 days (growth between readings). */
  kubeletDays: kubeletDaysResult,
});

/** The kubelet metrics a snapshot's stats hold, or null when it did not read them. */
function kubeletMetricsOf(s: { startedAt: Date; stats: unknown }): KubeletMetricsSummary | null {
  const stats = (s.stats ?? {}) as { kubeletMetrics?: unknown };
  if (!stats.kubeletMetrics) return null;
  const parsed = kubeletMetricsSummary.safeParse({ ...(stats.kubeletMetrics as object), at: s.startedAt });
  return parsed.success ? parsed.data : null;
}
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
  const stats = (s.stats ?? {}) as {
    rows?: Record<string, number>;
    readMs?: number;
    objects?: Record<string, number>;
    mirrored?: string[];
  };
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
    lists: listsOf(stats),
  };
}

/** Which kinds a snapshot listed and which it took from watches (stats.objects and stats.mirrored, collect.ts). */
function listsOf(stats: { objects?: Record<string, number>; mirrored?: string[] }): SnapshotSummary["lists"] {
  if (!stats.objects) return null;
  const watched = new Set(Array.isArray(stats.mirrored) ? stats.mirrored.map(String) : []);
  const kinds = Object.keys(stats.objects).sort();
  return { listed: kinds.filter((k) => !watched.has(k)), watched: kinds.filter((k) => watched.has(k)) };
}

export async function getClusterDetail(
  db: Db,
  name: string,
  opts: { now?: Date; snapshots?: number } = {},
): Promise<ClusterDetail | null> {
  const now = opts.now ?? new Date();
  const found = (await poolOf(db).query<{ id: number }>(`SELECT id FROM "Cluster" WHERE name = $1`, [name]))
    .rows[0];
  if (!found) return null;
  // The summary, the namespaces and the snapshots need only the cluster's id: asked at once.
  const [fleet, namespaces, snapshots, kubeletDays] = await Promise.all([
    getFleetOverview(db, { now, clusterIds: [found.id] }),
    latestNamespaceRollups(db, [found.id]).then((rollups) => summarizeNamespaces(db, now, rollups)),
    recentSnapshotsOf(db, found.id, opts.snapshots ?? 20),
    getKubeletDays(db, found.id, now),
  ]);
  const cluster = fleet.clusters[0];
  if (!cluster) return null;
  return {
    cluster,
    namespaces: namespaces.map(({ clusterId: _, ...n }) => n),
    snapshots: snapshots.map(toSnapshotSummary),
    kubeletMetrics: snapshots.map(kubeletMetricsOf).find((m) => m !== null) ?? null,
    kubeletDays,
  };
}

/** A cluster's newest snapshots, newest first (pooled SQL: the cluster page asks it on every render). */
async function recentSnapshotsOf(db: Db, clusterId: number, n: number) {
  const { rows } = await poolOf(db).query<
    Omit<Parameters<typeof toSnapshotSummary>[0], "id"> & { id: string }
  >(
    `SELECT id::text AS id, "startedAt", "finishedAt", status::text AS status, failures, "collectorVersion",
       "rulesVersion", stats
     FROM "Snapshot" WHERE "clusterId" = $1 ORDER BY "startedAt" DESC LIMIT $2`,
    [clusterId, n],
  );
  return rows.map((r) => ({ ...r, id: BigInt(r.id) }));
}

export const recentSnapshotsResult = z.array(
  z.object({ clusterId: z.number().int(), snapshots: z.array(snapshotSummary) }),
);

/** The newest `perCluster` snapshots of every cluster, in one query (a step back on each cluster's index). */
export async function getRecentSnapshots(
  db: Db,
  perCluster: number,
): Promise<z.infer<typeof recentSnapshotsResult>> {
  const rows = await db.$queryRaw<Array<Parameters<typeof toSnapshotSummary>[0] & { clusterId: number }>>`
    SELECT s.id, c.id AS "clusterId", s."startedAt", s."finishedAt", s.status::text AS status, s.failures,
      s."collectorVersion", s."rulesVersion", s.stats
    FROM "Cluster" c CROSS JOIN LATERAL (
      SELECT * FROM "Snapshot" WHERE "clusterId" = c.id ORDER BY "startedAt" DESC LIMIT ${perCluster}
    ) s
    ORDER BY c.id, s."startedAt" DESC`;
  const byCluster = new Map<number, SnapshotSummary[]>();
  for (const r of rows) {
    const list = byCluster.get(r.clusterId) ?? [];
    list.push(toSnapshotSummary(r));
    byCluster.set(r.clusterId, list);
  }
  return [...byCluster].map(([clusterId, snapshots]) => ({ clusterId, snapshots }));
}
