import path from "node:path";
import pg from "pg";
import { type EmbeddedServer, startEmbeddedPostgres } from "./embedded.ts";
import { type DatabaseEnv, repoRoot } from "./env.ts";
import { applyMigrations } from "./migrate.ts";

export const DATABASE_NAME = "pullsight";

export interface Database {
  /** Connection URL of the migrated Pullsight database. */
  url: string;
  /** "embedded" when this process started PostgreSQL itself, "external" for DATABASE_URL. */
  kind: "embedded" | "external";
  /** Stops the embedded server (if we started one). Safe to call twice. */
  close(): Promise<void>;
}

/** Runs `sql` on the maintenance database of the server behind `url`. */
export async function withAdminClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the database unless it exists (optionally as a copy of a template database). */
export async function ensureDatabase(serverUrl: string, name: string, template?: string): Promise<void> {
  await withAdminClient(serverUrl, async (client) => {
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount) return;
    const ident = pg.escapeIdentifier(name);
    const from = template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : "";
    await client.query(`CREATE DATABASE ${ident}${from}`);
  });
}

/**
 * The one way to get a database: DATABASE_URL when set, otherwise an embedded PostgreSQL with
 * its data under PULLSIGHT_DATA_DIR (default `.data/`). Pending migrations are applied either way.
 */
export async function openDatabase(
  env: DatabaseEnv,
  opts: {
    log?: (line: string) => void;
    /** The embedded server's database to use (default "pullsight"; DATABASE_URL names its own). */
    name?: string;
    /** Drop and recreate that embedded database first (the demo's, rebuilt on every start). */
    fresh?: boolean;
  } = {},
): Promise<Database> {
  const log = opts.log ?? (() => {});
  if (env.DATABASE_URL) {
    await applyMigrations(env.DATABASE_URL);
    return { url: env.DATABASE_URL, kind: "external", close: async () => {} };
  }
  const dataDir = path.resolve(repoRoot, env.PULLSIGHT_DATA_DIR, "postgres");
  log(`starting embedded PostgreSQL (data in ${dataDir}, port ${env.PULLSIGHT_PG_PORT})`);
  const server: EmbeddedServer = await startEmbeddedPostgres({ dataDir, port: env.PULLSIGHT_PG_PORT });
  try {
    const name = opts.name ?? DATABASE_NAME;
    const url = server.url(name);
    if (opts.fresh)
      await withAdminClient(url, (c) =>
        c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
      );
    await ensureDatabase(url, name);
    await applyMigrations(url);
    return { url, kind: "embedded", close: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
