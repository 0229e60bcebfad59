import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { childProcessEnv } from "./env.ts";

const require = createRequire(import.meta.url);

/** Runs Prisma's CLI (JS engine, pg adapter: works offline) with DATABASE_URL set to `url`. */
export async function runPrismaCli(args: string[], url: string): Promise<string> {
  const cli = path.join(path.dirname(require.resolve("prisma/package.json")), "build/index.js");
  const config = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../prisma.config.ts");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args, "--config", config], {
      env: childProcessEnv({
        DATABASE_URL: url,
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
        CHECKPOINT_DISABLE: "1",
        PRISMA_DISABLE_WARNINGS: "1",
      }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.once("error", reject);
    child.once("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`prisma ${args.join(" ")} failed (exit ${code}):\n${out.trim()}`));
    });
  });
}

const MIGRATIONS = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../prisma/migrations");

/**
 * A session lock of Pullsight's own (Prisma's migrate takes its own lock, but gives up after 10 s
 * with P1002): processes that start together — one collector per cluster, web replicas — migrate
 * one after another, and those after the first find nothing left to do.
 */
const MIGRATION_LOCK = 7_370_212;

/** Committed migrations the database has not applied (all of them on an empty database). */
export async function pendingMigrations(client: pg.ClientBase): Promise<string[]> {
  const committed = readdirSync(MIGRATIONS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const { rows } = await client.query<{ t: string | null }>(
    "SELECT to_regclass('_prisma_migrations')::text AS t",
  );
  if (!rows[0]?.t) return committed;
  const done = await client.query<{ migration_name: string }>(
    'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  const applied = new Set(done.rows.map((r) => r.migration_name));
  return committed.filter((m) => !applied.has(m));
}

/**
 * Applies every committed migration under prisma/migrations that the database lacks, under a lock
 * that serializes concurrent starts; Prisma's CLI runs only when something is pending (a failed
 * migration counts as pending, so Prisma reports it).
 */
export async function applyMigrations(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    if ((await pendingMigrations(client)).length > 0) await runPrismaCli(["migrate", "deploy"], url);
  } finally {
    // Ending the session releases the lock whatever happened.
    await client.end();
  }
}
