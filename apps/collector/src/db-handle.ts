// The collector's database client, renewable. When PostgreSQL died inside a Prisma interactive
// transaction, Prisma 6.19 with @prisma/adapter-pg never returned that connection to the pg pool.
// The snapshot write now runs on a pg connection of its own that is destroyed on failure
// (storage-faults.test.ts checks the slot comes back), so no known path leaks any more; the
// renewal after a storage failure stays as a cheap safety net (a fresh pool, the old one closed in
// the background with a bound).
import { closeDb, createDb, type Db } from "@pullsight/db";
import { type Logger, silentLogger } from "@pullsight/observe";
import type { ClusterOutcome } from "./collect.ts";

export class DbHandle {
  private client: Db;
  renewals = 0;

  constructor(
    private readonly url: string,
    private readonly opts: { max?: number; log?: Logger } = {},
  ) {
    this.client = createDb(url, opts.max ? { max: opts.max } : {});
  }

  get db(): Db {
    return this.client;
  }

  /** Replaces the client when any outcome failed in storage; returns whether it did. */
  renewAfter(outcomes: ClusterOutcome[]): boolean {
    const failed = outcomes.filter((o) => o.failures.some((f) => f.kind === "storage"));
    if (!failed.length) return false;
    const old = this.client;
    this.client = createDb(this.url, this.opts.max ? { max: this.opts.max } : {});
    this.renewals += 1;
    (this.opts.log ?? silentLogger).warn("database client renewed after a storage failure", {
      clusters: failed.map((o) => o.cluster),
    });
    void closeDb(old, 30_000);
    return true;
  }

  close(timeoutMs?: number): Promise<boolean> {
    return closeDb(this.client, timeoutMs);
  }
}
