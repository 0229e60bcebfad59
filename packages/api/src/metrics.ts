// The web process's Prometheus metrics (GET /metrics). Every label value is a name the product
// defines — a procedure, a route pattern, an export kind, an outcome, a pool — never a workload, an
// image, a user or a filter's value, so the number of series is fixed by the code, not by the
// fleet or by who uses it.
import type pg from "pg";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ReadCache } from "./read-cache.ts";

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const METHODS = new Set(["GET", "HEAD", "POST"]);

/** "2xx".."5xx": the status as a class, which is what an alert asks about. */
export const statusClass = (status: number) =>
  status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : "other";

export class ApiMetrics {
  readonly registry = new Registry();
  readonly #procedures = new Histogram({
    name: "pullsight_procedure_duration_seconds",
    help: "Time to answer a tRPC procedure (from the read cache or the database), by outcome.",
    labelNames: ["procedure", "type", "outcome"],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly #requests = new Histogram({
    name: "pullsight_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by the route pattern that served it (pages, API, exports).",
    labelNames: ["route", "method", "status"],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly #exports = new Counter({
    name: "pullsight_exports_total",
    help: "CSV exports by kind and outcome (completed, cut, refused_4xx, busy, failed).",
    labelNames: ["kind", "outcome"],
    registers: [this.registry],
  });
  readonly #exportBytes = new Counter({
    name: "pullsight_export_bytes_total",
    help: "CSV bytes sent, by export kind.",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  readonly #exportRows = new Counter({
    name: "pullsight_export_rows_total",
    help: "CSV rows sent, by export kind.",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  readonly #poolWait = new Histogram({
    name: "pullsight_db_pool_wait_seconds",
    help: "Time a query waited for a database connection, by pool.",
    labelNames: ["pool"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly #pools = new Map<string, pg.Pool>();
  #cache: ReadCache | null = null;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "pullsight_web_" });
    this.#cacheMetrics();
    this.#poolGauges();
  }

  observeProcedure(procedure: string, type: string, outcome: string, seconds: number): void {
    this.#procedures.observe({ procedure, type, outcome }, seconds);
  }

  /** `route` is a route pattern ("/workloads/[id]"), never a path with values in it. */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const m = method.toUpperCase();
    this.#requests.observe(
      { route, method: METHODS.has(m) ? m : "other", status: statusClass(status) },
      seconds,
    );
  }

  /** An export that was refused (`outcome` names why) or that ended, with what it sent. */
  observeExport(kind: string, outcome: string, sent?: { rows: number; bytes: number }): void {
    this.#exports.inc({ kind, outcome });
    if (!sent) return;
    this.#exportRows.inc({ kind }, sent.rows);
    this.#exportBytes.inc({ kind }, sent.bytes);
  }

  watchReadCache(cache: ReadCache | null): void {
    this.#cache = cache;
  }

  /** Times every wait for one of the pool's connections, and reports its size each scrape. */
  watchPool(name: string, pool: pg.Pool): void {
    if (this.#pools.get(name) === pool) return;
    this.#pools.set(name, pool);
    const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
    const wait = this.#poolWait;
    // Every query goes through connect(), callback or promise style alike.
    (pool as { connect: unknown }).connect = (callback?: (...a: unknown[]) => void) => {
      const end = wait.startTimer({ pool: name });
      const p = connect().finally(end);
      if (!callback) return p;
      p.then(
        (client) => callback(undefined, client, client.release.bind(client)),
        (error) => callback(error),
      );
      return undefined;
    };
  }

  #cacheMetrics(): void {
    const stats = () => this.#cache?.stats;
    new Counter({
      name: "pullsight_read_cache_requests_total",
      help: "Read-cache lookups: hit (answered from the cache), miss (computed), bypassed (not listening).",
      labelNames: ["result"],
      registers: [this.registry],
      collect() {
        const s = stats();
        this.reset();
        if (!s) return;
        this.inc({ result: "hit" }, s.hits);
        this.inc({ result: "miss" }, s.misses);
        this.inc({ result: "bypassed" }, s.bypassed);
      },
    });
    new Counter({
      name: "pullsight_read_cache_invalidations_total",
      help: "Times the read cache forgot answers because data changed (a notification or a mutation).",
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(stats()?.invalidations ?? 0);
      },
    });
    const cache = () => this.#cache;
    new Gauge({
      name: "pullsight_read_cache_live",
      help: "1 while the read cache hears change notifications (only then does it serve answers).",
      registers: [this.registry],
      collect() {
        this.set(cache()?.live ? 1 : 0);
      },
    });
  }

  #poolGauges(): void {
    const pools = this.#pools;
    new Gauge({
      name: "pullsight_db_pool_connections",
      help: "Database connections by pool and state (busy, idle, waiting: queries queued for one).",
      labelNames: ["pool", "state"],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [pool, p] of pools) {
          this.set({ pool, state: "busy" }, p.totalCount - p.idleCount);
          this.set({ pool, state: "idle" }, p.idleCount);
          this.set({ pool, state: "waiting" }, p.waitingCount);
        }
      },
    });
  }
}

const global = globalThis as unknown as { pullsightApiMetrics?: ApiMetrics };

/** The process's one set of metrics (Next may evaluate a module more than once). */
export function apiMetrics(): ApiMetrics {
  global.pullsightApiMetrics ??= new ApiMetrics();
  return global.pullsightApiMetrics;
}
