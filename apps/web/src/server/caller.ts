import "server-only";
import {
  apiMetrics,
  createCaller,
  createContext,
  createDb,
  createExportPool,
  type Db,
  type Identity,
  poolOf,
  ReadCache,
  resolveIdentity,
} from "@pullsight/api";
import { headers } from "next/headers";
import type pg from "pg";
import { cache } from "react";
import { authConfig, limits, readCacheEnabled, serverEnv } from "./env.ts";
import { log } from "./log.ts";

export { limits };

// One client and one export pool per server process (Next may evaluate this module more than once in dev).
const globalForDb = globalThis as unknown as {
  pullsightDb?: Db;
  pullsightExportPool?: pg.Pool;
  pullsightReadCache?: Promise<ReadCache | null>;
};

export function getDb(): Db {
  if (!globalForDb.pullsightDb) {
    globalForDb.pullsightDb = createDb(serverEnv().DATABASE_URL);
    apiMetrics().watchPool("queries", poolOf(globalForDb.pullsightDb));
  }
  return globalForDb.pullsightDb;
}

/** Connections for export cursors (Prisma's pool cannot lend one for a cursor). */
export function getExportPool(): pg.Pool {
  const l = limits().exports;
  if (!globalForDb.pullsightExportPool) {
    globalForDb.pullsightExportPool = createExportPool(serverEnv().DATABASE_URL, {
      max: l.connections,
      waitMs: l.waitMs,
      statementMs: l.statementMs,
      // The server's backstop behind the stream's own idle cut-off.
      idleInTransactionMs: l.idleMs + 30_000,
    });
    apiMetrics().watchPool("exports", globalForDb.pullsightExportPool);
  }
  return globalForDb.pullsightExportPool;
}

/**
 * Query answers kept until the data changes (packages/api/src/read-cache.ts), one per process;
 * PULLSIGHT_READ_CACHE=off runs every query.
 */
export function getReadCache(): Promise<ReadCache | null> {
  globalForDb.pullsightReadCache ??= (
    readCacheEnabled()
      ? ReadCache.start(serverEnv().DATABASE_URL, { log: (message) => log().warn(message) })
      : Promise.resolve(null)
  ).then((cache) => {
    apiMetrics().watchReadCache(cache);
    return cache;
  });
  return globalForDb.pullsightReadCache;
}

/** The identity of a request, from its headers (proxy mode) or the configured demo user. */
export function identityOf(h: Headers): Identity | null {
  return resolveIdentity(h, authConfig());
}

/** tRPC caller for server components, one per request, as the requesting user. */
export const api = cache(async () =>
  createCaller(
    createContext({
      db: getDb(),
      user: identityOf(await headers()),
      cache: await getReadCache(),
      limits: limits().request,
    }),
  ),
);
