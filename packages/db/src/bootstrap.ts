// Getting a database for a process: DATABASE_URL or an embedded PostgreSQL, migrated.
export { DATABASE_NAME, type Database, ensureDatabase, openDatabase, withAdminClient } from "./database.ts";
export { freePort, isPortTaken, startEmbeddedPostgres } from "./embedded.ts";
export { type DatabaseEnv, databaseEnvSchema, readDatabaseEnv, repoRoot } from "./env.ts";
export { onShutdown } from "./lifecycle.ts";
export { applyMigrations, runPrismaCli } from "./migrate.ts";
export { APP_ROLE, ensureLoginRole, grantAppRole, grantToUrlRole, withCredentials } from "./roles.ts";
