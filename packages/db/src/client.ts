import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export type Db = PrismaClient;

/** A Prisma client on the pg driver adapter (no native query engine needed). */
export function createDb(url: string, opts: { max?: number } = {}): Db {
  const adapter = new PrismaPg({ connectionString: url, max: opts.max ?? 10 });
  return new PrismaClient({ adapter });
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
