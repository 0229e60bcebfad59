// Kubelet counters kept per node and UTC day: each reading is compared with the node's previous
// one (core kubelet-counters.ts counterGrowth: restarts handled), its growth added to the node's
// day, the cluster's day recomputed from its nodes' days, and the reading kept for the next time.
// One collector writes one cluster, so a cluster's rows have one writer.
import { addCounters, type CounterGrowth, type CounterReading, type Counters } from "@pullsight/core";
import type { Db } from "../client.ts";

export interface KubeletNodeReading {
  node: string;
  reading: CounterReading;
  /** Its growth since the node's previous reading; null for a first reading (a baseline). */
  growth: CounterGrowth | null;
}

const dayOf = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));

/** Each node's last reading of a cluster (by name): what the next growth is measured from. */
export async function getKubeletReadings(db: Db, cluster: string): Promise<Map<string, CounterReading>> {
  const rows = await db.$queryRaw<Array<{ node: string; startTime: number | null; counters: Counters }>>`
    SELECT r.node, r."startTime", r.counters FROM "KubeletReading" r
    JOIN "Cluster" c ON c.id = r."clusterId" WHERE c.name = ${cluster}`;
  return new Map(rows.map((r) => [r.node, { startTime: r.startTime, counters: r.counters }]));
}

/** Per node, what its counters grew by on the days from `since` (UTC) on. */
export async function getKubeletNodeGrowth(
  db: Db,
  cluster: string,
  since: Date,
): Promise<Map<string, Counters>> {
  const rows = await db.$queryRaw<Array<{ node: string; counters: Counters }>>`
    SELECT d.node, d.counters FROM "KubeletNodeDay" d
    JOIN "Cluster" c ON c.id = d."clusterId" WHERE c.name = ${cluster} AND d.day >= ${dayOf(since)}::date`;
  const out = new Map<string, Counters>();
  for (const r of rows) out.set(r.node, addCounters(out.get(r.node), r.counters));
  return out;
}

/**
 * Stores one snapshot's readings: the growth on the reading's UTC day per node, the cluster's
 * day as the sum of its nodes', and each reading for the next comparison — all or nothing.
 */
export async function recordKubeletReadings(
  db: Db,
  clusterId: number,
  at: Date,
  readings: readonly KubeletNodeReading[],
): Promise<void> {
  if (!readings.length) return;
  const day = dayOf(at);
  const grown = readings.filter((r) => r.growth);
  await db.$transaction(async (tx) => {
    const existing = await tx.kubeletNodeDay.findMany({
      where: { clusterId, day, node: { in: grown.map((r) => r.node) } },
    });
    const before = new Map(existing.map((e) => [e.node, e]));
    const rows = grown.map((r) => {
      const prior = before.get(r.node);
      return {
        node: r.node,
        counters: JSON.stringify(addCounters(prior?.counters as Counters | undefined, r.growth?.growth)),
        readings: (prior?.readings ?? 0) + 1,
        resets: (prior?.resets ?? 0) + (r.growth?.reset ? 1 : 0),
      };
    });
    await tx.$executeRaw`
      INSERT INTO "KubeletNodeDay" ("clusterId", day, node, counters, readings, resets, "updatedAt")
      SELECT ${clusterId}, ${day}::date, u.node, u.counters, u.readings, u.resets, ${at}
      FROM unnest(${rows.map((r) => r.node)}::text[], ${rows.map((r) => r.counters)}::jsonb[],
        ${rows.map((r) => r.readings)}::int[], ${rows.map((r) => r.resets)}::int[]) AS u(node, counters, readings, resets)
      ON CONFLICT ("clusterId", day, node) DO UPDATE SET
        counters = EXCLUDED.counters, readings = EXCLUDED.readings, resets = EXCLUDED.resets,
        "updatedAt" = EXCLUDED."updatedAt"`;
    if (grown.length) await refreshClusterDay(tx as unknown as Db, clusterId, day, at);
    await tx.$executeRaw`
      INSERT INTO "KubeletReading" ("clusterId", node, "readAt", "startTime", counters)
      SELECT ${clusterId}, u.node, ${at}, u.start, u.counters
      FROM unnest(${readings.map((r) => r.node)}::text[], ${readings.map((r) => r.reading.startTime)}::float8[],
        ${readings.map((r) => JSON.stringify(r.reading.counters))}::jsonb[]) AS u(node, start, counters)
      ON CONFLICT ("clusterId", node) DO UPDATE SET
        "readAt" = EXCLUDED."readAt", "startTime" = EXCLUDED."startTime", counters = EXCLUDED.counters`;
  });
}

/** The cluster's day as the sum of its nodes' days (recomputed, so it cannot drift from them). */
function refreshClusterDay(db: Db, clusterId: number, day: Date, at: Date) {
  return db.$executeRaw`
    WITH nodes AS (
      SELECT counters, resets FROM "KubeletNodeDay" WHERE "clusterId" = ${clusterId} AND day = ${day}::date
    ),
    sums AS (
      SELECT e.key, SUM(e.value::float8) AS value FROM nodes n, jsonb_each_text(n.counters) e GROUP BY e.key
    )
    INSERT INTO "KubeletClusterDay" ("clusterId", day, counters, nodes, resets, "updatedAt")
    SELECT ${clusterId}, ${day}::date, COALESCE((SELECT jsonb_object_agg(key, value) FROM sums), '{}'::jsonb),
      (SELECT COUNT(*)::int FROM nodes), (SELECT COALESCE(SUM(resets), 0)::int FROM nodes), ${at}
    ON CONFLICT ("clusterId", day) DO UPDATE SET
      counters = EXCLUDED.counters, nodes = EXCLUDED.nodes, resets = EXCLUDED.resets, "updatedAt" = EXCLUDED."updatedAt"`;
}
