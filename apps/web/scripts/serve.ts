// Starts the web app on a real database: DATABASE_URL when set, otherwise the embedded
// PostgreSQL under .data/ (started, migrated, and stopped again on Ctrl-C or SIGTERM).

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { databaseEnvSchema, onShutdown, openDatabase } from "@pullsight/db/bootstrap";
import { z } from "zod";

const env = databaseEnvSchema
  .extend({
    PULLSIGHT_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    PULLSIGHT_HOST: z.string().default("127.0.0.1"),
  })
  .parse(process.env);

const log = (line: string) => console.log(`[pullsight] ${line}`);
const db = await openDatabase(env, { log });
log(`database ready (${db.kind})`);

const require = createRequire(import.meta.url);
const nextBin = path.join(path.dirname(require.resolve("next/package.json")), "dist/bin/next");
const appDir = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const next = spawn(
  process.execPath,
  [nextBin, "start", "--port", String(env.PULLSIGHT_PORT), "--hostname", env.PULLSIGHT_HOST],
  {
    cwd: appDir,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, DATABASE_URL: db.url, NEXT_TELEMETRY_DISABLED: "1" },
  },
);
// Whatever ends this process, the web server goes with it.
process.on("exit", () => next.kill("SIGTERM"));

const stopNext = () =>
  new Promise<void>((resolve) => {
    if (next.exitCode !== null || next.signalCode !== null) return resolve();
    next.once("exit", () => resolve());
    next.kill("SIGTERM");
  });

let stopping = false;
onShutdown(async (signal) => {
  stopping = true;
  log(`${signal}: stopping`);
  await stopNext();
  await db.close();
  log("stopped");
});

next.once("exit", async (code, signal) => {
  if (stopping) return; // our own shutdown: onShutdown finishes the job
  log(`web server exited (${signal ?? code}); stopping the database`);
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
log(`Pullsight is running at ${url}  (Ctrl-C to stop)`);
