import {
  buildClusterFacts,
  createClusterClient,
  kubeconfigContexts,
  loadKubeConfig,
  readCluster,
} from "@pullsight/collector";
import { DEFAULT_PROFILES } from "@pullsight/core";
import { createDb, createExportPool, type Db } from "@pullsight/db";
import { applyMigrations, withAdminClient } from "@pullsight/db/bootstrap";
import type pg from "pg";
import type { Bench } from "../context.ts";
import { type ClusterHistoryInput, seedHistory } from "../history.ts";
import {
  askConcurrently,
  askOneByOne,
  cacheStats,
  type Latencies,
  startApi,
  startEventLoad,
  startLiveCollector,
  warmUp,
} from "./api-load.ts";
import { type Endpoint, questionsOf } from "./api-questions.ts";
import { pageFigures } from "./pages.ts";

/** (3) API latency after a year of hourly history, cold, cached and live, and page renders; (6) that history's size. */
export async function apiFigures(b: Bench) {
  const { hdb, hpool, historyUrl, reused } = await historyDatabase(b.serverUrl, b.opts.REUSE_HISTORY);
  if (!reused) await seedAndMeasureHistory(b, hdb, hpool, await fleetFacts(b.sim.kubeconfig));
  if (b.opts.only.has("api")) await measureEndpoints(b, hpool, historyUrl);
  if (b.opts.only.has("pages")) await pageFigures(b, hpool, historyUrl);
  await hpool.end();
  await hdb.$disconnect();
}

/**
 * VACUUM FULL gives back the space; a plain VACUUM after it marks the rewritten pages all-visible,
 * which VACUUM FULL does not: without it every index-only scan visits the heap until autovacuum
 * next runs, which on tables nothing writes is never.
 */
async function compactHistory(hpool: pg.Pool) {
  await hpool.query("VACUUM (FULL)");
  await hpool.query("VACUUM (ANALYZE)");
}

/** A database of its own: history starts a year ago, the snapshots of figure 1 are "now". */
async function historyDatabase(serverUrl: string, reuse: boolean) {
  const historyName = "pullsight_bench_history";
  const reused = await withAdminClient(serverUrl, async (c) => {
    const exists = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [historyName]);
    if (reuse && exists.rowCount) return true;
    await c.query(`DROP DATABASE IF EXISTS ${historyName} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${historyName}`);
    return false;
  });
  const hUrl = new URL(serverUrl);
  hUrl.pathname = `/${historyName}`;
  const historyUrl = hUrl.toString();
  const hpool = createExportPool(historyUrl, { max: 2 });
  const migrations = async () =>
    reused ? Number((await hpool.query(`SELECT COUNT(*) AS n FROM "_prisma_migrations"`)).rows[0]?.n) : 0;
  const before = await migrations();
  await applyMigrations(historyUrl);
  // A migration that fills a new column rewrites every row of its table once, leaving the old
  // versions' space behind: a year seeded with that column from the start would not have it.
  if (reused && (await migrations()) > before) {
    console.log("history: new migrations applied to the reused year; compacted, as seeding ends");
    await compactHistory(hpool);
  }
  const hdb = createDb(historyUrl, { max: 4 });
  if (reused) console.log(`history: measuring the ${historyName} a previous run seeded`);
  return { hdb, hpool, historyUrl, reused };
}

/** The fleet's facts, read by the collector's own reader and fact builder. */
async function fleetFacts(kubeconfig: string): Promise<ClusterHistoryInput[]> {
  const clusters: ClusterHistoryInput[] = [];
  for (const name of kubeconfigContexts(kubeconfig)) {
    const client = createClusterClient(
      name,
      loadKubeConfig({ kind: "kubeconfig", path: kubeconfig, context: name }),
    );
    const raw = await readCluster(client);
    const labels = {
      env: clusters.length % 3 === 0 ? "production" : "staging",
      region: `r${clusters.length % 4}`,
    };
    const facts = buildClusterFacts(raw, DEFAULT_PROFILES, labels);
    clusters.push({
      name,
      server: client.server,
      kubernetesVersion: raw.gitVersion,
      labels,
      namespaces: facts.namespaces,
      workloads: facts.workloads,
      evaluableRules: facts.evaluableRules,
      completeKinds: facts.completeKinds,
    });
  }
  return clusters;
}

/** Seeds a year of hourly history and reports how long it took and how large it is. */
async function seedAndMeasureHistory(b: Bench, hdb: Db, hpool: pg.Pool, clusters: ClusterHistoryInput[]) {
  const { HISTORY_DAYS, CHURN_HOURS } = b.opts;
  const { report } = b;
  const seeded = performance.now();
  let lastTenth = -1;
  const history = await seedHistory(hdb, clusters, {
    days: HISTORY_DAYS,
    churnHours: CHURN_HOURS,
    end: new Date(),
    onProgress: (done, total) => {
      const tenth = Math.floor((10 * done) / total);
      if (tenth !== lastTenth) console.log(`history: ${tenth * 10} % (${done} of ${total} churn points)`);
      lastTenth = tenth;
    },
  });
  const seedMs = performance.now() - seeded;
  const sizeNow = async () =>
    Number((await hpool.query<{ n: string }>("SELECT pg_database_size(current_database()) AS n")).rows[0]?.n);
  // The seeder writes a week of rollups at once and compaction deletes them a week later, faster
  // than autovacuum can hand the space back, so the tables are mostly dead space (PostureRollup:
  // 7 GB of heap for 0.7 M rows). A collector writing hourly for a year stays in step with
  // autovacuum; VACUUM FULL gives the size that history keeps. Both are reported.
  const seededSize = await sizeNow();
  await compactHistory(hpool);
  const historySize = await sizeNow();
  const counts = Object.fromEntries(
    await Promise.all(
      ["Snapshot", "PostureRollup", "Workload", "ContainerFact", "RunningImage", "Finding"].map(async (t) => [
        t,
        Number((await hpool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${t}"`)).rows[0]?.n),
      ]),
    ),
  ) as Record<string, number>;
  report({
    figure: "3 api",
    name: "history seeded (write path + hourly copies)",
    value: Math.round(seedMs / 1000),
    unit: "s",
    note: `${HISTORY_DAYS} days, ${history.writes} writeSnapshot calls (every ${CHURN_HOURS} h per cluster, ${Math.round(history.writeMs / history.writes)} ms each), ${history.hourlySnapshots} snapshots; rows: ${Object.entries(
      counts,
    )
      .map(([t, n]) => `${t} ${n.toLocaleString("en")}`)
      .join(", ")}`,
  });
  report({
    figure: "6 size",
    name: `database after ${HISTORY_DAYS} days of hourly history`,
    value: Math.round(historySize / 2 ** 20),
    unit: "MB",
    note: `after VACUUM FULL; ${Math.round(seededSize / 2 ** 20).toLocaleString("en")} MB as seeded`,
  });
  report({
    figure: "6 size",
    name: "growth per cluster snapshot (average)",
    value: Math.round(historySize / history.hourlySnapshots / 1024),
    unit: "kB",
    note: `${history.hourlySnapshots} cluster snapshots`,
  });
}

/** How often each endpoint's first question is asked before the cold figures (warmUp). */
const WARM_UP_ROUNDS = 5;

const line = (l: Latencies) =>
  `${l.answers} answers, ${Math.round(l.perSecond)}/s, max ${Math.round(l.max)} ms, ${l.errors} errors/non-2xx`;

/**
 * Each endpoint cold (one client, cache off), cached at 50 connections while nothing writes, and
 * live: at 50 connections with the cache while the collector writes (an event watch on every
 * cluster at `LIVE_EVENTS` events/s across the fleet, one cluster snapshot every 30 s).
 */
async function measureEndpoints(b: Bench, hpool: pg.Pool, historyUrl: string) {
  const { API_SECONDS, COLD_SAMPLES } = b.opts;
  const { report, childJs } = b;
  const endpoints = await questionsOf(hpool);

  const cold = await startApi(childJs, historyUrl, false);
  const first = await warmUp(cold.url, endpoints, WARM_UP_ROUNDS);
  const slowest = [...first].sort((a, b) => b[1] - a[1])[0];
  report({
    figure: "3 api",
    name: "just-started server: slowest first answer",
    value: slowest?.[1] ?? 0,
    unit: "ms",
    note: `${slowest?.[0]}; each endpoint's first answer of the process: ${[...first].map(([n, ms]) => `${n} ${Math.round(ms)}`).join(", ")}; then its first question ${WARM_UP_ROUNDS}× before the cold figures`,
  });
  for (const e of endpoints) {
    const l = await askOneByOne(cold.url, e, COLD_SAMPLES);
    report({ figure: "3 api", name: `${e.name}, cold: p50`, value: l.p50, unit: "ms" });
    report({
      figure: "3 api",
      name: `${e.name}, cold: p95`,
      value: l.p95,
      unit: "ms",
      target: `≤ ${e.cold}`,
      met: l.p95 <= e.cold && l.errors === 0,
      note: `one client, cache off, ${e.paths.length} distinct questions; ${line(l)}`,
    });
  }
  await cold.stop();

  const api = await startApi(childJs, historyUrl, true);
  for (const e of endpoints) {
    const l = await askConcurrently(api.url, e, API_SECONDS);
    report({
      figure: "3 api",
      name: `${e.name}, cached idle: p95`,
      value: l.p95,
      unit: "ms",
      note: `50 connections, nothing writing; p50 ${l.p50.toFixed(1)} ms; ${line(l)}`,
    });
  }
  await measureLive(b, api.url, endpoints, historyUrl);
  await api.stop();
}

/** The same at 50 connections while the collector writes into the history database. */
async function measureLive(b: Bench, apiUrl: string, endpoints: Endpoint[], historyUrl: string) {
  const { API_SECONDS, LIVE_EVENTS } = b.opts;
  const { report, childJs, sim } = b;
  const collector = await startLiveCollector(childJs, sim.kubeconfig, historyUrl);
  const events = startEventLoad(sim.controlUrl, kubeconfigContexts(sim.kubeconfig), LIVE_EVENTS);
  const started = performance.now();
  for (const e of endpoints) {
    const before = await cacheStats(apiUrl);
    const l = await askConcurrently(apiUrl, e, API_SECONDS);
    const after = await cacheStats(apiUrl);
    const hits = after.hits - before.hits;
    const asked = hits + after.misses - before.misses;
    report({ figure: "3 api", name: `${e.name}, live: p50`, value: l.p50, unit: "ms" });
    report({
      figure: "3 api",
      name: `${e.name}, live: p95`,
      value: l.p95,
      unit: "ms",
      ...(e.live ? { target: `≤ ${e.live}`, met: l.p95 <= e.live && l.errors === 0 } : {}),
      note: `50 connections while the collector writes; cache: ${hits.toLocaleString("en")} hits, ${(asked - hits).toLocaleString("en")} misses (${asked ? ((100 * hits) / asked).toFixed(2) : "–"} %); ${line(l)}`,
    });
  }
  const emitted = await events.stop();
  const snapshots = await collector.stop();
  const seconds = (performance.now() - started) / 1000;
  report({
    figure: "3 api",
    name: "live: what the collector wrote meanwhile",
    value: snapshots.length,
    unit: "snapshots",
    note: `${emitted} events in ${seconds.toFixed(0)} s (${(emitted / seconds).toFixed(1)}/s); snapshots: ${snapshots.map((s) => `${s.cluster} ${s.status} ${(s.ms / 1000).toFixed(1)} s`).join(", ")}`,
  });
}
