// The collector's database client, renewable. When PostgreSQL dies inside the snapshot's
// interactive transaction, Prisma 6.19 with @prisma/adapter-pg never returns that connection to
// the pg pool (storage-faults.test.ts shows it): every such failure costs a pool slot for good,
// and a long-running collector would end up waiting forever for a connection. After a storage
// failure the service therefore swaps in a fresh client and closes the old one in the background
// (bounded: the leaked connection would keep $disconnect waiting forever).
import { closeDb, createDb, type Db } from "@pullsight/db";
import type { ClusterOutcome } from "./collect.ts";
import { type Logger, silentLogger } from "./log.ts";

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
