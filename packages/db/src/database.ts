import path from "node:path";
import pg from "pg";
import { type EmbeddedServer, startEmbeddedPostgres } from "./embedded.ts";
import { type DatabaseEnv, repoRoot } from "./env.ts";
import { applyMigrations } from "./migrate.ts";
import { APP_ROLE, ensureLoginRole, grantToUrlRole, roleOwnsTables, withCredentials } from "./roles.ts";

export const DATABASE_NAME = "pullsight";

export interface Database {
  /** Connection URL of the migrated Pullsight database, as the application role (roles.ts). */
  url: string;
  /** The same database as the tables' owner: migrations and maintenance only. */
  ownerUrl: string;
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

/** The embedded server's application role password: it listens on loopback only, like its owner's. */
const APP_PASSWORD = "pullsight";

/** Migrates as the owner, then grants the application role its rights and checks it owns nothing. */
async function migrateAndGrant(ownerUrl: string, url: string, log: (line: string) => void): Promise<void> {
  await applyMigrations(ownerUrl);
  if (ownerUrl !== url) await grantToUrlRole(ownerUrl, url);
  const problem = await roleOwnsTables(url);
  if (problem)
    log(
      `warning: the database role the web and collector use ${problem}, so it could drop the ` +
        "triggers that keep signed reviews unchanged; give it a role of its own and set " +
        'PULLSIGHT_MIGRATION_URL to the owner (README, "Database roles")',
    );
}

/**
 * The one way to get a database: DATABASE_URL when set (migrated as PULLSIGHT_MIGRATION_URL's role
 * when that is set), otherwise an embedded PostgreSQL with its data under PULLSIGHT_DATA_DIR
 * (default `.data/`), migrated as its superuser and used as the application role.
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
    const ownerUrl = env.PULLSIGHT_MIGRATION_URL ?? env.DATABASE_URL;
    if (env.PULLSIGHT_MIGRATE === "on") await migrateAndGrant(ownerUrl, env.DATABASE_URL, log);
    else log("migrations left to the migration step (PULLSIGHT_MIGRATE=off)");
    return { url: env.DATABASE_URL, ownerUrl, kind: "external", close: async () => {} };
  }
  const dataDir = path.resolve(repoRoot, env.PULLSIGHT_DATA_DIR, "postgres");
  log(`starting embedded PostgreSQL (data in ${dataDir}, port ${env.PULLSIGHT_PG_PORT})`);
  const server: EmbeddedServer = await startEmbeddedPostgres({ dataDir, port: env.PULLSIGHT_PG_PORT });
  try {
    const name = opts.name ?? DATABASE_NAME;
    const ownerUrl = server.url(name);
    if (opts.fresh)
      await withAdminClient(ownerUrl, (c) =>
        c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
      );
    await ensureDatabase(ownerUrl, name);
    await withAdminClient(ownerUrl, (c) => ensureLoginRole(c, APP_ROLE, APP_PASSWORD));
    const url = withCredentials(ownerUrl, APP_ROLE, APP_PASSWORD);
    await migrateAndGrant(ownerUrl, url, log);
    return { url, ownerUrl, kind: "embedded", close: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
