// One simulated cluster: its state and its life on the simulated clock (pods started, replaced
// and finished, rollouts, cron jobs, failing pulls retried). Generation (generate.ts), the
// kubelet's pull model (kubelet.ts), the event recorder (recorder.ts), the registries
// (registry.ts), the daily plan and the demo's story (stories.ts) and the ground truth (truth.ts)
// live beside it.
import { ClusterStore } from "../server/store.ts";
import type { SimRepository } from "./catalog.ts";
import {
  DAY,
  generateNamespaces,
  generateNodes,
  generateWorkloads,
  HOUR,
  MINUTE,
  pastSchedule,
  WorkloadFactory,
  writeNamespaces,
} from "./generate.ts";
import {
  kubeletConfig,
  minorOf,
  type PullContext,
  pulledMessage,
  type Runtime,
  reportedPullNs,
  syncPodPulls,
} from "./kubelet.ts";
import { kubeletMetricsText } from "./kubelet-metrics.ts";
import {
  type ClusterSpec,
  type EmittedEvent,
  IMAGE_VOLUMES_FROM_MINOR,
  type Incident,
  type SimContainer,
  type SimContainerState,
  type SimNamespace,
  type SimNode,
  type SimPod,
  type SimWorkload,
} from "./model.ts";
import { jobObject, nodeObject, podObject, replicaSetObject, workloadObject } from "./objects.ts";
import { PodSet, podNameFor } from "./pods.ts";
import { Random } from "./random.ts";
import { EventRecorder } from "./recorder.ts";
import { SimRegistry, SimTagStore } from "./registry.ts";
import { planDay, type Stage } from "./stories.ts";
import { type ClusterTruth, clusterTruth, containerStarts, failingContainers } from "./truth.ts";

export type { ClusterSpec } from "./model.ts";
export type { ClusterTruth, ImageUse } from "./truth.ts";

const WORKLOAD_LISTS = {
  Deployment: "apps/deployments",
  StatefulSet: "apps/statefulsets",
  DaemonSet: "apps/daemonsets",
  CronJob: "batch/cronjobs",
  Job: "batch/jobs",
  Pod: "",
} as const;

export class SimCluster {
  readonly store = new ClusterStore();
  readonly rng: Random;
  readonly minor: number;
  now: number;
  readonly namespaces: SimNamespace[];
  readonly nodes: SimNode[];
  readonly workloads: SimWorkload[];
  readonly runtime: Runtime;
  readonly registry: SimRegistry;
  readonly recorder: EventRecorder;
  private readonly pods = new PodSet();
  private readonly failing = new Set<SimPod>();
  private readonly pending: Array<{ at: number; run: () => void }> = [];
  private readonly churn: number;
  private plannedDay = -1;
  private readonly nodeByName = new Map<string, SimNode>();
  private readonly nsByName = new Map<string, SimNamespace>();
  private readonly cronJobs: SimWorkload[];
  private readonly pulls: PullContext;
  private readonly stage: Stage;

  constructor(readonly spec: ClusterSpec) {
    this.rng = new Random(spec.seed);
    this.minor = minorOf(spec.gitVersion);
    this.now = spec.startTime;
    this.churn = spec.churnPerMinute ?? 1 / (3 * 24 * 60);
    this.runtime = this.minor < 24 ? "docker" : "containerd";
    this.registry = new SimRegistry(this.rng, spec.tags ?? new SimTagStore(spec.seed));
    this.recorder = new EventRecorder(
      this.store,
      this.rng,
      () => this.now,
      spec.eventTtlMs ?? HOUR,
      spec.maxTruthEvents ?? 200_000,
    );
    this.pulls = {
      minor: this.minor,
      registry: this.registry,
      rng: this.rng,
      recorder: this.recorder,
      validSecrets: (p) => this.validSecrets(p),
    };
    const created = this.now - 120 * DAY;
    this.nodes = generateNodes(this.rng, spec.name, spec.pods, this.runtime, created);
    for (const node of this.nodes) this.nodeByName.set(node.name, node);
    this.namespaces = generateNamespaces(this.rng, spec.pods);
    for (const ns of this.namespaces) this.nsByName.set(ns.name, ns);
    writeNamespaces(this.store, this.rng, this.namespaces, created);
    const factory = new WorkloadFactory(this.rng, this.registry, this.minor >= IMAGE_VOLUMES_FROM_MINOR);
    const planned = generateWorkloads(factory, this.namespaces, this.nodes, {
      pods: spec.pods,
      now: this.now,
      created,
    });
    this.workloads = factory.workloads;
    this.cronJobs = this.workloads.filter((w) => w.kind === "CronJob");
    this.stage = {
      rng: this.rng,
      workloads: this.workloads,
      namespaces: this.namespaces,
      registry: this.registry,
      spec,
      rollout: (w, change, at, viaSetImage) => this.rollout(w, change, at, viaSetImage),
      schedule: (at, run) => this.pending.push({ at, run }),
    };
    for (const w of this.workloads) this.writeWorkload(w);
    this.startPast(planned, created);
  }

  /** Plays the generated past: pods start in time order, so node caches and tag moves are as they were. */
  private startPast(planned: ReturnType<typeof generateWorkloads>, created: number) {
    const { starts, moves } = pastSchedule(this.rng, planned, this.now);
    let nextMove = 0;
    for (const s of starts) {
      while (nextMove < moves.length && (moves[nextMove] as (typeof moves)[number]).at <= s.at) {
        const m = moves[nextMove++] as (typeof moves)[number];
        this.moveTag(m.repo, m.tag);
      }
      if (s.w.kind === "CronJob") this.startCronJob(s.w, s.at);
      else this.startPod(s.w, s.at, s.node);
    }
    for (const node of this.nodes) this.store.put("/nodes", nodeObject(node, this.spec.gitVersion, created));
    this.recorder.expire();
    // The kubelet keeps retrying failing pulls: their (aggregated) events are always recent.
    this.retryFailing(this.now);
    // The generated past is long compacted: watches start from now.
    this.store.compact();
  }

  get incidents(): Incident[] {
    return this.registry.incidents;
  }

  /** The registry pushes a new image under a moving tag. */
  moveTag(repo: SimRepository, tag: string) {
    this.registry.moveTag(repo, tag);
  }

  private nsOf(w: { namespace: string }): SimNamespace {
    return this.nsByName.get(w.namespace) as SimNamespace;
  }

  private node(name: string): SimNode {
    return this.nodeByName.get(name) as SimNode;
  }

  private pod(namespace: string, name: string): SimPod | undefined {
    return this.pods.get(namespace, name);
  }

  private writeWorkload(w: SimWorkload) {
    const key = WORKLOAD_LISTS[w.kind];
    if (!key) return;
    this.store.put(key, workloadObject(w, this.nsOf(w), this.now));
    if (w.kind === "Deployment") this.store.put("apps/replicasets", replicaSetObject(w));
  }

  private validSecrets(p: SimPod): string[] {
    const ns = this.nsOf(p);
    return (ns.serviceAccounts.get(p.workload.serviceAccount) ?? []).filter((s) => ns.secrets.has(s));
  }

  /** Feature gates the cluster turned on (what its pods' status reports). */
  private get gates() {
    return this.spec.featureGates ?? {};
  }

  /** The kubelet's pulls for one pod (kubelet.ts syncPodPulls). */
  private pullPod(
    p: SimPod,
    node: SimNode,
    at: number,
    previous: SimContainerState[] = [],
  ): SimContainerState[] {
    return syncPodPulls(this.pulls, p, node, at, previous);
  }

  // ---- pods ---------------------------------------------------------------------------------

  private addPod(p: SimPod) {
    this.pods.add(p);
    p.workload.pods.add(p.name);
  }

  private removePod(p: SimPod) {
    if (!this.pods.remove(p)) return;
    p.workload.pods.delete(p.name);
    this.failing.delete(p);
    this.store.delete("/pods", p.name, p.namespace);
  }

  startPod(w: SimWorkload, at: number, node?: SimNode, jobName?: string): SimPod {
    const p: SimPod = {
      name: podNameFor(this.rng, w, jobName),
      namespace: w.namespace,
      uid: this.rng.uuid(),
      node: (node ?? this.rng.pick(this.nodes)).name,
      workload: w,
      startedAt: at,
      containers: [],
    };
    const n = this.node(p.node);
    p.containers = this.pullPod(p, n, at);
    this.addPod(p);
    if (p.containers.some((c) => c.waiting)) this.failing.add(p);
    this.store.put("/pods", podObject(p, this.nsOf(p), n, this.gates));
    return p;
  }

  // ---- life over time -------------------------------------------------------------------------

  private startCronJob(w: SimWorkload, at: number) {
    const jobs = w.jobs as NonNullable<SimWorkload["jobs"]>;
    const job = {
      name: `${w.name}-${Math.floor(at / MINUTE)}`,
      uid: this.rng.uuid(),
      pod: null as string | null,
      startedAt: at,
    };
    jobs.push(job);
    const p = this.startPod(w, at, undefined, job.name);
    job.pod = p.name;
    // Written again now that the Job it belongs to is known (its owner reference).
    this.store.put("/pods", podObject(p, this.nsOf(p), this.node(p.node), this.gates));
    this.store.put("batch/jobs", jobObject(w, job, false));
    while (jobs.length > 3) {
      const old = jobs.shift() as (typeof jobs)[number];
      this.store.delete("batch/jobs", old.name, w.namespace);
      const oldPod = old.pod ? this.pod(w.namespace, old.pod) : undefined;
      if (oldPod) this.removePod(oldPod);
    }
  }

  /** Replaces a pod the way its controller would (new name, or the same for StatefulSets). */
  private replacePod(p: SimPod, at: number) {
    const w = p.workload;
    if (w.kind === "CronJob" || w.kind === "Job") return;
    const node = w.kind === "DaemonSet" ? this.node(p.node) : undefined;
    this.removePod(p);
    this.startPod(w, at, node);
  }

  /** A new revision of a Deployment: new ReplicaSet, every pod replaced. */
  rollout(w: SimWorkload, change: (c: SimContainer) => void, at: number, viaSetImage = false) {
    for (const c of w.containers) {
      change(c);
      if (!viaSetImage || w.writer !== "client-side-apply") c.appliedImage = c.image;
    }
    w.revision += 1;
    if (w.kind === "Deployment") {
      this.store.delete("apps/replicasets", w.revisionName, w.namespace);
      w.revisionUid = this.rng.uuid();
      w.revisionName = `${w.name}-${this.rng.suffix(10)}`;
    }
    this.writeWorkload(w);
    const pods = this.pods.list.filter((p) => p.workload === w);
    for (const p of pods) this.replacePod(p, at);
    if (w.kind === "Deployment") this.store.put("apps/replicasets", replicaSetObject(w));
  }

  private retryFailing(at: number) {
    for (const p of [...this.failing]) {
      const node = this.node(p.node);
      p.containers = this.pullPod(p, node, at, p.containers);
      if (!p.containers.some((c) => c.waiting)) this.failing.delete(p);
      this.store.put("/pods", podObject(p, this.nsOf(p), node, this.gates));
    }
  }

  /** Advances the simulated clock to `target`, one minute at a time. */
  advance(target: number) {
    while (this.now + MINUTE <= target) {
      this.now += MINUTE;
      const t = this.now;
      const day = Math.floor(t / DAY);
      if (day !== this.plannedDay) {
        this.plannedDay = day;
        planDay(this.stage, day);
        this.pending.sort((a, b) => a.at - b.at);
      }
      while (this.pending.length && (this.pending[0] as { at: number }).at <= t)
        (this.pending.shift() as { run: () => void }).run();
      this.recorder.expire();
      if ((t / MINUTE) % 5 === 0 && this.failing.size) this.retryFailing(t);
      // Pod churn: Poisson arrivals over the pod population.
      let restarts = this.rng.poisson(this.pods.list.length * this.churn);
      while (restarts-- > 0 && this.pods.list.length) {
        const p = this.pods.list[this.rng.int(0, this.pods.list.length - 1)] as SimPod;
        this.replacePod(p, t);
      }
      for (const w of this.cronJobs) {
        if ((t / MINUTE + Number.parseInt(w.uid.slice(0, 2), 16)) % 30 === 0) this.startCronJob(w, t);
      }
      this.finishJobs(t);
    }
    for (const node of this.nodes)
      this.store.put("/nodes", nodeObject(node, this.spec.gitVersion, this.spec.startTime - 120 * DAY));
  }

  private finishJobs(t: number) {
    for (const w of this.cronJobs) {
      for (const job of w.jobs ?? []) {
        if (!job.pod || t - job.startedAt !== 2 * MINUTE) continue;
        const p = this.pod(w.namespace, job.pod);
        if (!p || p.containers.some((c) => c.waiting)) continue;
        p.done = true;
        this.store.put("/pods", podObject(p, this.nsOf(p), this.node(p.node), this.gates));
        this.store.put("batch/jobs", jobObject(w, job, true));
      }
    }
  }

  /** Emits `count` pull events spread over `seconds` of simulated time from now (load generation). */
  emitLoad(count: number): number {
    const before = this.recorder.emitted.length;
    const candidates = this.pods.list.filter((p) => p.workload.containers[0]?.repo);
    for (let i = 0; i < count && candidates.length; i++) {
      const p = candidates[this.rng.int(0, candidates.length - 1)] as SimPod;
      const node = this.node(p.node);
      const c = p.workload.containers[0] as SimContainer & { repo: SimRepository };
      const pullNs = Math.round(c.repo.pullSeconds * node.speed * this.rng.logNormal(1, 0.35) * 1e9);
      const message = pulledMessage(c.image, this.minor, pullNs, pullNs, c.repo.sizeBytes);
      const event = {
        reason: "Pulled",
        type: "Normal" as const,
        message,
        at: this.now,
        pullNs: reportedPullNs(this.minor, pullNs),
      };
      this.recorder.emit({ pod: p, node, container: c }, event, false, false);
    }
    return this.recorder.emitted.length - before;
  }

  truth(): ClusterTruth {
    return clusterTruth({
      spec: this.spec,
      now: this.now,
      store: this.store,
      workloads: this.workloads,
      namespaces: this.namespaces,
      failing: this.failing,
      recorder: this.recorder,
      pod: (ns, name) => this.pod(ns, name),
      kubeletConfigs: () => this.nodes.map((_, i) => kubeletConfig(i, this.minor, this.runtime)),
    });
  }

  /** A node's kubelet /metrics page (its image-pull part), or null for an unknown node. */
  kubeletMetrics(nodeName: string): string | null {
    const node = this.nodeByName.get(nodeName);
    return node ? kubeletMetricsText(node.metrics, this.minor) : null;
  }

  /** A node's kubelet configuration as /configz reports it, or null for an unknown node. */
  kubeletConfig(nodeName: string): Record<string, unknown> | null {
    const index = this.nodes.findIndex((n) => n.name === nodeName);
    return index < 0 ? null : kubeletConfig(index, this.minor, this.runtime);
  }

  /** Containers that started in (from, until], and whether their Pulled event reached the API server. */
  containerStarts(from: number, until: number) {
    return containerStarts(this.pods.list, from, until);
  }

  /** Containers waiting on their image now, with the cause the kubelet met. */
  failingContainers() {
    return failingContainers(this.failing);
  }

  /** Events the API server received, as it holds them (latest count and time), touched since `since`. */
  events(since = 0): EmittedEvent[] {
    return this.recorder.emitted.filter((e) => e.written && e.lastTimestamp >= since);
  }
}
