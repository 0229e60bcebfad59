// The prober's Prometheus metrics, labelled by registry and outcome only (never a reference), so
// the series count stays proportional to the number of registries.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { RoundReport } from "./round.ts";

export class ProbeMetrics {
  readonly registry = new Registry();
  private readonly answers = new Counter({
    name: "pullsight_registry_answers_total",
    help: "References probed, by registry and outcome.",
    labelNames: ["registry", "outcome"],
    registers: [this.registry],
  });
  private readonly requests = new Counter({
    name: "pullsight_registry_requests_total",
    help: "HTTP requests sent to each registry (token exchanges included).",
    labelNames: ["registry"],
    registers: [this.registry],
  });
  private readonly throttled = new Counter({
    name: "pullsight_registry_throttled_total",
    help: "429 answers received, by registry.",
    labelNames: ["registry"],
    registers: [this.registry],
  });
  private readonly latency = new Gauge({
    name: "pullsight_registry_probe_p95_seconds",
    help: "95th percentile of answered probes in the latest round, by registry.",
    labelNames: ["registry"],
    registers: [this.registry],
  });
  private readonly remaining = new Gauge({
    name: "pullsight_registry_rate_limit_remaining",
    help: "Lowest RateLimit-Remaining the registry announced in the latest round.",
    labelNames: ["registry"],
    registers: [this.registry],
  });
  private readonly pullSecrets = new Counter({
    name: "pullsight_probe_pull_secrets_total",
    help: "Pull Secrets the prober tried to read (opt-in), by cluster and outcome (read, notPullSecret, missing, forbidden, failed, unreachable).",
    labelNames: ["cluster", "outcome"],
    registers: [this.registry],
  });
  private readonly round = new Histogram({
    name: "pullsight_registry_round_seconds",
    help: "Time one probe round took.",
    buckets: [1, 5, 15, 60, 300, 900, 1800],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  record(report: RoundReport, seconds: number) {
    this.round.observe(seconds);
    for (const r of report.rounds) {
      for (const [outcome, n] of Object.entries(r.outcomes))
        this.answers.inc({ registry: r.registry, outcome }, n);
      this.requests.inc({ registry: r.registry }, r.requests);
      this.throttled.inc({ registry: r.registry }, r.throttled);
      if (r.p95Ms !== null) this.latency.set({ registry: r.registry }, r.p95Ms / 1000);
      if (r.rateLimitRemaining !== null) this.remaining.set({ registry: r.registry }, r.rateLimitRemaining);
    }
    for (const { cluster, ...outcomes } of report.pullSecretReads ?? [])
      for (const [outcome, n] of Object.entries(outcomes)) this.pullSecrets.inc({ cluster, outcome }, n);
  }
}
