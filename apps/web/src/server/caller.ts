import "server-only";
import { createCaller, createContext } from "@pullsight/api";
import { createDb, type Db } from "@pullsight/db";
import { cache } from "react";
import { serverEnv } from "./env.ts";

// One client per server process (Next may evaluate this module more than once in dev).
const globalForDb = globalThis as unknown as { pullsightDb?: Db };

export function getDb(): Db {
  globalForDb.pullsightDb ??= createDb(serverEnv().DATABASE_URL);
  return globalForDb.pullsightDb;
}

/** tRPC caller for server components, one per request. */
export const api = cache(() => createCaller(createContext({ db: getDb() })));
