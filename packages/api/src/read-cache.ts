// Answers of read procedures, kept until the data changes.
//
// Every table has statement triggers that send NOTIFY pullsight_changed with the table's name, and
// with the cluster whose rows changed where the table belongs to clusters ("Finding:3"; migrations
// 20261121203000_change_notify, 20261202090000_change_notify_table,
// 20261202200000_change_notify_cluster). PostgreSQL delivers them after the writing transaction
// commits, whoever wrote (the collector, another web process, psql). The cache LISTENs on a
// connection of its own and, on each notification, forgets the answers that read that table, of
// that cluster or of every cluster (an answer says which tables it reads and, once computed, which
// clusters; one that does not say depends on all of them), so an answer is never served after a
// change to the data it was computed from became visible:
//   - each answer is stored with the sequence number of the last change heard when it started;
//     an answer is served only while no change heard since then touches what it read, so an
//     answer still being computed when a change commits is not served to anyone who asks after
//     the notification;
//   - while the listening connection is down (PostgreSQL restarted, network), nothing is cached
//     or served from the cache; it reconnects in the background and starts empty;
//   - a write through this process (a tRPC mutation) empties the cache as soon as it returns, so
//     the writer reads its own write without waiting for the notification;
//   - answers that depend on the clock (freshness, "the last 365 days") are kept at most `ttlMs`.
// Identical questions asked while the first is being answered share that one answer (a fleet
// dashboard opened by fifty people runs its queries once). Failed answers are not kept.
import { LRUCache } from "lru-cache";
import pg from "pg";

export const CHANGE_CHANNEL = "pullsight_changed";

export interface ReadCacheOptions {
  /** Answers kept at most (least recently used go first). Default 1,000. */
  max?: number;
  /** Longest an answer is kept without a change (clock-dependent answers). Default 10 s. */
  ttlMs?: number;
  /** Wait before listening again after the connection was lost. Default 1 s. */
  reconnectMs?: number;
  log?: (message: string) => void;
}

interface Entry {
  /** The sequence number of the last change heard when the answer started. */
  since: number;
  reads: readonly string[] | null;
  /** The clusters the answer read, once it is known (null: every cluster). */
  clusters: readonly number[] | null;
  answer: Promise<unknown>;
}

/** "Finding:3" → Finding of cluster 3; "Waiver" → the whole table. */
export function parseChange(payload: string): { table: string; cluster: number | null } {
  const colon = payload.lastIndexOf(":");
  const cluster = colon > 0 ? Number(payload.slice(colon + 1)) : Number.NaN;
  return Number.isInteger(cluster)
    ? { table: payload.slice(0, colon), cluster }
    : { table: payload, cluster: null };
}

export class ReadCache {
  readonly #url: string;
  readonly #reconnectMs: number;
  readonly #log: (message: string) => void;
  readonly #entries: LRUCache<string, Entry>;
  #client: pg.Client | null = null;
  /** The sequence number of the last change heard (moves on with every change and full invalidation). */
  #generation = 0;
  /** When everything was last forgotten (a mutation here, a reconnection, an unnamed change). */
  #everything = 0;
  /** When each table last changed, in any cluster or in none. */
  readonly #table = new Map<string, number>();
  /** When each table last changed in rows of no known cluster (the whole table). */
  readonly #wholeTable = new Map<string, number>();
  /** When each table last changed in a cluster's rows ("Finding:3"). */
  readonly #clusterTable = new Map<string, number>();
  #live = false;
  #closed = false;
  #timer: NodeJS.Timeout | null = null;
  /** Counters for tests and metrics. */
  readonly stats = { hits: 0, misses: 0, bypassed: 0, invalidations: 0 };

  private constructor(url: string, options: ReadCacheOptions) {
    this.#url = url;
    this.#reconnectMs = options.reconnectMs ?? 1000;
    this.#log = options.log ?? ((m) => console.warn(m));
    this.#entries = new LRUCache<string, Entry>({ max: options.max ?? 1000, ttl: options.ttlMs ?? 10_000 });
  }

  /** Starts listening; resolves once the first attempt finished (a failure is retried in the background). */
  static async start(url: string, options: ReadCacheOptions = {}): Promise<ReadCache> {
    const cache = new ReadCache(url, options);
    await cache.#listen();
    return cache;
  }

  /** True while changes are being heard: only then are answers kept and served. */
  get live(): boolean {
    return this.#live;
  }

  get generation(): number {
    return this.#generation;
  }

  /** True when no change heard since `entry` started touches what it read. */
  #current(entry: Entry): boolean {
    const since = entry.since;
    const after = (seq: number | undefined) => (seq ?? 0) > since;
    if (after(this.#everything)) return false;
    if (!entry.reads) return !after(this.#generation);
    const clusters = entry.clusters;
    return entry.reads.every((t) =>
      clusters === null
        ? !after(this.#table.get(t))
        : !after(this.#wholeTable.get(t)) &&
          clusters.every((c) => !after(this.#clusterTable.get(`${t}:${c}`))),
    );
  }

  /**
   * The answer for `key`: a kept one computed since the last change to what it reads (`reads`,
   * table names; null or absent: every table; `clustersOf(answer)`, the clusters it read; null or
   * absent: every cluster), or `compute()` (shared by concurrent askers).
   */
  read<T>(
    key: string,
    compute: () => Promise<T>,
    keep: (answer: T) => boolean = () => true,
    reads: readonly string[] | null = null,
    clustersOf: (answer: T) => readonly number[] | null = () => null,
  ): Promise<T> {
    if (!this.#live) {
      this.stats.bypassed += 1;
      return compute();
    }
    const found = this.#entries.get(key);
    if (found && this.#current(found)) {
      this.stats.hits += 1;
      return found.answer as Promise<T>;
    }
    this.stats.misses += 1;
    const entry: Entry = { since: this.#generation, reads, clusters: null, answer: compute() };
    this.#entries.set(key, entry);
    const forget = () => {
      if (this.#entries.peek(key) === entry) this.#entries.delete(key);
    };
    entry.answer.then((answer) => {
      if (!keep(answer as T)) forget();
      else entry.clusters = clustersOf(answer as T);
    }, forget);
    return entry.answer as Promise<T>;
  }

  /** Forgets every answer (a change was committed, or may have been). */
  invalidate(): void {
    this.#generation += 1;
    this.#everything = this.#generation;
    this.stats.invalidations += 1;
    this.#entries.clear();
  }

  /**
   * Forgets the answers that read `table` in `cluster`'s rows (null: in any rows), those that read
   * it for every cluster, and those that read everything.
   */
  invalidateTable(table: string, cluster: number | null = null): void {
    const seq = ++this.#generation;
    this.#table.set(table, seq);
    if (cluster === null) this.#wholeTable.set(table, seq);
    else this.#clusterTable.set(`${table}:${cluster}`, seq);
    this.stats.invalidations += 1;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#live = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#entries.clear();
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => {});
  }

  async #listen(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.#url, application_name: "pullsight-read-cache" });
    const lost = (why: string) => {
      if (this.#client !== client) return;
      this.#client = null;
      this.#live = false;
      this.invalidate();
      client.end().catch(() => {});
      if (this.#closed) return;
      this.#log(`read cache: not listening for changes (${why}); answers are not cached until it reconnects`);
      this.#timer = setTimeout(() => void this.#listen(), this.#reconnectMs);
      this.#timer.unref();
    };
    client.on("notification", (n) => {
      if (n.channel !== CHANGE_CHANNEL) return;
      // A notification without a table (an older trigger, a hand-sent NOTIFY) may be anything.
      if (!n.payload) this.invalidate();
      else {
        const { table, cluster } = parseChange(n.payload);
        this.invalidateTable(table, cluster);
      }
    });
    client.on("error", (e) => lost(e.message));
    client.on("end", () => lost("connection ended"));
    this.#client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      lost(error instanceof Error ? error.message : String(error));
      return;
    }
    if (this.#client !== client) return;
    // Anything may have changed while nobody listened.
    this.invalidate();
    this.#live = true;
  }
}
