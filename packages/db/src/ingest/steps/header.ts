// The snapshot's own rows: the cluster (upserted), the snapshot, and at the end the cluster's
// pointer to its latest snapshot with the confirmations it carries.
import type pg from "pg";
import type { Confirmations } from "../findings.ts";
import type { SnapshotInput, SnapshotResult } from "../snapshot.ts";

async function one<T extends pg.QueryResultRow>(
  c: pg.ClientBase,
  text: string,
  values: unknown[],
): Promise<T> {
  return (await c.query<T>(text, values)).rows[0] as T;
}

export async function upsertCluster(
  c: pg.ClientBase,
  cluster: SnapshotInput["cluster"],
): Promise<{ id: number; confirmations: Confirmations; lastSnapshotId: string | null }> {
  return one(
    c,
    `INSERT INTO "Cluster" (name, server, "kubernetesVersion", labels) VALUES ($1, $2, $3, COALESCE($4::jsonb, '{}'))
     ON CONFLICT (name) DO UPDATE SET server = EXCLUDED.server,
       "kubernetesVersion" = COALESCE(EXCLUDED."kubernetesVersion", "Cluster"."kubernetesVersion"),
       labels = COALESCE($4::jsonb, "Cluster".labels)
     RETURNING id, confirmations, "lastSnapshotId"`,
    [
      cluster.name,
      cluster.server,
      cluster.kubernetesVersion,
      cluster.labels ? JSON.stringify(cluster.labels) : null,
    ],
  );
}

export async function insertSnapshot(
  c: pg.ClientBase,
  clusterId: number,
  input: SnapshotInput,
  status: SnapshotResult["status"],
): Promise<string> {
  const failed = status === "failed";
  const row = await one<{ id: string }>(
    c,
    `INSERT INTO "Snapshot" ("clusterId", "startedAt", "finishedAt", status, failures, "collectorVersion", "rulesVersion", stats,
       "completeKinds", "evaluableRules")
     VALUES ($1, $2, $3, $4::"SnapshotStatus", $5::jsonb, $6, $7, $8::jsonb, $9::text[], $10::text[]) RETURNING id`,
    [
      clusterId,
      input.startedAt,
      input.finishedAt,
      status,
      JSON.stringify(input.failures),
      input.collectorVersion,
      input.rulesVersion,
      JSON.stringify(input.stats ?? {}),
      failed ? [] : input.completeKinds,
      failed ? [] : input.evaluableRules,
    ],
  );
  return row.id;
}

export async function markLatest(
  c: pg.ClientBase,
  clusterId: number,
  snapshotId: string,
  at: Date,
  confirmations: Confirmations,
): Promise<void> {
  await c.query(
    `UPDATE "Cluster" SET "lastSnapshotId" = $2, "lastSnapshotAt" = $3, confirmations = $4::jsonb WHERE id = $1`,
    [clusterId, snapshotId, at, JSON.stringify(confirmations)],
  );
}

/** The rows each step wrote, kept in the snapshot's stats. */
export async function recordRows(
  c: pg.ClientBase,
  snapshotId: string,
  stats: Record<string, unknown> | undefined,
  rows: SnapshotResult["rows"],
): Promise<void> {
  await c.query(`UPDATE "Snapshot" SET stats = $2::jsonb WHERE id = $1`, [
    snapshotId,
    JSON.stringify({ ...(stats ?? {}), rows }),
  ]);
}
