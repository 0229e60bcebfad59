// The demo fleet: a simulated fleet (k8s-sim, in this process) that starts weeks in the past and
// follows the demo story, collected by the real collector through the real Kubernetes client.
// The simulated clock is driven forward to now with snapshots along the way (older weeks less
// often, the last week more often), then runs in real time while the collector snapshots every
// `intervalMs`, as a deployed collector would.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type BackfillResult,
  type ClusterClient,
  CollectorService,
  createClusterClient,
  DbHandle,
  type DrivableClock,
  type Logger,
  loadKubeConfig,
  probeRound,
} from "@pullsight/collector";
import { DEFAULT_PROFILES, type ProfilesFile } from "@pullsight/core";
import { type SimRegistryServer, Simulator } from "@pullsight/k8s-sim";

const DAY = 86_400_000;
/** How often the live demo asks the registries again (the prober's default interval). */
const PROBE_EVERY_MS = 15 * 60_000;

/**
 * The registries' side of the demo's story: Bitnami removed a version tag (as it moved its images
 * to a legacy repository in 2025), so pods running it keep running from their nodes' caches but
 * cannot start anywhere else; the private registries answer to the credentials the operator gave.
 */
function registryStory(registries: SimRegistryServer) {
  registries.deleteTag("bitnami/redis", "7.2.5");
  for (const registry of ["ghcr.io", "registry.acme.internal"])
    registries.set(registry, { credentials: { username: "pullsight", password: "demo" } });
}

/** Asks the simulated registries about the fleet's references, as `pullsight probe` does. */
async function probeDemo(sim: Simulator, handle: DbHandle, log?: Logger) {
  const registries = await sim.startRegistries();
  await probeRound(handle.db, {
    prober: "demo",
    endpoints: new Map(registries.registries.map((r) => [r, registries.endpoint(r)])),
    credentials: new Map(
      ["ghcr.io", "registry.acme.internal"].map((r) => [r, { username: "pullsight", password: "demo" }]),
    ),
    concurrency: 4,
    timeoutMs: 5_000,
    roundMs: 60_000,
    ...(log ? { log } : {}),
  });
}

/**
 * The built-in profiles, with the one owner a fleet's labels cannot give: kube-system carries no
 * team label, so the operator names its team here (a profiles file's `owners.assignments`).
 */
export const DEMO_PROFILES: ProfilesFile = {
  ...DEFAULT_PROFILES,
  owners: {
    keys: DEFAULT_PROFILES.owners.keys,
    assignments: [{ owner: "platform", namespaces: { names: ["kube-system"] } }],
  },
};

export interface DemoOptions {
  databaseUrl: string;
  clusters?: number;
  podsPerCluster?: number;
  seed?: number;
  /** Days of history before now. */
  days?: number;
  /** Simulated minutes between snapshots in older history and in the last `recentDays`. */
  snapshotEveryMinutes?: { older: number; recent: number };
  recentDays?: number;
  /** Wall milliseconds between live snapshots once the history is built (0: no live collection). */
  intervalMs?: number;
  log?: Logger;
  /** Progress while the history is built: simulated time reached, and the share done. */
  onProgress?: (at: Date, done: number) => void;
  /** Wall clock (tests). */
  now?: () => number;
}

export interface Demo {
  sim: Simulator;
  /** Resolves when the history is built and live collection has begun. */
  ready: Promise<BackfillResult[]>;
  stop(): Promise<void>;
}

/** Labels the demo's clusters carry (the clusters page filters by them). */
export function demoClusterLabels(names: string[]): Record<string, Record<string, string>> {
  return Object.fromEntries(
    names.map((name) => [
      name,
      {
        env: name.startsWith("prod") ? "production" : name.startsWith("stage") ? "staging" : "development",
        region: name.includes("-us-") ? "us" : "eu",
      },
    ]),
  );
}

/** One client per simulated cluster, through a kubeconfig file as a deployed collector reads it. */
function simClients(sim: Simulator): ClusterClient[] {
  const kubeconfig = path.join(mkdtempSync(path.join(tmpdir(), "pullsight-demo-")), "kubeconfig");
  writeFileSync(kubeconfig, sim.kubeconfig());
  return sim.clusters.map((c) =>
    createClusterClient(c.name, loadKubeConfig({ kind: "kubeconfig", path: kubeconfig, context: c.name })),
  );
}

/** The simulator's clock, driven in this process. */
function inProcessClock(sim: Simulator): DrivableClock {
  return {
    now: async () => new Date(sim.now),
    advance: async (minutes) => {
      sim.advanceBy(minutes * 60_000);
      return new Date(sim.now);
    },
  };
}

/**
 * The demo fleet's versions: production on 1.31 and 1.29, staging already on 1.36, so the demo
 * shows what each era of the kubelet reports (causes from events only before 1.32, image volumes
 * and ServiceAccount-token credentials on current clusters).
 */
export const DEMO_VERSIONS = ["v1.31.4", "v1.29.8", "v1.36.0"] as const;

export async function startDemo(opts: DemoOptions): Promise<Demo> {
  const now = opts.now ?? Date.now;
  const days = opts.days ?? 56;
  const recentDays = Math.min(opts.recentDays ?? 7, days);
  const every = opts.snapshotEveryMinutes ?? { older: 720, recent: 360 };
  const start = now() - days * DAY;
  const sim = await Simulator.start({
    clusters: opts.clusters ?? 3,
    podsPerCluster: opts.podsPerCluster ?? 700,
    seed: opts.seed ?? 42,
    versions: DEMO_VERSIONS,
    story: true,
    startTime: start,
    bookmarkIntervalMs: 100,
  });
  const clients = simClients(sim);
  const log = opts.log;
  const handle = new DbHandle(opts.databaseUrl, log ? { log } : {});
  const service = new CollectorService(handle, clients, {
    profiles: DEMO_PROFILES,
    // The demo's collector holds the opt-in nodes/proxy permission: kubelet configuration and metrics.
    read: { kubeletConfig: true, kubeletMetrics: true },
    clusterLabels: demoClusterLabels(clients.map((c) => c.name)),
    ...(log ? { log } : {}),
  });
  const clock = inProcessClock(sim);
  const progress = (at: Date) => opts.onProgress?.(at, Math.min(1, (at.getTime() - start) / (now() - start)));

  const build = async (): Promise<BackfillResult[]> => {
    const results: BackfillResult[] = [];
    const phase = async (until: Date, snapshotEveryMinutes: number) => {
      if (until.getTime() <= sim.now || service.signal.aborted) return;
      results.push(await service.backfill({ clock, until, snapshotEveryMinutes, onSnapshot: progress }));
    };
    await phase(new Date(now() - recentDays * DAY), every.older);
    await phase(new Date(now()), every.recent);
    // Building took wall time: catch the simulated clock up with the wall clock before going live.
    await phase(new Date(now()), every.recent);
    // The registries are asked about what runs now; the snapshot after it raises what they said.
    registryStory(await sim.startRegistries());
    if (!service.signal.aborted) {
      await probeDemo(sim, handle, log);
      await service.snapshot();
    }
    if (opts.intervalMs && !service.signal.aborted) {
      sim.startRealtime(60_000);
      void service.loop(opts.intervalMs);
      probing = setInterval(() => void probeDemo(sim, handle, log).catch(() => {}), PROBE_EVERY_MS);
      probing.unref();
    }
    return results;
  };
  let probing: NodeJS.Timeout | null = null;
  const ready = build();

  return {
    sim,
    ready,
    stop: async () => {
      if (probing) clearInterval(probing);
      sim.stopRealtime();
      await service.stop();
      await ready.catch(() => {});
      await handle.close();
      await sim.stop();
    },
  };
}
