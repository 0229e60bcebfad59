// One collection of a fleet: every cluster read and written independently (bounded concurrency),
// one failing cluster never stopping the others, every outcome recorded.
import { DEFAULT_PROFILES, type ProfilesFile, RULES_VERSION } from "@pullsight/core";
import {
  coverageWatermark,
  type Db,
  getActiveWaivers,
  getClusterPullStats,
  getClusterRegistryAnswers,
  getPullFailureStarts,
  type PullFailureStart,
  recordEventCoverage,
  recordKubeletReadings,
  refreshPullLatencyDaily,
  type SnapshotInput,
  type SnapshotResult,
  StaleSnapshotBaseError,
  writeSnapshot,
} from "@pullsight/db";
import { type Logger, silentLogger } from "@pullsight/observe";
import { COVERAGE_LAG_MS, containerStarts, FIRST_WINDOW_MS, failingCoverage } from "./coverage.ts";
import {
  buildClusterFacts,
  type ClusterFactsResult,
  podsWaitingOnPulls,
  summarizeKubelet,
  summarizeKubeletMetrics,
} from "./facts.ts";
import type { FactsMemory, FleetFactsMemory } from "./facts-memory.ts";
import type { ClusterClient } from "./k8s/client.ts";
import type { FleetMirror } from "./k8s/mirror.ts";
import { type RawSnapshot, type ReadOptions, readCluster } from "./k8s/reader.ts";
import { kubeletCountersOf } from "./kubelet-counters.ts";

export const COLLECTOR_VERSION = "0.1.0";

export interface CollectOptions {
  profiles?: ProfilesFile;
  /**
   * Clusters read and written at a time (default 2). Building facts is JavaScript on one thread,
   * so more clusters in flight overlap only network waits while each adds its lists to the peak
   * memory (bench figure 1 measures both; README, Benchmarks).
   */
  concurrency?: number;
  read?: ReadOptions;
  clusterLabels?: Record<string, Record<string, string>>;
  log?: Logger;
  signal?: AbortSignal;
  /** Called as each kind of each cluster has been read (terminal progress). */
  onProgress?: (cluster: string, kind: string, items: number) => void;
  /**
   * What this process wrote in each cluster's previous snapshot: workloads whose objects did not
   * change are neither evaluated nor written again (facts-memory.ts). A long-running collector
   * keeps one.
   */
  memory?: FleetFactsMemory;
  /**
   * Each cluster's lists kept current by watches between snapshots (k8s/mirror.ts): a kind whose
   * watch is healthy is not listed again. Costs one cluster's projected objects per cluster.
   */
  mirror?: FleetMirror;
  /** Called with each cluster's facts after they are stored (the event watcher's pod index). */
  onFacts?: (cluster: string, facts: ReturnType<typeof buildClusterFacts>) => void;
}

export interface ClusterOutcome {
  cluster: string;
  status: SnapshotResult["status"] | "aborted";
  snapshotId: bigint | null;
  rows: SnapshotResult["rows"] | null;
  failures: Array<{ kind: string; status: number | null; reason: string; message: string }>;
  durationMs: number;
  /** Workloads unchanged since the previous snapshot, neither built nor written again (with `memory`). */
  reused?: number;
  /** Kinds read by listing them, and taken from their watches instead (with `mirror`). */
  kinds?: { listed: number; watched: number };
}

export async function collectCluster(
  db: Db,
  client: ClusterClient,
  opts: CollectOptions = {},
): Promise<ClusterOutcome> {
  const log = opts.log ?? silentLogger;
  const started = performance.now();
  const onProgress = opts.onProgress;
  const raw = await readCluster(client, {
    ...opts.read,
    ...(opts.mirror ? { mirror: opts.mirror.of(client) } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(onProgress ? { onProgress: (kind: string, n: number) => onProgress(client.name, kind, n) } : {}),
  });
  if (opts.signal?.aborted) {
    log.warn("snapshot abandoned: stopping", { cluster: client.name });
    return {
      cluster: client.name,
      status: "aborted",
      snapshotId: null,
      rows: null,
      failures: raw.failures,
      durationMs: performance.now() - started,
    };
  }
  // Pull statistics from the events watched so far: inputs of PS006 (unreliable registry) and PS013 (slow pulls).
  // And when the pulls that pods are now waiting on first failed: the start of PS004/PS009's condition.
  const failureStarts = await getPullFailureStarts(db, client.name, podsWaitingOnPulls(raw));
  // What the registries last said of the images (the prober's answers): inputs of PS019 and PS020.
  const registryAnswers = await getClusterRegistryAnswers(db, client.name);
  // Each node's kubelet counters against its previous reading, and what grew recently: PS021's input.
  const kubelet = await kubeletCountersOf(db, client.name, raw);
  const pullStats = {
    ...(await getClusterPullStats(db, client.name)),
    failureStarts,
    registryAnswers,
    ...(kubelet ? { kubeletWindow: kubelet.window } : {}),
  };
  const waivers = await getActiveWaivers(db, raw.finishedAt, client.name);
  const memory = opts.memory?.of(client.name);
  const profiles = opts.profiles ?? DEFAULT_PROFILES;
  const labels = opts.clusterLabels?.[client.name] ?? {};
  const build = () => buildClusterFacts(raw, profiles, labels, pullStats, waivers, memory);
  const { facts, result } = await storeFacts(
    db,
    memory,
    build,
    (f) => snapshotInput(client, raw, f, opts),
    log,
  );
  opts.onFacts?.(client.name, facts);
  // Yesterday and today: late-arriving events can still change yesterday's figures. The daily
  // latency rollup is derived from pull events, which arrive on their own; it is refreshed after
  // each snapshot, not as part of it.
  await refreshPullLatencyDaily(db, result.clusterId, 2);
  if (kubelet) await recordKubeletReadings(db, result.clusterId, raw.startedAt, kubelet.readings);
  if (facts.runtimeComplete) await recordCoverage(db, result.clusterId, raw, failureStarts);
  const durationMs = performance.now() - started;
  const level = result.status === "complete" ? "info" : "warn";
  log[level]("snapshot written", {
    cluster: client.name,
    status: result.status,
    snapshotId: String(result.snapshotId),
    durationMs: Math.round(durationMs),
    failures: raw.failures.map((f) => `${f.kind}: ${f.reason}`),
    rows: result.rows,
    ...(memory ? { workloadsReused: memory.reused, workloadsEvaluated: memory.built } : {}),
  });
  return {
    cluster: client.name,
    status: result.status,
    snapshotId: result.snapshotId,
    rows: result.rows,
    failures: raw.failures,
    durationMs,
    ...(memory ? { reused: memory.reused } : {}),
    kinds: {
      listed: Object.keys(raw.objects).length - (raw.mirrored?.length ?? 0),
      watched: raw.mirrored?.length ?? 0,
    },
  };
}

/**
 * Builds and writes a snapshot's facts. When the stored state is not what the memory refers to
 * (another collector wrote the cluster since), the memory is forgotten and every workload is built
 * and written again; when the write fails, nothing is recalled next time.
 */
export async function storeFacts(
  db: Db,
  memory: FactsMemory | undefined,
  build: () => ClusterFactsResult,
  inputOf: (facts: ClusterFactsResult) => SnapshotInput,
  log: Logger = silentLogger,
): Promise<{ facts: ClusterFactsResult; result: SnapshotResult }> {
  let facts = build();
  let input = inputOf(facts);
  log.info("writing snapshot", { cluster: input.cluster.name, workloads: facts.workloads.length });
  let result: SnapshotResult;
  try {
    result = await writeSnapshot(db, input);
  } catch (error) {
    memory?.forget();
    if (!(error instanceof StaleSnapshotBaseError)) throw error;
    log.warn("stored snapshot is not this collector's last: building every workload", {
      cluster: input.cluster.name,
      reason: error.message,
    });
    facts = build();
    input = inputOf(facts);
    result = await writeSnapshot(db, input);
  }
  memory?.written(String(result.snapshotId));
  return { facts, result };
}

/** What the writer stores of a snapshot's facts. */
export function snapshotInput(
  client: Pick<ClusterClient, "name" | "server">,
  raw: RawSnapshot,
  facts: ClusterFactsResult,
  opts: CollectOptions,
): SnapshotInput {
  const labels = opts.clusterLabels?.[client.name];
  return {
    cluster: {
      name: client.name,
      server: client.server,
      kubernetesVersion: raw.gitVersion,
      ...(labels ? { labels } : {}),
    },
    startedAt: raw.startedAt,
    finishedAt: raw.finishedAt,
    failures: raw.failures,
    collectorVersion: COLLECTOR_VERSION,
    rulesVersion: RULES_VERSION,
    workloads: facts.workloads,
    basedOn: facts.basedOn,
    namespaces: facts.namespaces,
    completeKinds: facts.completeKinds,
    runtimeComplete: facts.runtimeComplete,
    evaluableRules: facts.evaluableRules,
    stats: {
      requests: raw.requests,
      objects: Object.fromEntries(Object.entries(raw.objects).map(([k, v]) => [k, v?.length ?? 0])),
      readMs: raw.readMs,
      ...(raw.mirrored ? { mirrored: raw.mirrored } : {}),
      ...(raw.kubelet ? { kubelet: summarizeKubelet(raw.kubelet, raw.objects.nodes?.length ?? 0) } : {}),
      ...(raw.kubeletMetrics
        ? { kubeletMetrics: summarizeKubeletMetrics(raw.kubeletMetrics, raw.objects.nodes?.length ?? 0) }
        : {}),
    },
  };
}

/** Event coverage from a snapshot whose pods were all read (a partial list would undercount). */
async function recordCoverage(
  db: Db,
  clusterId: number,
  raw: RawSnapshot,
  failureStarts: ReadonlyMap<string, PullFailureStart>,
) {
  const until = new Date(raw.startedAt.getTime() - COVERAGE_LAG_MS);
  const from = (await coverageWatermark(db, clusterId)) ?? new Date(until.getTime() - FIRST_WINDOW_MS);
  await recordEventCoverage(db, clusterId, {
    starts: from < until ? containerStarts(raw, from, until) : [],
    coveredUntil: from < until ? until : from,
    ...failingCoverage(raw, failureStarts),
    at: raw.startedAt,
  });
}

export const DEFAULT_CONCURRENCY = 2;

/** Collects every cluster, at most `concurrency` at a time. Never throws for one cluster's trouble. */
export async function collectFleet(
  db: Db,
  clients: ClusterClient[],
  opts: CollectOptions = {},
): Promise<ClusterOutcome[]> {
  const queue = [...clients];
  const outcomes: ClusterOutcome[] = [];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const started = performance.now();
      try {
        outcomes.push(await collectCluster(db, c, opts));
      } catch (error) {
        // Storage failed (database down, transaction aborted): nothing of this snapshot is visible.
        (opts.log ?? silentLogger).error("snapshot not stored", {
          cluster: c.name,
          error: error instanceof Error ? error.message : String(error),
        });
        outcomes.push({
          cluster: c.name,
          status: "failed",
          snapshotId: null,
          rows: null,
          failures: [{ kind: "storage", status: null, reason: "StorageError", message: String(error) }],
          durationMs: performance.now() - started,
        });
      }
    }
  };
  await Promise.all(
    Array.from(
      { length: Math.max(1, Math.min(opts.concurrency ?? DEFAULT_CONCURRENCY, clients.length)) },
      worker,
    ),
  );
  return outcomes.sort((a, b) => a.cluster.localeCompare(b.cluster));
}
