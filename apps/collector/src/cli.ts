// pullsight collect: snapshots clusters into PostgreSQL, once (--once) or every --interval seconds.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_PROFILES, parseProfiles } from "@pullsight/core";
import { onShutdown, openDatabase, readDatabaseEnv } from "@pullsight/db/bootstrap";
import { createLogger } from "@pullsight/observe";
import { simulatorClock } from "./backfill.ts";
import { DbHandle } from "./db-handle.ts";
import { boundHeapGrowth } from "./heap.ts";
import { type ClusterClient, clusterClients } from "./k8s/client.ts";
import { CollectorMetrics } from "./metrics.ts";
import { smtpMailer } from "./notify/send.ts";
import { CollectorService } from "./service.ts";

const { values } = parseArgs({
  options: {
    once: { type: "boolean", default: false },
    interval: { type: "string", default: "300" },
    kubeconfig: { type: "string" },
    context: { type: "string", multiple: true },
    "in-cluster": { type: "boolean", default: false },
    "cluster-name": { type: "string", default: "in-cluster" },
    profiles: { type: "string" },
    "skip-secrets": { type: "boolean", default: false },
    "kubelet-config": { type: "boolean", default: false },
    "kubelet-metrics": { type: "boolean", default: false },
    concurrency: { type: "string", default: "2" },
    "watch-objects": { type: "string", default: "auto" },
    "metrics-port": { type: "string", default: "9464" },
    "cluster-label": { type: "string", multiple: true },
    "backfill-days": { type: "string" },
    "sim-control": { type: "string" },
    "backfill-step-minutes": { type: "string", default: "60" },
    "backfill-snapshot-minutes": { type: "string", default: "360" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(`usage: pullsight collect [--once | --interval SECONDS] [--kubeconfig PATH] [--context NAME]...
                         [--in-cluster [--cluster-name NAME]] [--profiles FILE] [--skip-secrets] [--concurrency N]
                         [--kubelet-config] [--kubelet-metrics] [--cluster-label CLUSTER:KEY=VALUE]...
                         [--metrics-port PORT] [--watch-objects auto|on|off]
                         [--backfill-days N --sim-control URL [--backfill-step-minutes 60]
                          [--backfill-snapshot-minutes 360]]

Reads every context of the kubeconfig (or those named with --context) and stores a snapshot of each
cluster. DATABASE_URL selects the database; without it the embedded PostgreSQL under .data/ is used.
--kubelet-config reads each node's kubelet configuration through nodes/proxy (opt-in: a sensitive
permission, see deploy/components/kubelet-configz); --kubelet-metrics reads each kubelet's /metrics
(image pulls, ensure-image requests) through the same permission.
--watch-objects keeps each cluster's lists current with watches between snapshots, so snapshots
list only what a broken watch missed (auto: on for a collector that runs on and owns one cluster;
it holds every owned cluster's objects in memory).
--cluster-label sets a cluster's labels (env=prod, team=…), used to filter and group clusters.
--backfill-days drives a simulator's clock (its control API) forward N days, snapshotting every
--backfill-snapshot-minutes of simulated time while watching events, then carries on as asked
(--once: stop; otherwise: collect every --interval seconds).`);
  process.exit(0);
}

const log = createLogger({ name: "collector" });
let heapGrowingPercent: number | null;
try {
  // Resident memory that follows what the collector holds, not its garbage (heap.ts).
  heapGrowingPercent = boundHeapGrowth(process.env.PULLSIGHT_HEAP_GROWING_PERCENT, [
    ...process.execArgv,
    ...(process.env.NODE_OPTIONS ?? "").split(/\s+/),
  ]);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
const interval = Number(values.interval);
if (!values.once && (!Number.isFinite(interval) || interval < 10)) {
  console.error("--interval must be at least 10 seconds");
  process.exit(2);
}
const clusterLabels: Record<string, Record<string, string>> = {};
for (const spec of values["cluster-label"] ?? []) {
  const m = /^([^:]+):([^=]+)=(.*)$/.exec(spec);
  if (!m?.[1] || !m[2]) {
    console.error(`--cluster-label ${spec}: expected CLUSTER:KEY=VALUE`);
    process.exit(2);
  }
  clusterLabels[m[1]] = { ...clusterLabels[m[1]], [m[2]]: m[3] ?? "" };
}
const backfillDays = values["backfill-days"] === undefined ? null : Number(values["backfill-days"]);
if (backfillDays !== null && (!(backfillDays > 0) || !values["sim-control"])) {
  console.error(
    "--backfill-days needs a positive number of days and --sim-control URL (a simulator's control API)",
  );
  process.exit(2);
}
const watchChoice = values["watch-objects"];
if (!["auto", "on", "off"].includes(watchChoice)) {
  console.error(`--watch-objects ${watchChoice}: expected auto, on or off`);
  process.exit(2);
}
let profiles = DEFAULT_PROFILES;
if (values.profiles) {
  try {
    profiles = parseProfiles(readFileSync(values.profiles, "utf8"));
  } catch (error) {
    console.error(`${values.profiles}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}

let clients: ClusterClient[];
try {
  clients = clusterClients({
    inCluster: values["in-cluster"],
    clusterName: values["cluster-name"],
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    ...(values.context ? { contexts: values.context } : {}),
  });
} catch (error) {
  console.error(`cannot load clusters: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}

// One snapshot has nothing to keep current for; a collector of many clusters would hold them all.
const watchObjects =
  !values.once && (watchChoice === "on" || (watchChoice === "auto" && clients.length === 1));

const database = await openDatabase(readDatabaseEnv(process.env));
const handle = new DbHandle(database.url, { log });
let metrics: CollectorMetrics | null = null;
const smtpUrl = process.env.PULLSIGHT_SMTP_URL?.trim();
const service = new CollectorService(handle, clients, {
  profiles,
  ...(profiles.notifications
    ? {
        notify: {
          notifications: profiles.notifications,
          mailer: smtpUrl
            ? smtpMailer(smtpUrl, process.env.PULLSIGHT_SMTP_FROM?.trim() || "pullsight@localhost")
            : null,
        },
      }
    : {}),
  concurrency: Number(values.concurrency),
  watchObjects,
  read: {
    skipSecrets: values["skip-secrets"],
    kubeletConfig: values["kubelet-config"],
    kubeletMetrics: values["kubelet-metrics"],
  },
  clusterLabels,
  log,
  onOutcomes: (outcomes) => {
    for (const o of outcomes) metrics?.record(o);
  },
});

const closeDatabase = async () => {
  if (!(await handle.close()))
    log.warn("database connections abandoned at shutdown (a connection broke mid-transaction)");
  await database.close();
};
onShutdown(async (signal) => {
  log.info("stopping", { signal });
  await service.stop();
  await closeDatabase();
});

log.info("collector started", {
  clusters: clients.map((c) => c.name),
  mode: values.once ? "once" : `every ${interval}s`,
  heapGrowingPercent: heapGrowingPercent ?? "V8 default",
  watchObjects,
});
if (backfillDays !== null) {
  const result = await service.backfill({
    clock: simulatorClock(values["sim-control"] as string),
    days: backfillDays,
    stepMinutes: Number(values["backfill-step-minutes"]),
    snapshotEveryMinutes: Number(values["backfill-snapshot-minutes"]),
    onSnapshot: (at) => {
      if (process.stderr.isTTY) process.stderr.write(`  backfill: ${at.toISOString()}\n`);
    },
  });
  if (values.once) {
    await service.stop();
    await closeDatabase();
    process.exit(result.failed ? 1 : 0);
  }
}
if (values.once) {
  // In a terminal, say what is being read; logs on stdout stay JSON.
  const outcomes = await service.snapshot(
    process.stderr.isTTY
      ? { onProgress: (cluster, kind, n) => process.stderr.write(`  ${cluster}: ${kind} ${n}\n`) }
      : {},
  );
  // The events still live in each reachable cluster (they expire within an hour).
  await Promise.all(
    service.watchers.map(async (w, i) => {
      if (outcomes[i]?.status === "failed") return;
      try {
        await w.start();
      } catch (error) {
        log.warn("events not read", {
          cluster: clients[i]?.name,
          error: error instanceof Error ? error.message : String(error),
        });
      }
      await w.stop();
      log.info("events stored", {
        cluster: clients[i]?.name,
        received: w.stats.received,
        stored: w.stats.stored,
      });
    }),
  );
  await closeDatabase();
  process.exit(outcomes.some((o) => o.status === "failed") ? 1 : 0);
}
// Service mode: events are watched continuously; snapshots run, then wait the interval, never overlapping.
metrics = new CollectorMetrics(
  service.watchers.map((watcher, i) => ({ cluster: clients[i]?.name ?? "", watcher })),
);
const metricsPort = Number(values["metrics-port"]);
if (metricsPort > 0) {
  const served = await metrics.serve(metricsPort);
  log.info("metrics served", { url: `${served.url}/metrics` });
}
await service.loop(interval * 1000);
