// `pnpm db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database.
import { openDatabase } from "../database.ts";
import { readDatabaseEnv } from "../env.ts";

const db = await openDatabase(readDatabaseEnv(process.env), { log: (l) => console.log(l) });
console.log(`migrations applied (${db.kind} database)`);
await db.close();
