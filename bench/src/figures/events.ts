import { createClusterClient, EventWatcher, loadKubeConfig } from "@pullsight/collector";
import type { Bench } from "../context.ts";

/** (5) the event watch under steady load: throughput, duplicates, lag. */
export async function eventFigures(b: Bench) {
  const { EVENT_RATE, EVENT_SECONDS } = b.opts;
  const { db, pool, report } = b;
  const { kubeconfig, controlUrl } = b.sim;
  const name = "prod-eu-1";
  const client = createClusterClient(
    name,
    loadKubeConfig({ kind: "kubeconfig", path: kubeconfig, context: name }),
  );
  const cluster = await db.cluster.upsert({ where: { name }, create: { name }, update: {} });
  const before = await db.pullEvent.count({ where: { clusterId: cluster.id } });
  const watcher = new EventWatcher(db, client);
  await watcher.start();
  const listed = (await db.pullEvent.count({ where: { clusterId: cluster.id } })) - before;
  const perTick = Math.max(1, Math.round(EVENT_RATE / 10));
  let emitted = 0;
  const started = performance.now();
  for (let tick = 0; tick < EVENT_SECONDS * 10; tick++) {
    const due = started + tick * 100;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const res = await fetch(`${controlUrl}/clusters/${name}/load`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ events: perTick }),
    });
    emitted += ((await res.json()) as { emitted: number }).emitted;
  }
  const loadEnded = performance.now();
  const achievedRate = emitted / ((loadEnded - started) / 1000);
  const expected = before + listed + emitted;
  let stored = 0;
  while (performance.now() - loadEnded < 60_000) {
    stored = await db.pullEvent.count({ where: { clusterId: cluster.id } });
    if (stored >= expected) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const lagMs = performance.now() - loadEnded;
  await watcher.stop();
  const dup = await pool.query<{ n: string }>(
    `SELECT COUNT(*) - COUNT(DISTINCT uid) AS n FROM "PullEvent" WHERE "clusterId" = $1`,
    [cluster.id],
  );
  report({
    figure: "5 events",
    name: "load generated",
    value: Math.round(achievedRate),
    unit: "events/s",
    note: `${emitted} in ${EVENT_SECONDS} s`,
  });
  report({
    figure: "5 events",
    name: "stored ÷ emitted",
    value: (stored - before - listed) / emitted,
    unit: "",
    target: "= 1",
    met: stored - before - listed === emitted,
  });
  report({
    figure: "5 events",
    name: "duplicates",
    value: Number(dup.rows[0]?.n ?? 0),
    unit: "rows",
    target: "0",
    met: Number(dup.rows[0]?.n ?? 0) === 0,
  });
  report({ figure: "5 events", name: "lag: end of load → all stored", value: Math.round(lagMs), unit: "ms" });
}
