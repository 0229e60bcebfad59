// pullsight collect: snapshots clusters into PostgreSQL, once (--once) or every --interval seconds.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_PROFILES, parseProfiles } from "@pullsight/core";
import { createDb } from "@pullsight/db";
import { onShutdown, openDatabase, readDatabaseEnv } from "@pullsight/db/bootstrap";
import { collectFleet } from "./collect.ts";
import { type ClusterClient, createClusterClient, kubeconfigContexts, loadKubeConfig } from "./k8s/client.ts";
import { jsonLogger } from "./log.ts";

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
    concurrency: { type: "string", default: "4" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(`usage: pullsight collect [--once | --interval SECONDS] [--kubeconfig PATH] [--context NAME]...
                         [--in-cluster [--cluster-name NAME]] [--profiles FILE] [--skip-secrets] [--concurrency N]

Reads every context of the kubeconfig (or those named with --context) and stores a snapshot of each
cluster. DATABASE_URL selects the database; without it the embedded PostgreSQL under .data/ is used.`);
  process.exit(0);
}

const log = jsonLogger();
const interval = Number(values.interval);
if (!values.once && (!Number.isFinite(interval) || interval < 10)) {
  console.error("--interval must be at least 10 seconds");
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
const db = createDb(database.url);
const stop = new AbortController();
let running: Promise<unknown> | null = null;

onShutdown(async (signal) => {
  log.info("stopping", { signal });
  stop.abort();
  await running; // a snapshot in flight finishes its transaction or is abandoned before it starts
  await db.$disconnect();
  await database.close();
});

const runOnce = async () => {
  const outcomes = await collectFleet(db, clients, {
    profiles,
    concurrency: Number(values.concurrency),
    read: { skipSecrets: values["skip-secrets"] },
    log,
    signal: stop.signal,
  });
  return outcomes;
};

log.info("collector started", {
  clusters: clients.map((c) => c.name),
  mode: values.once ? "once" : `every ${interval}s`,
});
if (values.once) {
  running = runOnce();
  const outcomes = (await running) as Awaited<ReturnType<typeof runOnce>>;
  await db.$disconnect();
  await database.close();
  process.exit(outcomes.some((o) => o.status === "failed") ? 1 : 0);
}
// Service mode: run, then wait the interval; runs never overlap.
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
