import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export type Db = PrismaClient;

/**
 * Each client's pool, kept on the process rather than the module: a bundler may evaluate this
 * module more than once (Next.js does, for its server layers), and a client made by one copy must
 * still find its pool through another.
 */
const processWide = globalThis as unknown as Record<symbol, WeakMap<Db, pg.Pool> | undefined>;
const POOLS = Symbol.for("pullsight.db.pools");
const pools: WeakMap<Db, pg.Pool> = processWide[POOLS] ?? new WeakMap();
processWide[POOLS] = pools;

/**
 * A Prisma client on the pg driver adapter (no native query engine needed). The adapter gets a
 * pool of our own, so that bulk writes can use it directly (`poolOf`): Prisma's per-value work on
 * large inserts costs ~3 s per 100,000 rows where the same statement through pg takes ~1 s.
 */
export function createDb(url: string, opts: { max?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString: withSessionSettings(url), max: opts.max ?? 10 });
  // An idle connection that dies (PostgreSQL restarted) is dropped by pg and fails no query; without
  // a listener the pool's "error" event would end the process.
  pool.on("error", () => {});
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(db, pool);
  return db;
}

/**
 * Settings for every session of the product's pool, added to any the URL brings (`options`).
 * Parallel workers stay off: each answer reads little, many answer at once, and starting workers
 * cost more than they saved on every read measured at benchmark size (bench/plans, README).
 */
export const SESSION_SETTINGS = "-c max_parallel_workers_per_gather=0";

export function withSessionSettings(url: string): string {
  const u = new URL(url);
  const given = u.searchParams.get("options");
  u.searchParams.set("options", given ? `${given} ${SESSION_SETTINGS}` : SESSION_SETTINGS);
  return u.toString();
}

/** The pg pool under a client made by `createDb` (ended by its `$disconnect`). */
export function poolOf(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error("poolOf: this client was not made by createDb");
  return pool;
}

/**
 * Disconnects, but gives up after `timeoutMs`: when PostgreSQL dies inside an interactive
 * transaction, the adapter does not return that connection to its pool, and $disconnect would
 * wait for it forever (seen in storage-faults.test.ts). Returns false when it gave up.
 */
export async function closeDb(db: Db, timeoutMs = 5_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  const done = await Promise.race([db.$disconnect().then(() => true as const), gaveUp]);
  clearTimeout(timer);
  return done;
}
