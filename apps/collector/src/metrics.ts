// Prometheus metrics, labelled by cluster, status and kind only: never pod or image names, so the
// series count stays proportional to the number of clusters.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ClusterOutcome } from "./collect.ts";
import type { EventWatcher } from "./event-watch.ts";

export class CollectorMetrics {
  readonly registry = new Registry();
  private readonly snapshots = new Counter({
    name: "pullsight_snapshots_total",
    help: "Snapshots by cluster and status.",
    labelNames: ["cluster", "status"],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: "pullsight_snapshot_duration_seconds",
    help: "Time to read and store one cluster's snapshot.",
    labelNames: ["cluster"],
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  private readonly kindFailures = new Counter({
    name: "pullsight_read_failures_total",
    help: "Kinds that could not be read, by reason.",
    labelNames: ["cluster", "kind", "reason"],
    registers: [this.registry],
  });
  private readonly rows = new Counter({
    name: "pullsight_rows_written_total",
    help: "Rows written by snapshots, by table.",
    labelNames: ["cluster", "table"],
    registers: [this.registry],
  });
  private readonly kindsRead = new Counter({
    name: "pullsight_kinds_read_total",
    help: "Kinds a snapshot read, by source: listed, or taken from the kind's watch.",
    labelNames: ["cluster", "source"],
    registers: [this.registry],
  });
  private readonly lastSuccess = new Gauge({
    name: "pullsight_last_complete_snapshot_timestamp_seconds",
    help: "When the cluster's last complete snapshot finished.",
    labelNames: ["cluster"],
    registers: [this.registry],
  });

  constructor(watchers: Array<{ cluster: string; watcher: EventWatcher }> = []) {
    collectDefaultMetrics({ register: this.registry, prefix: "pullsight_collector_" });
    const stat = (
      name: string,
      help: string,
      pick: (w: EventWatcher) => number,
      type: "counter" | "gauge" = "counter",
    ) =>
      new (type === "counter" ? Counter : Gauge)({
        name,
        help,
        labelNames: ["cluster"],
        registers: [this.registry],
        collect(this: Counter<"cluster"> | Gauge<"cluster">) {
          // The watchers hold the running totals: publish them as they are at scrape time.
          this.reset();
          for (const { cluster, watcher } of watchers) {
            const value = pick(watcher);
            if (this instanceof Gauge) this.set({ cluster }, value);
            else this.inc({ cluster }, value);
          }
        },
      });
    stat(
      "pullsight_events_received_total",
      "Events received from the cluster (list and watch).",
      (w) => w.stats.received,
    );
    stat("pullsight_events_stored_total", "Pull events written (upserted by UID).", (w) => w.stats.stored);
    stat(
      "pullsight_event_watch_resumes_total",
      "Watches resumed after they ended or dropped.",
      (w) => w.stats.resumes,
    );
    stat("pullsight_event_relists_total", "Full event lists (start and after 410).", (w) => w.stats.relists);
  }

  record(outcome: ClusterOutcome) {
    this.snapshots.inc({ cluster: outcome.cluster, status: outcome.status });
    this.duration.observe({ cluster: outcome.cluster }, outcome.durationMs / 1000);
    for (const f of outcome.failures)
      this.kindFailures.inc({ cluster: outcome.cluster, kind: f.kind, reason: f.reason });
    for (const [table, n] of Object.entries(outcome.rows ?? {}))
      this.rows.inc({ cluster: outcome.cluster, table }, n);
    if (outcome.kinds) {
      this.kindsRead.inc({ cluster: outcome.cluster, source: "list" }, outcome.kinds.listed);
      this.kindsRead.inc({ cluster: outcome.cluster, source: "watch" }, outcome.kinds.watched);
    }
    if (outcome.status === "complete") this.lastSuccess.set({ cluster: outcome.cluster }, Date.now() / 1000);
  }

  /** Serves GET /metrics (and /healthz) on the port. */
  serve(port: number, host = "0.0.0.0") {
    return serveMetrics(this.registry, port, host);
  }
}

/** Serves a registry's GET /metrics (and /healthz) on the port. */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host = "0.0.0.0",
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    if (req.url === "/metrics") {
      res.writeHead(200, { "Content-Type": registry.contentType });
      res.end(await registry.metrics());
    } else if (req.url === "/healthz") {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("ok\n");
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, host, () => resolve()));
  return {
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
