// pullsight probe: asks each registry whether the fleet's image references still resolve, and to
// which digest, once (--once) or every --interval seconds (15 minutes by default, with jitter).
import { readFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { dockerConfigCredentials, type RegistryCredentials } from "@pullsight/core";
import { createDb } from "@pullsight/db";
import { onShutdown, openDatabase, readDatabaseEnv } from "@pullsight/db/bootstrap";
import { createLogger } from "@pullsight/observe";
import { type ClusterClient, clusterClients } from "../k8s/client.ts";
import { serveMetrics } from "../metrics.ts";
import { ProbeMetrics } from "./metrics.ts";
import { type ProbeOptions, probeRound } from "./round.ts";

const USAGE = `usage: pullsight probe [--once | --interval SECONDS] [--docker-config FILE]
                       [--endpoint REGISTRY=URL]... [--concurrency N] [--timeout SECONDS]
                       [--name NAME] [--metrics-port PORT]
                       [--cluster-pull-secrets [--kubeconfig PATH] [--context NAME]...
                                               | [--in-cluster --cluster-name NAME]]

Asks every registry of the fleet's image references (the collector's snapshots in DATABASE_URL's
database) whether each reference still resolves and to which digest: one HEAD request per
reference per round, anonymous unless --docker-config names a Docker config file whose
credentials are then sent to their own registry only. --endpoint reaches a registry through a
mirror or proxy. A round that cannot finish within the interval reports what it could not ask as
rate-limited. Findings PS019 and PS020 appear at the next snapshot of each cluster.

--cluster-pull-secrets (opt-in; needs get on secrets): each round, reads from the clusters the pull
Secrets the workloads of each reference name and asks with their credentials first, as the kubelet
would, then with the Docker config's. They are held in memory for the round, sent only to their own
registry's token endpoint, and never stored or logged.`;

const { values } = parseArgs({
  options: {
    once: { type: "boolean", default: false },
    interval: { type: "string", default: "900" },
    "docker-config": { type: "string" },
    endpoint: { type: "string", multiple: true },
    concurrency: { type: "string", default: "4" },
    timeout: { type: "string", default: "10" },
    name: { type: "string", default: os.hostname() },
    "metrics-port": { type: "string", default: "9465" },
    "cluster-pull-secrets": { type: "boolean", default: false },
    kubeconfig: { type: "string" },
    context: { type: "string", multiple: true },
    "in-cluster": { type: "boolean", default: false },
    "cluster-name": { type: "string", default: "in-cluster" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};
const interval = Number(values.interval);
if (!values.once && !(interval >= 60)) fail("--interval must be at least 60 seconds");
const concurrency = Number(values.concurrency);
if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 64))
  fail("--concurrency must be 1 to 64");
const timeout = Number(values.timeout);
if (!(timeout > 0 && timeout <= 120)) fail("--timeout must be between 0 and 120 seconds");
const endpoints = new Map<string, string>();
for (const spec of values.endpoint ?? []) {
  const m = /^([^=]+)=(https?:\/\/.+)$/.exec(spec);
  if (!m?.[1] || !m[2]) fail(`--endpoint ${spec}: expected REGISTRY=http(s)://HOST[/PATH]`);
  else endpoints.set(m[1], m[2]);
}
const log = createLogger({ name: "prober" });
let credentials = new Map<string, RegistryCredentials>();
const dockerConfig = values["docker-config"];
if (dockerConfig) {
  try {
    credentials = dockerConfigCredentials(JSON.parse(readFileSync(dockerConfig, "utf8")));
  } catch (error) {
    // The in-cluster Secret is optional: without it the file is absent and every registry is asked anonymously.
    if ((error as { code?: string }).code === "ENOENT")
      log.warn("no Docker config: asking anonymously", { path: dockerConfig });
    else fail(`${dockerConfig}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

let pullSecretsFrom: ClusterClient[] | undefined;
if (values["cluster-pull-secrets"]) {
  try {
    pullSecretsFrom = clusterClients({
      inCluster: values["in-cluster"],
      clusterName: values["cluster-name"],
      ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
      ...(values.context ? { contexts: values.context } : {}),
    });
  } catch (error) {
    fail(`cannot load clusters: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const database = await openDatabase(readDatabaseEnv(process.env));
const db = createDb(database.url);
const metrics = new ProbeMetrics();
const options: ProbeOptions = {
  prober: values.name as string,
  endpoints,
  credentials,
  concurrency,
  timeoutMs: timeout * 1000,
  // A round never runs into the next: what is not asked within the interval waits for the next one.
  roundMs: values.once ? 3_600_000 : interval * 1000 * 0.9,
  ...(pullSecretsFrom ? { pullSecretsFrom } : {}),
  log,
};
let stopping = false;
let wake: (() => void) | null = null;
onShutdown(async (signal) => {
  log.info("stopping", { signal });
  stopping = true;
  wake?.();
  await db.$disconnect();
  await database.close();
});
log.info("prober started", {
  registriesWithCredentials: [...credentials.keys()],
  pullSecretsFrom: pullSecretsFrom?.map((c) => c.name) ?? "not read",
  endpoints: Object.fromEntries(endpoints),
  mode: values.once ? "once" : `every ${interval}s`,
});

async function round() {
  const started = performance.now();
  const report = await probeRound(db, options);
  metrics.record(report, (performance.now() - started) / 1000);
  log.info("round stored", {
    references: report.answers.length,
    registries: report.rounds.length,
    ...(report.pullSecretReads ? { pullSecretReads: report.pullSecretReads } : {}),
  });
}

if (values.once) {
  await round();
  await db.$disconnect();
  await database.close();
  process.exit(0);
}
const metricsPort = Number(values["metrics-port"]);
if (metricsPort > 0)
  log.info("metrics served", { url: `${(await serveMetrics(metrics.registry, metricsPort)).url}/metrics` });
while (!stopping) {
  const started = Date.now();
  try {
    await round();
  } catch (error) {
    log.error("round failed", { error: error instanceof Error ? error.message : String(error) });
  }
  // Jitter (±10 %) keeps many probers from asking one registry in step.
  const wait = Math.max(0, interval * 1000 * (0.9 + Math.random() * 0.2) - (Date.now() - started));
  await new Promise<void>((resolve) => {
    wake = resolve;
    setTimeout(resolve, wait).unref();
  });
}
