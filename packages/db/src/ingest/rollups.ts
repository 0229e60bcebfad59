// Posture rollups: per snapshot, one row per namespace and one ("") for the whole cluster, the
// history every trend reads; compacted to the last of each UTC day once they are old.
import type pg from "pg";
import { insertRows } from "./rows.ts";
import type { WorkloadInput } from "./snapshot.ts";
import type { StepContext } from "./steps/context.ts";

/**
 * Rollups are kept per snapshot for this many days; older ones are compacted to the last of each
 * UTC day per (cluster, namespace). Every reader of old rollups (trends by day or week) takes the
 * last rollup of its bucket, which compaction keeps, so their answers do not change (tested);
 * what is lost is the hour-by-hour posture of days more than a week ago. A year of hourly
 * snapshots of a cluster with 126 namespaces is 1.1 M rollups without this, 64 k with it.
 */
export const HOURLY_ROLLUP_DAYS = 7;
const DAY_MS = 86_400_000;

/**
 * Compacts a cluster's rollups taken before the start of the UTC day `hourlyDays` before `now`
 * and not compacted yet (Cluster.rollupsCompactedBefore is the watermark): of each UTC day, per
 * namespace, only the last rollup stays. One statement, so it is atomic on a pool too; in the
 * snapshot writer's transaction the Cluster row is already locked. Returns the rows deleted.
 */
export async function compactRollups(
  c: Pick<pg.ClientBase, "query">,
  clusterId: number,
  now: Date,
  hourlyDays = HOURLY_ROLLUP_DAYS,
): Promise<number> {
  const cutoff = new Date(Math.floor((now.getTime() - hourlyDays * DAY_MS) / DAY_MS) * DAY_MS);
  const result = await c.query(
    // One range read ranked by window (no correlated lookups: a fresh table with stale statistics
    // once got a nested-loop plan that took minutes), then deletes by primary key. The lower
    // bound is a scalar subquery, which still sees the watermark before the CTE moves it.
    `WITH moved AS (
       UPDATE "Cluster" SET "rollupsCompactedBefore" = $2
       WHERE id = $1 AND ("rollupsCompactedBefore" IS NULL OR "rollupsCompactedBefore" < $2) RETURNING id
     ),
     doomed AS (
       SELECT "snapshotId", namespace FROM (
         SELECT "snapshotId", namespace, row_number() OVER (
           PARTITION BY namespace, date_trunc('day', "takenAt" AT TIME ZONE 'UTC')
           ORDER BY "takenAt" DESC, "snapshotId" DESC) AS nth
         FROM "PostureRollup"
         WHERE "clusterId" = $1 AND EXISTS (SELECT 1 FROM moved)
           AND "takenAt" >= COALESCE((SELECT "rollupsCompactedBefore" FROM "Cluster" WHERE id = $1), '-infinity')
           AND "takenAt" < $2
       ) ranked
       WHERE nth > 1
     )
     DELETE FROM "PostureRollup" r USING doomed d
     WHERE r."snapshotId" = d."snapshotId" AND r.namespace = d.namespace`,
    [clusterId, cutoff],
  );
  return result.rowCount ?? 0;
}

export interface RollupRow {
  namespace: string;
  workloads: number;
  containers: number;
  compliant: number;
  /** Percentage of compliant containers, 0..100 (100 when there are none). */
  score: number;
  byPolicy: Record<string, number>;
  byPolicySource: Record<string, number>;
  byTagKind: Record<string, number>;
  byRegistry: Record<string, number>;
  findingsByRule: Record<string, number>;
  findingsBySeverity: Record<string, number>;
}

/** A snapshot's rollups: one per namespace and "" for the whole cluster. */
export function computeRollups(workloads: readonly WorkloadInput[]): RollupRow[] {
  const rollups = new Map<string, RollupRow>();
  const bump = (m: Record<string, number>, k: string) => {
    m[k] = (m[k] ?? 0) + 1;
  };
  const rollup = (ns: string) => {
    let r = rollups.get(ns);
    if (!r) {
      r = {
        namespace: ns,
        workloads: 0,
        containers: 0,
        compliant: 0,
        score: 100,
        byPolicy: {},
        byPolicySource: {},
        byTagKind: {},
        byRegistry: {},
        findingsByRule: {},
        findingsBySeverity: {},
      };
      rollups.set(ns, r);
    }
    return r;
  };
  rollup("");
  for (const w of workloads) {
    for (const r of [rollup(""), rollup(w.namespace)]) {
      r.workloads += 1;
      for (const c of w.unchanged ?? w.containers) {
        r.containers += 1;
        if (c.compliant) r.compliant += 1;
        bump(r.byPolicy, c.imagePullPolicy);
        bump(r.byPolicySource, c.policySource);
        bump(r.byTagKind, c.tagKind);
        bump(r.byRegistry, c.registry);
        for (const f of c.findings) {
          bump(r.findingsByRule, f.ruleId);
          bump(r.findingsBySeverity, f.severity);
        }
      }
    }
  }
  return [...rollups.values()].map((r) => ({
    ...r,
    score: r.containers ? Math.round((r.compliant / r.containers) * 1000) / 10 : 100,
  }));
}

/** Writes this snapshot's rollups and compacts the cluster's old ones; returns both counts. */
export async function writeRollups(ctx: StepContext): Promise<{ rollups: number; rollupsCompacted: number }> {
  const { c, clusterId, snapshotId, now, input } = ctx;
  const rollupRows = computeRollups(input.workloads);
  await insertRows(
    c,
    "PostureRollup",
    [
      ["snapshotId", "bigint", () => snapshotId],
      ["clusterId", "int", () => clusterId],
      ["namespace", "text", (r) => r.namespace],
      ["takenAt", "timestamptz", () => now],
      ["workloads", "int", (r) => r.workloads],
      ["containers", "int", (r) => r.containers],
      ["compliant", "int", (r) => r.compliant],
      ["score", "float8", (r) => r.score],
      ["byPolicy", "text", (r) => JSON.stringify(r.byPolicy), "jsonb"],
      ["byPolicySource", "text", (r) => JSON.stringify(r.byPolicySource), "jsonb"],
      ["byTagKind", "text", (r) => JSON.stringify(r.byTagKind), "jsonb"],
      ["byRegistry", "text", (r) => JSON.stringify(r.byRegistry), "jsonb"],
      ["findingsByRule", "text", (r) => JSON.stringify(r.findingsByRule), "jsonb"],
      ["findingsBySeverity", "text", (r) => JSON.stringify(r.findingsBySeverity), "jsonb"],
    ],
    rollupRows,
  );
  return {
    rollups: rollupRows.length,
    rollupsCompacted: await compactRollups(c, clusterId, now, input.hourlyRollupDays),
  };
}
