import { spawn } from "node:child_process";
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
import autocannon from "autocannon";
import type pg from "pg";
import superjson from "superjson";
import type { Bench } from "../context.ts";
import { type ClusterHistoryInput, seedHistory } from "../history.ts";

/** (3) API latency at 50 concurrent clients after a year of hourly history, (6) that history's size. */ export async function apiFigures(
  b: Bench,
) {
  const { hdb, hpool, historyUrl, reused } = await historyDatabase(b.serverUrl, b.opts.REUSE_HISTORY);
  if (!reused) await seedAndMeasureHistory(b, hdb, hpool, await fleetFacts(b.sim.kubeconfig));
  await measureEndpoints(b, hpool, historyUrl);
  await hpool.end();
  await hdb.$disconnect();
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
  await applyMigrations(historyUrl);
  const hdb = createDb(historyUrl, { max: 4 });
  const hpool = createExportPool(historyUrl, { max: 2 });
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
  await hpool.query("VACUUM (FULL, ANALYZE)");
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

/** Each endpoint at 50 connections, with the read cache as shipped and without it. */
async function measureEndpoints(b: Bench, hpool: pg.Pool, historyUrl: string) {
  const { API_SECONDS } = b.opts;
  const { report, childJs } = b;
  const call = (procedure: string, input?: unknown) =>
    `/api/trpc/${procedure}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`}`;
  const sample = await hpool.query<{ id: string; cluster: string; namespace: string; name: string }>(
    `SELECT w.id, c.name AS cluster, w.namespace, w.name FROM "Workload" w JOIN "Cluster" c ON c.id = w."clusterId"
     WHERE w."deletedAt" IS NULL ORDER BY md5(w.id::text) LIMIT 200`,
  );
  const words = [...new Set(sample.rows.map((r) => r.name.split("-")[0] ?? r.name))].slice(0, 20);
  const endpoints: Array<{ name: string; target: number; paths: string[] }> = [
    { name: "fleet overview", target: 50, paths: [call("fleet.overview")] },
    {
      name: "trends over 365 days",
      target: 50,
      paths: [
        call("trends.posture", { range: { days: 365 }, bucket: "day" }),
        call("trends.posture", { range: { days: 365 }, bucket: "week" }),
      ],
    },
    {
      name: "workload list, filters and search",
      target: 100,
      paths: sample.rows.slice(0, 20).flatMap((r, i) => [
        call("workloads.list", {
          filter: { cluster: r.cluster, policy: "Always" },
          sort: "findings",
          order: "desc",
        }),
        call("workloads.list", { filter: { q: words[i % words.length] } }),
        call("workloads.list", {
          filter: { namespace: r.namespace, cluster: r.cluster, severity: "high" },
        }),
      ]),
    },
    {
      name: "workload drill-down",
      target: 100,
      paths: sample.rows.map((r) => call("workloads.detail", { id: r.id })),
    },
  ];
  // The API in a process of its own, as the web app serves it (with its read cache), then once
  // more without the cache: what every question costs when it is asked for the first time.
  for (const cached of [true, false]) {
    const api = spawn(process.execPath, [childJs, "api", "-", historyUrl], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, PULLSIGHT_READ_CACHE: cached ? "on" : "off" },
    });
    const apiUrl = await new Promise<string>((resolve, reject) => {
      let out = "";
      api.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /"url":"([^"]+)"/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      api.once("exit", (code) => reject(new Error(`API server exited (${code}): ${out}`)));
    });
    for (const e of endpoints) {
      const run = (seconds: number, record: number[] | null) =>
        new Promise<autocannon.Result>((resolve, reject) => {
          const instance = autocannon(
            {
              url: apiUrl,
              connections: 50,
              duration: seconds,
              requests: e.paths.map((p) => ({ method: "GET", path: p })),
            },
            (err, result) => (err ? reject(err) : resolve(result)),
          );
          if (record) instance.on("response", (_c, _status, _bytes, ms) => record.push(ms));
        });
      await run(2, null); // warm-up: connections, plans, caches
      const latencies: number[] = [];
      const result = await run(API_SECONDS, latencies);
      latencies.sort((a, b) => a - b);
      // No response at all within autocannon's 10 s timeout: the percentiles are "over 10 s", not 0.
      const pct = (p: number) =>
        latencies.length === 0
          ? 10_000
          : (latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0);
      const errors = result.errors + result.timeouts + result.non2xx;
      const label = cached ? e.name : `${e.name}, no cache`;
      const note = `${latencies.length} requests over ${e.paths.length} distinct questions, ${Math.round(result.requests.average)} req/s, ${errors} errors/non-2xx`;
      report({ figure: "3 api", name: `${label}: p50`, value: pct(50), unit: "ms" });
      // The target applies to the API as served; without the cache the figure is for reference.
      report({
        figure: "3 api",
        name: `${label}: p95`,
        value: pct(95),
        unit: "ms",
        ...(cached ? { target: `≤ ${e.target}`, met: pct(95) <= e.target && errors === 0 } : {}),
        note: cached ? note : `${note}; for reference: every question computed`,
      });
    }
    const exited = new Promise((r) => api.once("exit", r));
    api.kill("SIGTERM");
    await exited;
  }
}
