// `pnpm db:migrate`, and the web image's migration step (`node packages/db/dist/migrate.mjs`):
// applies pending migrations to DATABASE_URL as PULLSIGHT_MIGRATION_URL's role (the tables'
// owner) and grants DATABASE_URL's role its rights; without DATABASE_URL, the embedded database.
import { createLogger } from "@pullsight/observe";
import { openDatabase } from "../database.ts";
import { readDatabaseEnv } from "../env.ts";

const log = createLogger({ name: "migrate" });
try {
  const db = await openDatabase(readDatabaseEnv(process.env), { log: (line) => log.info(line) });
  log.info("migrations applied", { database: db.kind });
  await db.close();
} catch (error) {
  log.error("migrations not applied", { error });
  process.exit(1);
}
