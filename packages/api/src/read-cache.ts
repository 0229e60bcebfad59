// Answers of read procedures, kept until the data changes.
//
// Every table has a statement trigger that sends NOTIFY pullsight_changed with the table's name
// (migrations 20261121203000_change_notify, 20261202090000_change_notify_table); PostgreSQL
// delivers it after the writing transaction commits, whoever wrote (the collector, another web
// process, psql). The cache LISTENs on a connection of its own and forgets, on each notification,
// the answers that read that table (an answer says which tables it reads; one that does not say
// depends on all of them), so an answer is never served after a change to the data it was
// computed from became visible:
//   - each answer is stored with the generations of what it read when it started; a notification
//     moves its table's generation on, so an answer still being computed when the change commits
//     is not served to anyone who asks after the notification;
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
  /** The generations of what the answer read when it started (see #stamp). */
  stamp: string;
  reads: readonly string[] | null;
  answer: Promise<unknown>;
}

export class ReadCache {
  readonly #url: string;
  readonly #reconnectMs: number;
  readonly #log: (message: string) => void;
  readonly #entries: LRUCache<string, Entry>;
  #client: pg.Client | null = null;
  /** Moves on with every change heard and every full invalidation. */
  #generation = 0;
  /** Moves on only with a full invalidation (a mutation here, a reconnection, an unnamed change). */
  #epoch = 0;
  readonly #tables = new Map<string, number>();
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

  /** What an answer that read `reads` (null: everything) depends on, as it stands now. */
  #stamp(reads: readonly string[] | null): string {
    if (!reads) return `${this.#generation}`;
    return `${this.#epoch}:${reads.map((t) => this.#tables.get(t) ?? 0).join(",")}`;
  }

  /**
   * The answer for `key`: a kept one computed since the last change to what it reads (`reads`,
   * table names; null or absent: every table), or `compute()` (shared by concurrent askers).
   */
  read<T>(
    key: string,
    compute: () => Promise<T>,
    keep: (answer: T) => boolean = () => true,
    reads: readonly string[] | null = null,
  ): Promise<T> {
    if (!this.#live) {
      this.stats.bypassed += 1;
      return compute();
    }
    const found = this.#entries.get(key);
    if (found && found.stamp === this.#stamp(found.reads)) {
      this.stats.hits += 1;
      return found.answer as Promise<T>;
    }
    this.stats.misses += 1;
    const entry: Entry = { stamp: this.#stamp(reads), reads, answer: compute() };
    this.#entries.set(key, entry);
    const forget = () => {
      if (this.#entries.peek(key) === entry) this.#entries.delete(key);
    };
    entry.answer.then((answer) => {
      if (!keep(answer as T)) forget();
    }, forget);
    return entry.answer as Promise<T>;
  }

  /** Forgets every answer (a change was committed, or may have been). */
  invalidate(): void {
    this.#generation += 1;
    this.#epoch += 1;
    this.stats.invalidations += 1;
    this.#entries.clear();
  }

  /** Forgets the answers that read `table` (and those that read everything). */
  invalidateTable(table: string): void {
    this.#generation += 1;
    this.#tables.set(table, (this.#tables.get(table) ?? 0) + 1);
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
      if (n.payload) this.invalidateTable(n.payload);
      else this.invalidate();
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
