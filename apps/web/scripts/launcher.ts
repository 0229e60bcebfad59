// Starts the dashboard on a real database, with a collector beside it when there is one to run:
//   live  (PULLSIGHT_KUBECONFIG=path): the collector's own CLI snapshots that kubeconfig's contexts
//         every minute into DATABASE_URL (or the embedded database "pullsight");
//   serve (DATABASE_URL only): the dashboard over whatever that database holds (e2e tests, or a
//         collector deployed elsewhere);
//   demo  (neither, and a demo companion given): the demo app (apps/demo) passes one that builds a
//         simulated fleet's history into a database of its own.
// Ctrl-C or SIGTERM stops the web server, the collector or companion, and the database.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, symlinkSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chooseIdentityMode } from "@pullsight/api";
import { type Database, onShutdown, openDatabase, repoRoot } from "@pullsight/db/bootstrap";
import { type LauncherEnv, launcherEnv } from "./launcher-env.ts";

export type LaunchMode = "demo" | "live" | "serve";

/** What runs beside the dashboard in demo mode (the simulated fleet and its collector). */
export interface Companion {
  /** Resolves with a line for the log once its work is done (or null), after the server is up. */
  ready: Promise<string | null>;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  /** Starts the demo's companion on the demo database; without it, demo mode is refused. */
  demo?: (databaseUrl: string, log: (line: string) => void) => Promise<Companion>;
}

const log = (line: string) => console.log(`[pullsight] ${line}`);

export async function launch(options: LaunchOptions = {}): Promise<void> {
  const env = launcherEnv();
  const mode: LaunchMode = env.PULLSIGHT_KUBECONFIG ? "live" : env.DATABASE_URL ? "serve" : "demo";
  if (mode === "demo" && !options.demo) {
    console.error(
      "[pullsight] not starting: set DATABASE_URL (serve) or PULLSIGHT_KUBECONFIG (live); `npm start` runs the demo",
    );
    process.exit(2);
  }
  const identity = decideIdentity(mode, env);
  const db = await openDatabase(
    env,
    mode === "demo" ? { log, name: "pullsight_demo", fresh: true } : { log },
  );
  log(`database ready (${db.kind}${mode === "demo" ? ", demo database rebuilt" : ""})`);
  const next = startWeb(env, db.url, identity);
  const collector = mode === "live" ? startCollector(env, db.url) : null;
  const companion = mode === "demo" && options.demo ? await options.demo(db.url, log) : null;
  const stopping = stopTogether(db, next, collector, companion);
  const url = `http://${env.PULLSIGHT_HOST === "127.0.0.1" ? "localhost" : env.PULLSIGHT_HOST}:${env.PULLSIGHT_PORT}`;
  await waitForHealth(url);
  if (companion) {
    log(`dashboard at ${url} (history still being built; it fills in as it is collected)`);
    const line = await companion.ready.catch((error: unknown) => {
      log(`demo: building the history failed: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    });
    if (line && !stopping()) log(line);
  }
  if (!stopping()) log(`Pullsight is running at ${url}  (Ctrl-C to stop)`);
}

/** Decided before anything starts: a server that would make every visitor an admin does not start. */
function decideIdentity(mode: LaunchMode, env: LauncherEnv): string {
  try {
    const identity = chooseIdentityMode({
      requested: env.PULLSIGHT_AUTH,
      demoLaunch: mode === "demo",
      host: env.PULLSIGHT_HOST,
    });
    if (identity.warning) console.warn(`[pullsight] WARNING: ${identity.warning}`);
    log(`identity: ${identity.mode} mode`);
    return identity.mode;
  } catch (error) {
    console.error(`[pullsight] not starting: ${(error as Error).message}`);
    process.exit(2);
  }
}

/**
 * The standalone server the container image runs (next.config.ts `output`), with the client
 * bundles linked beside it as the image copies them (scripts/image.ts).
 */
function startWeb(env: LauncherEnv, databaseUrl: string, identity: string): ChildProcess {
  const appDir = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
  const standalone = path.join(appDir, ".next/standalone/apps/web");
  const server = path.join(standalone, "server.js");
  if (!existsSync(server)) {
    console.error("[pullsight] not starting: the web app is not built (run `pnpm build` first)");
    process.exit(2);
  }
  const statics = path.join(standalone, ".next/static");
  if (!existsSync(statics)) symlinkSync(path.join(appDir, ".next/static"), statics, "dir");
  return spawn(process.execPath, [server], {
    cwd: standalone,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...env.passThrough,
      PORT: String(env.PULLSIGHT_PORT),
      HOSTNAME: env.PULLSIGHT_HOST,
      DATABASE_URL: databaseUrl,
      PULLSIGHT_AUTH: identity,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
}

/** The collector's own CLI, as a deployed collector runs. */
function startCollector(env: LauncherEnv, databaseUrl: string): ChildProcess {
  return spawn(
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
    { stdio: ["ignore", "inherit", "inherit"], env: { ...env.passThrough, DATABASE_URL: databaseUrl } },
  );
}

const stopChild = (child: ChildProcess | null) =>
  new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });

/** Whatever ends one part ends them all; returns whether stopping has begun. */
function stopTogether(
  db: Database,
  next: ChildProcess,
  collector: ChildProcess | null,
  companion: Companion | null,
): () => boolean {
  let stopping = false;
  process.on("exit", () => {
    next.kill("SIGTERM");
    collector?.kill("SIGTERM");
  });
  onShutdown(async (signal) => {
    stopping = true;
    log(`${signal}: stopping`);
    await Promise.all([stopChild(next), stopChild(collector), companion?.stop()]);
    await db.close();
    log("stopped");
  });
  next.once("exit", async (code, signal) => {
    if (stopping) return; // our own shutdown: onShutdown finishes the job
    log(`web server exited (${signal ?? code}); stopping`);
    await Promise.all([stopChild(collector), companion?.stop()]);
    await db.close();
    process.exit(code ?? 1);
  });
  return () => stopping;
}

async function waitForHealth(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
