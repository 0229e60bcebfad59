// What every figure of the benchmark shares: its parameters, the database it measures (the
// embedded PostgreSQL, or DATABASE_URL's server), the simulated fleet in its own process, the
// measured child processes with the CPU they and their neighbours spent, and the report.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createDb, createExportPool, type Db, TABLES } from "@pullsight/db";
import {
  applyMigrations,
  freePort,
  repoRoot,
  startEmbeddedPostgres,
  withAdminClient,
} from "@pullsight/db/bootstrap";
import type pg from "pg";
import { treeCpuMs } from "./cpu.ts";
import type { Figure } from "./figure.ts";
import type { PeakMoment } from "./heap-timeline.ts";

export function benchOptions() {
  const { values } = parseArgs({
    options: {
      clusters: { type: "string", default: "10" },
      pods: { type: "string", default: "10000" },
      "csv-rows": { type: "string", default: "1000000" },
      "event-rate": { type: "string", default: "500" },
      "event-seconds": { type: "string", default: "60" },
      "history-days": { type: "string", default: "365" },
      "churn-hours": { type: "string", default: "168" },
      "api-seconds": { type: "string", default: "10" },
      "cold-samples": { type: "string", default: "40" },
      "live-events": { type: "string", default: "20" },
      "load-seconds": { type: "string", default: "60" },
      "load-connections": { type: "string", default: "200" },
      only: { type: "string" },
      "reuse-history": { type: "boolean", default: false },
      "probe-references": { type: "string", default: "20000" },
    },
  });
  return {
    CLUSTERS: Number(values.clusters),
    PODS: Number(values.pods),
    CSV_ROWS: Number(values["csv-rows"]),
    EVENT_RATE: Number(values["event-rate"]),
    EVENT_SECONDS: Number(values["event-seconds"]),
    HISTORY_DAYS: Number(values["history-days"]),
    CHURN_HOURS: Number(values["churn-hours"]),
    API_SECONDS: Number(values["api-seconds"]),
    /** Answers per endpoint for the cold figure (at least one per distinct question). */
    COLD_SAMPLES: Number(values["cold-samples"]),
    /** Events per second across the fleet while the live figure is measured. */
    LIVE_EVENTS: Number(values["live-events"]),
    LOAD_SECONDS: Number(values["load-seconds"]),
    LOAD_CONNECTIONS: Number(values["load-connections"]),
    only: new Set((values.only ?? "snapshot,scaleout,api,pages,csv,events,load,probe").split(",")),
    /** Measure the API on the history a previous run seeded (same fleet size) instead of seeding it again. */
    REUSE_HISTORY: values["reuse-history"] ?? false,
    /** Distinct image references the prober figure asks about. */
    PROBE_REFERENCES: Number(values["probe-references"]),
  };
}
export type BenchOptions = ReturnType<typeof benchOptions>;

export const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString("en") : n.toFixed(n < 10 ? 3 : 1));

/** Prints each figure as it is measured and keeps them for the results files. */
export class Report {
  readonly figures: Figure[] = [];
  readonly add = (f: Figure) => {
    this.figures.push(f);
    const target = f.target ? `  target ${f.target}: ${f.met ? "met" : "MISSED"}` : "";
    const note = f.target && !f.met && f.note ? ` (${f.note})` : "";
    console.log(
      `${f.figure.padEnd(11)} ${f.name.padEnd(46)} ${fmt(f.value).padStart(12)} ${f.unit}${target}${note}`,
    );
  };
}

/** A fresh `pullsight_bench` database, migrated, on the embedded server or DATABASE_URL's. */
export async function startBenchDatabase(serverFromEnv: string | undefined) {
  const dbName = "pullsight_bench";
  let stopPostgres: () => Promise<void> = async () => {};
  let serverUrl = serverFromEnv;
  let postmasterPid: number | null = null;
  if (!serverUrl) {
    const dataDir = path.join(repoRoot, ".data/bench/postgres");
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    serverUrl = server.url("postgres");
    // PostgreSQL writes its postmaster's PID on the first line of postmaster.pid.
    postmasterPid = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    stopPostgres = () => server.stop();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  const dbUrl = url.toString();
  await withAdminClient(serverUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${dbName}`);
  });
  await applyMigrations(dbUrl);
  const db = createDb(dbUrl);
  const pool = createExportPool(dbUrl, { max: 2 });
  const dbSize = async () =>
    Number((await pool.query<{ n: string }>("SELECT pg_database_size(current_database()) AS n")).rows[0]?.n);
  return { serverUrl, dbUrl, db, pool, dbSize, postmasterPid, stopPostgres };
}

export async function machineOf(pool: pg.Pool) {
  const version = await pool.query<{ server_version: string }>("SHOW server_version");
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: version.rows[0]?.server_version ?? "unknown",
    os: `${os.type()} ${os.release()}`,
  };
}

/** The simulated fleet in a process of its own, so that the collector's RSS is only the collector's. */
export class SimulatorProcess {
  proc: ChildProcess | null = null;
  controlUrl = "";
  readonly kubeconfig = path.join(mkdtempSync(path.join(os.tmpdir(), "pullsight-bench-")), "kubeconfig");

  async start(clusters: number, pods: number) {
    const started = performance.now();
    const cli = path.join(repoRoot, "packages/k8s-sim/src/cli.ts");
    const args = ["--clusters", String(clusters), "--pods", String(pods), "--seed", "7"];
    const sim = spawn(
      path.join(repoRoot, "node_modules/.bin/tsx"),
      [cli, ...args, "--kubeconfig", this.kubeconfig, "--bookmark-ms", "1000"],
      {
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, NODE_OPTIONS: "--max-old-space-size=16384" },
      },
    );
    this.proc = sim;
    let out = "";
    await new Promise<void>((resolve, reject) => {
      sim.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /control API at (\S+)/.exec(out);
        if (m?.[1]) this.controlUrl = m[1];
        if (out.includes("simulator ready")) resolve();
      });
      sim.once("exit", (code) => reject(new Error(`simulator exited (${code}): ${out}`)));
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`simulator: ${clusters} clusters × ${pods} pods ready in ${seconds} s`);
  }

  stop() {
    this.proc?.kill("SIGTERM");
    this.proc = null;
  }
}

export interface ChildResult {
  mode: string;
  wallMs: number;
  maxRssMb: number;
  cpuMs: number;
  items: number;
  rows: number;
  /** Workloads whose records the collector reused from its previous snapshot. */
  reused?: number;
  /** resnapshot: the process's first re-snapshot (code still being compiled), before the measured one. */
  firstResnapshot?: { cpuMs: number; wallMs: number };
  /** Kinds (summed over clusters) read from watch-kept mirrors instead of lists (BENCH_WATCH_OBJECTS=on). */
  mirrored?: number;
  /** Snapshots: when memory peaked, and what each cluster was doing then. */
  peak?: PeakMoment;
  statuses: string[];
  /** CPU of the simulator and of PostgreSQL while the child ran (null: a server not ours). */
  simCpuMs: number;
  pgCpuMs: number | null;
}

/** Runs a measured process (bundled child.ts) to completion and adds the CPU its neighbours spent meanwhile. */
export function runChild(
  childJs: string,
  mode: "floor" | "snapshot" | "resnapshot",
  at: { kubeconfig: string; dbUrl: string; simPid?: number | undefined; postmasterPid: number | null },
  env: Record<string, string> = {},
): ChildResult {
  const sim0 = treeCpuMs(at.simPid) ?? 0;
  const pg0 = treeCpuMs(at.postmasterPid);
  const out = execFileSync(process.execPath, [childJs, mode, at.kubeconfig, at.dbUrl], {
    encoding: "utf8",
    maxBuffer: 64 * 2 ** 20,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  const pg1 = treeCpuMs(at.postmasterPid);
  const line = out.trim().split("\n").at(-1) ?? "{}";
  return {
    ...(JSON.parse(line) as ChildResult),
    simCpuMs: (treeCpuMs(at.simPid) ?? 0) - sim0,
    pgCpuMs: pg0 === null || pg1 === null ? null : pg1 - pg0,
  };
}

/** "CPU 12.1 s collector + 3.2 s simulator + 9.9 s PostgreSQL = 25.2 s in 15.3 s on 2 cores (82 %)" */
export function cpuNote(r: ChildResult, who: string): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const total = r.cpuMs + r.simCpuMs + (r.pgCpuMs ?? 0);
  const cores = os.availableParallelism();
  return `CPU ${s(r.cpuMs)} ${who} + ${s(r.simCpuMs)} simulator${r.pgCpuMs === null ? "" : ` + ${s(r.pgCpuMs)} PostgreSQL`} = ${s(total)} in ${s(r.wallMs)} on ${cores} cores (${Math.round((100 * total) / (r.wallMs * cores))} % busy)`;
}

/** Everything a figure measures with. */
export interface Bench {
  opts: BenchOptions;
  serverUrl: string;
  dbUrl: string;
  db: Db;
  pool: pg.Pool;
  dbSize: () => Promise<number>;
  sim: SimulatorProcess;
  /** The measured processes, bundled as deployed. */
  childJs: string;
  report: (f: Figure) => void;
  /** A measured process; `env` narrows it (BENCH_CONTEXTS: the clusters it reads). */
  child: (mode: "floor" | "snapshot" | "resnapshot", env?: Record<string, string>) => ChildResult;
  /** Rows per table after the first full snapshot of the fleet (figure 1), for figures that compare. */
  firstSnapshotRows?: Map<string, number>;
  /** Figure 1's single collector: its wall time for the whole fleet. */
  firstSnapshotMs?: number;
}

/** How many rows each of the product's tables holds in the database at `pool`. */
export async function rowsPerTable(pool: pg.Pool): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const table of TABLES) {
    const r = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`);
    counts.set(table, Number(r.rows[0]?.n));
  }
  return counts;
}
