// A simulated fleet: one API server per cluster (its own port), tokens, a kubeconfig, a shared
// simulated clock, and a control API to advance it, inject faults and read ground truth.
import { randomBytes } from "node:crypto";
import { stringify as toYaml } from "yaml";
import { type ClusterSpec, SimCluster } from "./fleet/cluster.ts";
import { SimTagStore } from "./fleet/registry.ts";
import { SimRegistryServer } from "./oci/registry-server.ts";
import {
  type ClusterApiOptions,
  createClusterHandler,
  type Faults,
  noFaults,
  type RequestRecord,
  type TokenGrant,
} from "./server/api-server.ts";
import { ClusterListener } from "./server/listener.ts";
import { createTlsMaterial, type TlsMaterial } from "./server/tls.ts";

export interface SimulatorOptions {
  clusters: number;
  podsPerCluster: number;
  seed: number;
  host?: string;
  /** First cluster's port; cluster i listens on basePort + i. 0 picks free ports. */
  basePort?: number;
  /** Plain HTTP instead of HTTPS (kubectl will not send a token over it). */
  http?: boolean;
  /** Simulated time at start (ms since epoch). Default: 2026-01-01T00:00:00Z, so runs are reproducible. */
  startTime?: number;
  /** Follow the demo story (a regression, its fix, a registry incident, a moved tag). */
  story?: boolean;
  continueTtlMs?: number;
  bookmarkIntervalMs?: number;
  eventTtlMs?: number;
  churnPerMinute?: number;
  maxTruthEvents?: number;
  /** Each cluster's Kubernetes version (cluster i gets versions[i % length]); default CLUSTER_VERSIONS. */
  versions?: readonly string[];
  /** Feature gates off by default that each cluster turns on (cluster i gets featureGates[i % length]). */
  featureGates?: ReadonlyArray<ClusterSpec["featureGates"]>;
}

export interface SimulatedCluster {
  name: string;
  gitVersion: string;
  sim: SimCluster;
  listener: ClusterListener;
  faults: Faults;
  tokens: Map<string, TokenGrant>;
  /** The collector's token: may read everything. */
  token: string;
  requests: RequestRecord[];
  readonly url: string;
}

export const CLUSTER_NAMES = [
  "prod-eu-1",
  "prod-us-1",
  "stage-eu-1",
  "dev-eu-1",
  "prod-ap-1",
  "prod-eu-2",
  "stage-us-1",
  "dev-us-1",
  "prod-us-2",
  "edge-eu-1",
];
export const CLUSTER_VERSIONS = [
  "v1.31.4",
  "v1.29.8",
  "v1.33.2",
  "v1.23.17",
  "v1.30.6",
  "v1.27.16",
  "v1.32.1",
  "v1.28.15",
  "v1.18.20",
  "v1.34.1",
];
export const DEFAULT_START = Date.UTC(2026, 0, 1);

export class Simulator {
  readonly clusters: SimulatedCluster[] = [];
  /** What the fleet's registries hold: one store for every cluster, as one registry serves them all. */
  readonly tags: SimTagStore;
  private tls: TlsMaterial | null = null;
  private realtimeTimer: NodeJS.Timeout | null = null;
  private registryServer: SimRegistryServer | null = null;

  private constructor(readonly opts: SimulatorOptions) {
    this.tags = new SimTagStore(opts.seed);
  }

  static async start(opts: SimulatorOptions): Promise<Simulator> {
    const sim = new Simulator(opts);
    await sim.init();
    return sim;
  }

  private async init() {
    const o = this.opts;
    const host = o.host ?? "127.0.0.1";
    this.tls = o.http
      ? null
      : await createTlsMaterial({ ips: [host === "localhost" ? "127.0.0.1" : host], dns: ["localhost"] });
    for (let i = 0; i < o.clusters; i++) {
      const name = CLUSTER_NAMES[i] ?? `cluster-${i + 1}`;
      const versions = o.versions?.length ? o.versions : CLUSTER_VERSIONS;
      const gitVersion = versions[i % versions.length] as string;
      const spec: ClusterSpec = {
        name,
        gitVersion,
        pods: o.podsPerCluster,
        seed: o.seed * 1000 + i + 1,
        startTime: o.startTime ?? DEFAULT_START,
        ...(o.story !== undefined ? { story: o.story } : {}),
        ...(o.eventTtlMs !== undefined ? { eventTtlMs: o.eventTtlMs } : {}),
        ...(o.churnPerMinute !== undefined ? { churnPerMinute: o.churnPerMinute } : {}),
        ...(o.maxTruthEvents !== undefined ? { maxTruthEvents: o.maxTruthEvents } : {}),
        ...(o.featureGates?.length ? { featureGates: o.featureGates[i % o.featureGates.length] } : {}),
        tags: this.tags,
      };
      const sim = new SimCluster(spec);
      const token = randomBytes(24).toString("hex");
      const tokens = new Map<string, TokenGrant>([
        [token, { user: "system:serviceaccount:pullsight:collector", forbidden: new Set() }],
      ]);
      const faults = noFaults();
      const requests: RequestRecord[] = [];
      const apiOpts: ClusterApiOptions = {
        name,
        gitVersion,
        store: sim.store,
        tokens,
        faults,
        continueTtlMs: o.continueTtlMs ?? 300_000,
        bookmarkIntervalMs: o.bookmarkIntervalMs ?? 10_000,
        requests,
        kubeletConfig: (node) => sim.kubeletConfig(node),
        kubeletMetrics: (node) => sim.kubeletMetrics(node),
      };
      const listener = new ClusterListener(createClusterHandler(apiOpts), this.tls, host);
      await listener.start(o.basePort ? o.basePort + i : 0);
      this.clusters.push({
        name,
        gitVersion,
        sim,
        listener,
        faults,
        tokens,
        token,
        requests,
        get url() {
          return listener.url;
        },
      });
    }
  }

  cluster(name: string): SimulatedCluster {
    const c = this.clusters.find((x) => x.name === name);
    if (!c) throw new Error(`no simulated cluster named ${name}`);
    return c;
  }

  get now(): number {
    return this.clusters[0]?.sim.now ?? this.opts.startTime ?? DEFAULT_START;
  }

  /** Advances every cluster's clock to `target` (ms since epoch). */
  advanceTo(target: number) {
    for (const c of this.clusters) c.sim.advance(target);
  }

  advanceBy(ms: number) {
    this.advanceTo(this.now + ms);
  }

  /** Moves the clock forward in step with wall time (one simulated minute per minute). */
  startRealtime(stepMs = 60_000) {
    this.stopRealtime();
    this.realtimeTimer = setInterval(() => this.advanceBy(stepMs), stepMs);
    this.realtimeTimer.unref();
  }

  stopRealtime() {
    if (this.realtimeTimer) clearInterval(this.realtimeTimer);
    this.realtimeTimer = null;
  }

  /** Adds a token for a cluster, optionally forbidden some resources. */
  addToken(name: string, opts: { user?: string; forbid?: string[] } = {}): string {
    const c = this.cluster(name);
    const token = randomBytes(24).toString("hex");
    c.tokens.set(token, {
      user: opts.user ?? `system:serviceaccount:pullsight:restricted-${c.tokens.size}`,
      forbidden: new Set(opts.forbid ?? []),
    });
    return token;
  }

  async setFaults(
    name: string,
    patch: Partial<Omit<Faults, "errorResources" | "forbidResources" | "malformedResources">> & {
      errorResources?: Record<string, number>;
      forbidResources?: string[];
      malformedResources?: string[];
    },
  ) {
    const c = this.cluster(name);
    const f = c.faults;
    if (patch.latencyMs !== undefined) f.latencyMs = patch.latencyMs;
    if (patch.errorStatus !== undefined) f.errorStatus = patch.errorStatus;
    if (patch.expireContinue !== undefined) f.expireContinue = patch.expireContinue;
    if (patch.dropWatchesAfter !== undefined) f.dropWatchesAfter = patch.dropWatchesAfter;
    if (patch.errorResources) f.errorResources = new Map(Object.entries(patch.errorResources));
    if (patch.forbidResources) f.forbidResources = new Set(patch.forbidResources);
    if (patch.malformedResources) f.malformedResources = new Set(patch.malformedResources);
    if (patch.unreachable !== undefined && patch.unreachable !== f.unreachable) {
      f.unreachable = patch.unreachable;
      if (patch.unreachable) await c.listener.stop();
      else await c.listener.start();
    }
  }

  async clearFaults(name: string) {
    const c = this.cluster(name);
    const wasDown = c.faults.unreachable;
    Object.assign(c.faults, noFaults());
    if (wasDown) await c.listener.start();
  }

  /** A kubeconfig with one context per cluster (token auth, the simulator's CA). */
  kubeconfig(opts: { tokens?: Record<string, string> } = {}): string {
    const ca = this.tls ? Buffer.from(this.tls.caPem).toString("base64") : null;
    return toYaml({
      apiVersion: "v1",
      kind: "Config",
      preferences: {},
      "current-context": this.clusters[0]?.name ?? "",
      clusters: this.clusters.map((c) => ({
        name: c.name,
        cluster: {
          server: c.url,
          ...(ca ? { "certificate-authority-data": ca } : { "insecure-skip-tls-verify": true }),
        },
      })),
      users: this.clusters.map((c) => ({
        name: `${c.name}-collector`,
        user: { token: opts.tokens?.[c.name] ?? c.token },
      })),
      contexts: this.clusters.map((c) => ({
        name: c.name,
        context: { cluster: c.name, user: `${c.name}-collector` },
      })),
    });
  }

  /** Serves the fleet's registries over the OCI distribution API (one port, a path per registry). */
  async startRegistries(port = 0): Promise<SimRegistryServer> {
    if (!this.registryServer) {
      this.registryServer = new SimRegistryServer(this.tags, this.opts.host ?? "127.0.0.1");
      await this.registryServer.start(port);
    }
    return this.registryServer;
  }

  get caPem(): string | null {
    return this.tls?.caPem ?? null;
  }

  async stop() {
    this.stopRealtime();
    await Promise.all([
      ...this.clusters.map((c) => c.listener.stop()),
      ...(this.registryServer ? [this.registryServer.stop()] : []),
    ]);
  }
}
