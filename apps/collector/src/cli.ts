// pullsight collect: snapshots clusters into PostgreSQL, once (--once) or every --interval seconds.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_PROFILES, parseProfiles } from "@pullsight/core";
import { onShutdown, openDatabase, readDatabaseEnv } from "@pullsight/db/bootstrap";
import { backfill, simulatorClock } from "./backfill.ts";
import { collectFleet } from "./collect.ts";
import { DbHandle } from "./db-handle.ts";
import { EventWatcher } from "./events.ts";
import { type ClusterClient, createClusterClient, kubeconfigContexts, loadKubeConfig } from "./k8s/client.ts";
import { jsonLogger } from "./log.ts";
import { CollectorMetrics } from "./metrics.ts";

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
    concurrency: { type: "string", default: "4" },
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
                         [--kubelet-config] [--cluster-label CLUSTER:KEY=VALUE]... [--metrics-port PORT]
                         [--backfill-days N --sim-control URL [--backfill-step-minutes 60]
                          [--backfill-snapshot-minutes 360]]

Reads every context of the kubeconfig (or those named with --context) and stores a snapshot of each
cluster. DATABASE_URL selects the database; without it the embedded PostgreSQL under .data/ is used.
--kubelet-config reads each node's kubelet configuration through nodes/proxy (opt-in: a sensitive
permission, see deploy/components/kubelet-configz).
--cluster-label sets a cluster's labels (env=prod, team=…), used to filter and group clusters.
--backfill-days drives a simulator's clock (its control API) forward N days, snapshotting every
--backfill-snapshot-minutes of simulated time while watching events, then carries on as asked
(--once: stop; otherwise: collect every --interval seconds).`);
  process.exit(0);
}

const log = jsonLogger();
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
  if (values["in-cluster"]) {
    const name = values["cluster-name"] as string;
    clients = [createClusterClient(name, loadKubeConfig({ kind: "in-cluster", name }))];
  } else {
    const contexts = values.context?.length ? values.context : kubeconfigContexts(values.kubeconfig);
    if (!contexts.length) throw new Error("the kubeconfig has no contexts");
    clients = contexts.map((context) =>
      createClusterClient(
        context,
        loadKubeConfig({
          kind: "kubeconfig",
          ...(values.kubeconfig ? { path: values.kubeconfig } : {}),
          context,
        }),
      ),
    );
  }
} catch (error) {
  console.error(`cannot load clusters: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}

const database = await openDatabase(readDatabaseEnv(process.env));
const handle = new DbHandle(database.url, { log });
const stop = new AbortController();
let running: Promise<unknown> | null = null;

onShutdown(async (signal) => {
  log.info("stopping", { signal });
  stop.abort();
  await running; // a snapshot in flight finishes its transaction or is abandoned before it starts
  await Promise.all(watchers.map((w) => w.stop())); // buffered events are written
  if (!(await handle.close()))
    log.warn("database connections abandoned at shutdown (a connection broke mid-transaction)");
  await database.close();
});

// ns/pod → workload per cluster, from the latest snapshot: lets events name their workload.
const podIndex = new Map<string, Map<string, { kind: string; name: string }>>();
const onFacts = (
  cluster: string,
  facts: { workloads: Array<{ namespace: string; kind: string; name: string; pods: string[] }> },
) => {
  const index = new Map<string, { kind: string; name: string }>();
  for (const w of facts.workloads)
    for (const pod of w.pods) index.set(`${w.namespace}/${pod}`, { kind: w.kind, name: w.name });
  podIndex.set(cluster, index);
};

let metrics: CollectorMetrics | null = null;
const collectOptions = {
  profiles,
  concurrency: Number(values.concurrency),
  read: { skipSecrets: values["skip-secrets"], kubeletConfig: values["kubelet-config"] },
  clusterLabels,
  log,
  signal: stop.signal,
  onFacts,
};
const runOnce = async () => {
  const outcomes = await collectFleet(handle.db, clients, {
    ...collectOptions,
    // In a terminal, say what is being read; logs on stdout stay JSON.
    ...(process.stderr.isTTY
      ? {
          onProgress: (cluster: string, kind: string, n: number) =>
            process.stderr.write(`  ${cluster}: ${kind} ${n}\n`),
        }
      : {}),
  });
  for (const o of outcomes) metrics?.record(o);
  handle.renewAfter(outcomes);
  return outcomes;
};

/** One watcher per cluster; a cluster that cannot be watched now is tried again later. */
const watchers = clients.map(
  (c) => new EventWatcher(() => handle.db, c, { log, podIndex: () => podIndex.get(c.name) ?? new Map() }),
);
const startWatchers = () =>
  Promise.all(
    watchers.map(async (w, i) => {
      for (let delay = 1000; !stop.signal.aborted; delay = Math.min(delay * 2, 60_000)) {
        try {
          await w.start();
          return;
        } catch (error) {
          log.warn("event watch could not start; retrying", {
            cluster: clients[i]?.name,
            error: error instanceof Error ? error.message : String(error),
            retryInMs: delay,
          });
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    }),
  );

log.info("collector started", {
  clusters: clients.map((c) => c.name),
  mode: values.once ? "once" : `every ${interval}s`,
});
let watching = false;
if (backfillDays !== null) {
  await startWatchers();
  watching = true;
  const result = await backfill(handle.db, clients, {
    ...collectOptions,
    clock: simulatorClock(values["sim-control"] as string),
    days: backfillDays,
    stepMinutes: Number(values["backfill-step-minutes"]),
    snapshotEveryMinutes: Number(values["backfill-snapshot-minutes"]),
    watchers,
    onSnapshot: (at, outcomes) => {
      handle.renewAfter(outcomes);
      if (process.stderr.isTTY) process.stderr.write(`  backfill: ${at.toISOString()}\n`);
    },
  });
  if (values.once) {
    await Promise.all(watchers.map((w) => w.stop()));
    if (!(await handle.close())) log.warn("database connections abandoned at shutdown");
    await database.close();
    process.exit(result.failed ? 1 : 0);
  }
}
if (values.once) {
  running = runOnce();
  const outcomes = (await running) as Awaited<ReturnType<typeof runOnce>>;
  // The events still live in each reachable cluster (they expire within an hour).
  await Promise.all(
    watchers.map(async (w, i) => {
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
  if (!(await handle.close()))
    log.warn("database connections abandoned at shutdown (a connection broke mid-transaction)");
  await database.close();
  process.exit(outcomes.some((o) => o.status === "failed") ? 1 : 0);
}
// Service mode: events are watched continuously; snapshots run, then wait the interval, never overlapping.
metrics = new CollectorMetrics(watchers.map((watcher, i) => ({ cluster: clients[i]?.name ?? "", watcher })));
const metricsPort = Number(values["metrics-port"]);
if (metricsPort > 0) {
  const served = await metrics.serve(metricsPort);
  log.info("metrics served", { url: `${served.url}/metrics` });
}
if (!watching) void startWatchers();
while (!stop.signal.aborted) {
  running = runOnce();
  await running;
  running = null;
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, interval * 1000);
    stop.signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });
}
