// `npm start`: the dashboard on a real database, in one of three modes.
//   demo  (no DATABASE_URL, no PULLSIGHT_KUBECONFIG): the embedded PostgreSQL under .data/ with a
//         database of its own (pullsight_demo, rebuilt on every start), a simulated fleet of three
//         clusters whose last eight weeks are collected first, then collected live every minute.
//   live  (PULLSIGHT_KUBECONFIG=path): the collector snapshots that kubeconfig's contexts every
//         minute into DATABASE_URL (or the embedded database "pullsight").
//   serve (DATABASE_URL only): the dashboard over whatever that database holds (e2e tests, or a
//         collector deployed elsewhere).
// Ctrl-C or SIGTERM stops the web server, the collector, the simulator and the database.

import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chooseIdentityMode } from "@pullsight/api";
import type { Logger } from "@pullsight/collector";
import { type Demo, startDemo } from "@pullsight/collector/demo";
import { databaseEnvSchema, onShutdown, openDatabase, repoRoot } from "@pullsight/db/bootstrap";
import { z } from "zod";

const env = databaseEnvSchema
  .extend({
    PULLSIGHT_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    PULLSIGHT_HOST: z.string().default("127.0.0.1"),
    PULLSIGHT_KUBECONFIG: z.string().trim().min(1).optional(),
    PULLSIGHT_DEMO_PODS: z.coerce.number().int().min(10).max(20_000).default(700),
    PULLSIGHT_DEMO_DAYS: z.coerce.number().int().min(1).max(365).default(56),
  })
  .parse(process.env);

const mode = env.PULLSIGHT_KUBECONFIG ? "live" : env.DATABASE_URL ? "serve" : "demo";
const log = (line: string) => console.log(`[pullsight] ${line}`);

// Decided before anything starts: a server that would make every visitor an admin does not start.
let identity: ReturnType<typeof chooseIdentityMode>;
try {
  identity = chooseIdentityMode({
    requested: process.env.PULLSIGHT_AUTH,
    demoLaunch: mode === "demo",
    host: env.PULLSIGHT_HOST,
  });
} catch (error) {
  console.error(`[pullsight] not starting: ${(error as Error).message}`);
  process.exit(2);
}
if (identity.warning) console.warn(`[pullsight] WARNING: ${identity.warning}`);
log(`identity: ${identity.mode} mode`);
const db = await openDatabase(env, mode === "demo" ? { log, name: "pullsight_demo", fresh: true } : { log });
log(`database ready (${db.kind}${mode === "demo" ? ", demo database rebuilt" : ""})`);

const require = createRequire(import.meta.url);
const nextBin = path.join(path.dirname(require.resolve("next/package.json")), "dist/bin/next");
const appDir = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const next = spawn(
  process.execPath,
  [nextBin, "start", "--port", String(env.PULLSIGHT_PORT), "--hostname", env.PULLSIGHT_HOST],
  {
    cwd: appDir,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      PULLSIGHT_AUTH: identity.mode,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
);

// The collector: in this process for the demo, the collector's own CLI for real clusters.
let demo: Demo | null = null;
let collector: ChildProcess | null = null;
if (mode === "demo") {
  // The collector's warnings and errors reach the terminal; its routine logs do not.
  const quiet: Logger = {
    info() {},
    warn: (msg, fields) => log(`collector: ${msg} ${JSON.stringify(fields ?? {}, bigints)}`),
    error: (msg, fields) => log(`collector: ${msg} ${JSON.stringify(fields ?? {}, bigints)}`),
  };
  log(
    `demo: simulating 3 clusters of ${env.PULLSIGHT_DEMO_PODS} pods and collecting their last ${env.PULLSIGHT_DEMO_DAYS} days (about 3 minutes)`,
  );
  let reported = -1;
  demo = await startDemo({
    databaseUrl: db.url,
    podsPerCluster: env.PULLSIGHT_DEMO_PODS,
    days: env.PULLSIGHT_DEMO_DAYS,
    intervalMs: 60_000,
    log: quiet,
    onProgress: (at, done) => {
      const tenth = Math.floor(done * 10);
      if (tenth > reported) {
        reported = tenth;
        log(`demo: history collected up to ${at.toISOString().slice(0, 10)} (${tenth * 10}%)`);
      }
    },
  });
} else if (mode === "live") {
  collector = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      path.join(repoRoot, "apps/collector/src/cli.ts"),
      "--kubeconfig",
      path.resolve(env.PULLSIGHT_KUBECONFIG as string),
      "--interval",
      "60",
    ],
    { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, DATABASE_URL: db.url } },
  );
}

// Whatever ends this process, the children go with it.
process.on("exit", () => {
  next.kill("SIGTERM");
  collector?.kill("SIGTERM");
});

const stopChild = (child: ChildProcess | null) =>
  new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });

let stopping = false;
onShutdown(async (signal) => {
  stopping = true;
  log(`${signal}: stopping`);
  await Promise.all([stopChild(next), stopChild(collector), demo?.stop()]);
  await db.close();
  log("stopped");
});

next.once("exit", async (code, signal) => {
  if (stopping) return; // our own shutdown: onShutdown finishes the job
  log(`web server exited (${signal ?? code}); stopping`);
  await Promise.all([stopChild(collector), demo?.stop()]);
  await db.close();
  process.exit(code ?? 1);
});

const url = `http://${env.PULLSIGHT_HOST === "127.0.0.1" ? "localhost" : env.PULLSIGHT_HOST}:${env.PULLSIGHT_PORT}`;
for (let i = 0; i < 600; i++) {
  try {
    const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
    if (res.ok) break;
  } catch {
    // not listening yet
  }
  await new Promise((r) => setTimeout(r, 250));
}
if (demo) {
  log(`dashboard at ${url} (history still being built; it fills in as it is collected)`);
  const built = await demo.ready.catch((error: unknown) => {
    log(`demo: building the history failed: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  });
  if (built && !stopping) {
    const snapshots = built.reduce((n, r) => n + r.snapshots, 0);
    log(`demo: ${snapshots} snapshot rounds collected; now collecting live every minute`);
  }
}
if (!stopping) log(`Pullsight is running at ${url}  (Ctrl-C to stop)`);

function bigints(_key: string, value: unknown) {
  return typeof value === "bigint" ? String(value) : value;
}
