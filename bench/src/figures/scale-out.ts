// Figure 9: one collector process per cluster, all writing one PostgreSQL at once, as the in-cluster
// manifests run them. Each process is the bundled child in `snapshot` mode narrowed to its cluster
// (BENCH_CONTEXTS). Against: the floor of reading one cluster, and figure 1's single collector
// for the whole fleet, whose rows per table the parallel run must equal.
import { spawn } from "node:child_process";
import { kubeconfigContexts } from "@pullsight/collector";
import { createExportPool } from "@pullsight/db";
import { applyMigrations, withAdminClient } from "@pullsight/db/bootstrap";
import type pg from "pg";
import { type Bench, cpuNote, rowsPerTable } from "../context.ts";
import { treeCpuMs } from "../cpu.ts";

const DB_NAME = "pullsight_bench_scaleout";

interface CollectorRun {
  cluster: string;
  code: number | null;
  wallMs: number;
  maxRssMb: number;
  cpuMs: number;
  statuses: string[];
  error: string;
}

/** One collector process for `cluster`, to its exit. */
function collectorProcess(b: Bench, cluster: string, url: string): Promise<CollectorRun> {
  const child = spawn(process.execPath, [b.childJs, "snapshot", b.sim.kubeconfig, url], {
    env: { ...process.env, BENCH_CONTEXTS: cluster },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d;
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d;
  });
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      let parsed: Partial<CollectorRun> = {};
      try {
        parsed = JSON.parse(line) as Partial<CollectorRun>;
      } catch {
        // no result line: the process failed before printing it; its stderr says why
      }
      resolve({
        cluster,
        code,
        wallMs: parsed.wallMs ?? 0,
        maxRssMb: parsed.maxRssMb ?? 0,
        cpuMs: parsed.cpuMs ?? 0,
        statuses: parsed.statuses ?? [],
        error: code === 0 ? "" : err.slice(-2000),
      });
    }),
  );
}

/** A fresh, migrated database beside the bench's, so that figure 1's rows stay to compare with. */
async function freshDatabase(serverUrl: string) {
  await withAdminClient(serverUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${DB_NAME}`);
  });
  const url = new URL(serverUrl);
  url.pathname = `/${DB_NAME}`;
  await applyMigrations(url.toString());
  return url.toString();
}

/** Samples the database's open connections until stopped; returns the most seen. */
function connectionSampler(pool: pg.Pool) {
  let peak = 0;
  const timer = setInterval(() => {
    pool
      .query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1", [DB_NAME])
      .then((r) => {
        peak = Math.max(peak, Number(r.rows[0]?.n));
      })
      .catch(() => {});
  }, 100);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

export async function scaleOutFigures(b: Bench) {
  const { report } = b;
  const clusters = kubeconfigContexts(b.sim.kubeconfig);
  if (!b.firstSnapshotRows) {
    // Without figure 1 in this run, one collector for the whole fleet gives the rows to compare with.
    b.firstSnapshotMs = b.child("snapshot").wallMs;
    b.firstSnapshotRows = await rowsPerTable(b.pool);
  }
  const one = { BENCH_CONTEXTS: clusters[0] ?? "" };
  const floors = [b.child("floor", one), b.child("floor", one)];
  const floor = floors.reduce((x, y) => (x.wallMs <= y.wallMs ? x : y));
  const url = await freshDatabase(b.serverUrl);
  const pool = createExportPool(url, { max: 2 });
  const stopSampling = connectionSampler(pool);
  const sim0 = treeCpuMs(b.sim.proc?.pid) ?? 0;
  const started = performance.now();
  const runs = await Promise.all(clusters.map((c) => collectorProcess(b, c, url)));
  const wallMs = performance.now() - started;
  const simCpuMs = (treeCpuMs(b.sim.proc?.pid) ?? 0) - sim0;
  const peakConnections = stopSampling();
  const rows = await rowsPerTable(pool);
  await pool.end();
  report({
    figure: "9 scale-out",
    name: "floor: list + JSON.parse one cluster",
    value: Math.round(floor.wallMs),
    unit: "ms",
    note: cpuNote(floor, "reader"),
  });
  reportScaleOut(b, { floor: floor.wallMs, runs, wallMs, simCpuMs, peakConnections, rows });
  for (const r of runs.filter((x) => x.error))
    console.error(`collector for ${r.cluster} failed:\n${r.error}`);
}

interface Measured {
  floor: number;
  runs: CollectorRun[];
  wallMs: number;
  simCpuMs: number;
  peakConnections: number;
  rows: Map<string, number>;
}

function reportScaleOut(b: Bench, m: Measured) {
  const { report } = b;
  const n = m.runs.length;
  const cpu = m.runs.reduce((a, r) => a + r.cpuMs, 0);
  const figure = "9 scale-out";
  report({
    figure,
    name: `${n} collectors at once, one per cluster`,
    value: Math.round(m.wallMs),
    unit: "ms",
    note: `CPU ${(cpu / 1000).toFixed(1)} s collectors + ${(m.simCpuMs / 1000).toFixed(1)} s simulator; slowest collector ${Math.round(Math.max(...m.runs.map((r) => r.wallMs)))} ms`,
  });
  report({ figure, name: "all of them ÷ one cluster's floor", value: m.wallMs / m.floor, unit: "×" });
  if (b.firstSnapshotMs)
    report({
      figure,
      name: "all of them ÷ one collector for the fleet",
      value: m.wallMs / b.firstSnapshotMs,
      unit: "×",
    });
  const failed = m.runs.filter((r) => r.code !== 0 || r.statuses.some((s) => s !== "complete"));
  report({
    figure,
    name: "collectors that failed or left a snapshot incomplete",
    value: failed.length,
    unit: "",
    target: "0",
    met: failed.length === 0,
    note: failed.map((r) => `${r.cluster}: exit ${r.code} ${r.statuses.join(",")}`).join("; "),
  });
  const expected = b.firstSnapshotRows ?? new Map<string, number>();
  const differ = [...expected].filter(([t, rows]) => m.rows.get(t) !== rows);
  const total = [...m.rows.values()].reduce((a, x) => a + x, 0);
  report({
    figure,
    name: "tables whose rows differ from one collector's",
    value: differ.length,
    unit: "",
    target: "0",
    met: differ.length === 0,
    note: differ.length
      ? differ.map(([t, rows]) => `${t}: ${m.rows.get(t)} against ${rows}`).join("; ")
      : `${expected.size} tables, ${total} rows, each table's count equal`,
  });
  const rss = m.runs.map((r) => r.maxRssMb);
  report({
    figure,
    name: "peak RSS of one collector (largest)",
    value: Math.round(Math.max(...rss)),
    unit: "MB",
    note: `${Math.round(rss.reduce((a, x) => a + x, 0))} MB for all ${n}`,
  });
  report({ figure, name: "PostgreSQL connections at once (most seen)", value: m.peakConnections, unit: "" });
}
