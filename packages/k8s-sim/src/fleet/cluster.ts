// One simulated cluster: its state, a kubelet model that pulls (or not) by policy and node cache
// and emits events, the clock-driven life of the cluster, and the ground truth tests compare with.
import { ClusterStore } from "../server/store.ts";
import { INVALID_IMAGE, REPOSITORIES, type SimRepository, type SimTagKind } from "./catalog.ts";
import {
  alreadyPresentMessage,
  minorOf,
  pulledMessage,
  pullingMessage,
  type Runtime,
  registryError,
  type SimFailure,
} from "./kubelet.ts";
import type {
  EmittedEvent,
  Incident,
  Policy,
  SimContainer,
  SimNamespace,
  SimNode,
  SimPod,
  SimWorkload,
  WorkloadKind,
  Writer,
} from "./model.ts";
import {
  iso,
  jobObject,
  namespaceObject,
  nodeObject,
  podObject,
  replicaSetObject,
  secretObject,
  serviceAccountObject,
  workloadObject,
} from "./objects.ts";
import { Random } from "./random.ts";

export interface ClusterSpec {
  name: string;
  gitVersion: string;
  pods: number;
  seed: number;
  /** Simulated time at generation (ms since epoch). */
  startTime: number;
  /** Kubernetes' event TTL. */
  eventTtlMs?: number;
  /** Chance per pod per simulated minute that it is replaced. */
  churnPerMinute?: number;
  /** Whether to follow the demo story (regression, fix, incident, moved tag). */
  story?: boolean;
  /** How many emitted events the ground truth keeps (totals are always exact). */
  maxTruthEvents?: number;
}

const TEAMS = [
  "payments",
  "checkout",
  "search",
  "identity",
  "platform",
  "data",
  "ml",
  "growth",
  "ops",
  "web",
  "mobile",
  "billing",
];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface ClusterTruth {
  cluster: string;
  kubernetesVersion: string;
  time: string;
  objects: Record<string, number>;
  workloads: { total: number; byKind: Record<string, number> };
  containers: {
    total: number;
    byPolicy: Record<string, number>;
    byPolicySource: Record<string, number>;
    byTagKind: Record<string, number>;
    byRegistry: Record<string, number>;
    byVisibility: Record<string, number>;
  };
  drift: Array<{ namespace: string; kind: string; name: string; container: string; digests: string[] }>;
  waiting: Record<string, number>;
  missingSecrets: Array<{ namespace: string; serviceAccount: string; secret: string }>;
  events: { emitted: number; live: number; byReason: Record<string, number> };
  /** Nodes by their kubelet's serializeImagePulls (what /proxy/configz reports). */
  kubelet: { nodes: number; serializeImagePulls: Record<string, number> };
}

const inc = (m: Record<string, number>, k: string, n = 1) => {
  m[k] = (m[k] ?? 0) + n;
};

/** The simulator's own defaulting rule for the images it writes (Kubernetes: tag latest → Always). */
function defaultPolicy(c: Pick<SimContainer, "repo" | "tag" | "digest">): Policy {
  if (!c.repo) return "IfNotPresent";
  return c.tag === "latest" || (c.tag === "" && !c.digest) ? "Always" : "IfNotPresent";
}

function imageString(repo: SimRepository, tag: string, digest: string | null, digestOnly: boolean): string {
  if (digest && digestOnly) return `${repo.written}@${digest}`;
  return `${repo.written}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`;
}

export class SimCluster {
  readonly store = new ClusterStore();
  readonly rng: Random;
  readonly minor: number;
  now: number;
  readonly namespaces: SimNamespace[] = [];
  readonly nodes: SimNode[] = [];
  readonly workloads: SimWorkload[] = [];
  private readonly podList: SimPod[] = [];
  private readonly podIndex = new Map<string, number>();
  private readonly registry = new Map<string, string>();
  readonly incidents: Incident[] = [];
  readonly emitted: EmittedEvent[] = [];
  private readonly live = new Map<string, EmittedEvent>();
  private readonly aggregate = new Map<string, EmittedEvent>();
  private readonly failing = new Set<SimPod>();
  private readonly pending: Array<{ at: number; run: () => void }> = [];
  private seq = 0;
  private readonly eventTtl: number;
  private readonly churn: number;
  private plannedDay = -1;
  readonly runtime: Runtime;
  private readonly nodeByName = new Map<string, SimNode>();
  private readonly nsByName = new Map<string, SimNamespace>();
  private readonly cronJobs: SimWorkload[] = [];
  /** Totals over every event ever emitted; `emitted` keeps only the newest maxTruthEvents. */
  private emittedTotal = 0;
  private readonly emittedByReason: Record<string, number> = {};
  private readonly maxTruthEvents: number;

  constructor(readonly spec: ClusterSpec) {
    this.rng = new Random(spec.seed);
    this.minor = minorOf(spec.gitVersion);
    this.now = spec.startTime;
    this.eventTtl = spec.eventTtlMs ?? HOUR;
    this.churn = spec.churnPerMinute ?? 1 / (3 * 24 * 60);
    this.runtime = this.minor < 24 ? "docker" : "containerd";
    this.maxTruthEvents = spec.maxTruthEvents ?? 200_000;
    this.generate();
  }

  // ---- registry -------------------------------------------------------------------------

  private digest(): string {
    return `sha256:${this.rng.hex(64)}`;
  }

  private currentDigest(repo: SimRepository, tag: string): string {
    const key = `${repo.canonical}:${tag || "latest"}`;
    let d = this.registry.get(key);
    if (!d) {
      d = this.digest();
      this.registry.set(key, d);
    }
    return d;
  }

  /** The registry pushes a new image under a moving tag. */
  moveTag(repo: SimRepository, tag: string) {
    this.registry.set(`${repo.canonical}:${tag || "latest"}`, this.digest());
  }

  private incidentAt(registry: string, t: number): Incident | undefined {
    return this.incidents.find((i) => i.registry === registry && i.from <= t && t < i.to);
  }

  // ---- generation -----------------------------------------------------------------------

  private generate() {
    const { rng } = this;
    const created = this.now - 120 * DAY;
    const nodeCount = Math.max(3, Math.ceil(this.spec.pods / 25));
    for (let i = 0; i < nodeCount; i++) {
      this.nodes.push({
        name: `${this.spec.name}-node-${String(i).padStart(3, "0")}`,
        uid: rng.uuid(),
        runtime: this.runtime,
        runtimeVersion: this.runtime === "docker" ? "20.10.24" : "1.7.22",
        images: new Map(),
        tags: new Map(),
        speed: Math.min(4, Math.max(0.4, rng.logNormal(1, 0.3))),
      });
    }
    for (const node of this.nodes) this.nodeByName.set(node.name, node);
    const nsCount = Math.max(3, Math.round(this.spec.pods / 80));
    const system: SimNamespace = {
      name: "kube-system",
      uid: rng.uuid(),
      env: "production",
      team: "platform",
      serviceAccounts: new Map([["default", []]]),
      secrets: new Set(),
    };
    this.namespaces.push(system);
    for (let i = 0; this.namespaces.length < nsCount + 1; i++) {
      const team = TEAMS[i % TEAMS.length] as string;
      const env = rng.weighted([
        ["production", 5],
        ["staging", 2.5],
        ["development", 2.5],
      ] as const);
      const name = `${team}-${env === "production" ? "prod" : env === "staging" ? "stage" : "dev"}${i >= TEAMS.length * 2 ? `-${i}` : ""}`;
      if (this.namespaces.some((n) => n.name === name)) continue;
      const appSecrets = rng.chance(0.05) ? [] : ["regcred", ...(rng.chance(0.12) ? ["legacy-regcred"] : [])];
      const secrets = new Set<string>();
      if (rng.chance(0.96)) secrets.add("regcred");
      secrets.add("tls-cert");
      this.namespaces.push({
        name,
        uid: rng.uuid(),
        env,
        team,
        serviceAccounts: new Map([
          ["default", []],
          ["app", appSecrets],
        ]),
        secrets,
      });
    }
    for (const ns of this.namespaces) {
      this.nsByName.set(ns.name, ns);
      this.store.put("/namespaces", namespaceObject(ns, created));
      for (const sa of ns.serviceAccounts.keys())
        this.store.put("/serviceaccounts", serviceAccountObject(ns, sa, rng.uuid(), created));
      for (const s of ns.secrets) this.store.put("/secrets", secretObject(ns, s, rng.uuid(), created));
    }

    // DaemonSets on every node, then workloads until the pod target is reached.
    const planned: Array<{ w: SimWorkload; node?: SimNode }> = [];
    const ds = (name: string, repo: SimRepository, tag: string) => {
      const w = this.newWorkload(
        "DaemonSet",
        system,
        name,
        nodeCount,
        created,
        [this.newContainer("agent", "container", repo, tag, "helm")],
        "helm",
      );
      for (const node of this.nodes) planned.push({ w, node });
    };
    ds(
      "node-exporter",
      REPOSITORIES.find((r) => r.written.includes("node-exporter")) as SimRepository,
      "v1.8.2",
    );
    ds("log-shipper", REPOSITORIES.find((r) => r.written === "busybox") as SimRepository, "1.36");
    let podCount = planned.length;
    const apps = this.namespaces.slice(1);
    while (podCount < this.spec.pods) {
      const ns = rng.pick(apps);
      const kind = rng.weighted<WorkloadKind>([
        ["Deployment", 70],
        ["StatefulSet", 10],
        ["CronJob", 8],
        ["Job", 5],
        ["Pod", 7],
      ]);
      const replicas = kind === "Deployment" ? rng.int(1, 6) : kind === "StatefulSet" ? rng.int(1, 3) : 1;
      const writer = rng.weighted<Writer>([
        ["client-side-apply", 45],
        ["server-side-apply", 30],
        ["helm", 25],
      ]);
      const base = rng.pick([
        "api",
        "web",
        "worker",
        "cache",
        "db",
        "gateway",
        "auth",
        "search",
        "index",
        "queue",
        "report",
        "sync",
      ]);
      const name = `${base}-${rng.suffix(4)}`;
      const containers = [this.randomContainer("app", "container", writer, ns)];
      if (rng.chance(0.25)) containers.push(this.randomContainer("sidecar", "container", writer, ns));
      if (rng.chance(0.15)) containers.push(this.randomContainer("init", "init", writer, ns));
      const createdAt = this.now - rng.int(1, 90) * DAY;
      const w = this.newWorkload(kind, ns, name, replicas, createdAt, containers, writer);
      for (let i = 0; i < replicas; i++) planned.push({ w });
      podCount += replicas;
    }
    for (const w of this.workloads) this.writeWorkload(w);

    // Pods start in time order, so the kubelet model sees node caches and tag moves as they were.
    const starts = planned.map((p) => ({ ...p, at: this.now - Math.floor(rng.next() ** 2 * 14 * DAY) }));
    starts.sort((a, b) => a.at - b.at);
    const moving = REPOSITORIES.flatMap((repo) =>
      repo.tags
        .filter((t) => ["mutable", "floating-version", "untagged"].includes(t.kind))
        .map((t) => ({ repo, tag: t.tag })),
    );
    const moves = moving
      .filter(() => rng.chance(0.5))
      .map((m) => ({ ...m, at: this.now - rng.int(1, 13) * DAY }));
    moves.sort((a, b) => a.at - b.at);
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
    this.expireEvents();
    // The kubelet keeps retrying failing pulls: their (aggregated) events are always recent.
    this.retryFailing(this.now);
    // The generated past is long compacted: watches start from now.
    this.store.compact();
  }

  private newWorkload(
    kind: WorkloadKind,
    ns: SimNamespace,
    name: string,
    replicas: number,
    createdAt: number,
    containers: SimContainer[],
    writer: Writer,
  ): SimWorkload {
    const w: SimWorkload = {
      kind,
      namespace: ns.name,
      name,
      uid: this.rng.uuid(),
      writer,
      serviceAccount: ns.name === "kube-system" ? "default" : this.rng.chance(0.95) ? "app" : "default",
      replicas,
      containers,
      createdAt,
      revision: 1,
      revisionUid: this.rng.uuid(),
      revisionName: `${name}-${this.rng.suffix(10)}`,
      pods: new Set(),
      ...(kind === "CronJob" ? { jobs: [] } : {}),
    };
    this.workloads.push(w);
    if (kind === "CronJob") this.cronJobs.push(w);
    return w;
  }

  private newContainer(
    name: string,
    type: "container" | "init",
    repo: SimRepository | null,
    tag: string,
    writer: Writer,
    opts: { digest?: string | null; digestOnly?: boolean; policy?: Policy } = {},
  ): SimContainer {
    const digest = opts.digest ?? null;
    const image = repo ? imageString(repo, tag, digest, opts.digestOnly ?? false) : INVALID_IMAGE;
    const c: SimContainer = {
      name,
      type,
      repo,
      tag: opts.digestOnly ? "" : tag,
      digest,
      image,
      policy: "IfNotPresent",
      policyInManifest: false,
      appliedImage: image,
    };
    if (opts.policy) {
      c.policy = opts.policy;
      c.policyInManifest = true;
    } else {
      c.policy = defaultPolicy(c);
    }
    void writer;
    return c;
  }

  private randomContainer(
    name: string,
    type: "container" | "init",
    writer: Writer,
    ns: SimNamespace,
  ): SimContainer {
    const { rng } = this;
    if (rng.chance(0.005)) return this.newContainer(name, type, null, "", writer);
    const repo = rng.weighted(
      REPOSITORIES.map(
        (r) =>
          [
            r,
            r.written === "localhost:5000/tools/debug" ? (ns.env === "development" ? 2 : 0.2) : 10,
          ] as const,
      ),
    );
    const tag = rng.pick(repo.tags).tag;
    const pin = rng.chance(ns.env === "production" ? 0.2 : 0.08);
    const digest = pin ? this.currentDigest(repo, tag) : null;
    const digestOnly = pin && rng.chance(0.3);
    const explicit = rng.chance(0.4);
    const policy = explicit
      ? rng.weighted<Policy>([
          ["Always", 45],
          ["IfNotPresent", 52],
          ["Never", 3],
        ])
      : undefined;
    const c = this.newContainer(name, type, repo, tag, writer, {
      digest,
      digestOnly,
      ...(policy ? { policy } : {}),
    });
    if (rng.chance(0.01)) {
      // A tag that was never pushed.
      c.tag = "9.9.9";
      c.missingTag = true;
      c.image = c.appliedImage = imageString(repo, "9.9.9", null, false);
      c.digest = null;
      if (!c.policyInManifest) c.policy = defaultPolicy(c);
    }
    return c;
  }

  private nsOf(w: { namespace: string }): SimNamespace {
    return this.nsByName.get(w.namespace) as SimNamespace;
  }

  private node(name: string): SimNode {
    return this.nodeByName.get(name) as SimNode;
  }

  private writeWorkload(w: SimWorkload) {
    const ns = this.nsOf(w);
    const key = {
      Deployment: "apps/deployments",
      StatefulSet: "apps/statefulsets",
      DaemonSet: "apps/daemonsets",
      CronJob: "batch/cronjobs",
      Job: "batch/jobs",
      Pod: "",
    }[w.kind];
    if (!key) return;
    this.store.put(key, workloadObject(w, ns, this.now));
    if (w.kind === "Deployment") this.store.put("apps/replicasets", replicaSetObject(w));
  }

  // ---- the kubelet --------------------------------------------------------------------------

  private addPod(p: SimPod) {
    this.podIndex.set(`${p.namespace}/${p.name}`, this.podList.length);
    this.podList.push(p);
    p.workload.pods.add(p.name);
  }

  private removePod(p: SimPod) {
    const key = `${p.namespace}/${p.name}`;
    const i = this.podIndex.get(key);
    if (i === undefined) return;
    const last = this.podList.pop() as SimPod;
    if (last !== p) {
      this.podList[i] = last;
      this.podIndex.set(`${last.namespace}/${last.name}`, i);
    }
    this.podIndex.delete(key);
    p.workload.pods.delete(p.name);
    this.failing.delete(p);
    this.store.delete("/pods", p.name, p.namespace);
  }

  private podName(w: SimWorkload, job?: string): string {
    if (w.kind === "Pod") return w.name;
    if (w.kind === "Job") return `${w.name}-${this.rng.suffix(5)}`;
    if (w.kind === "CronJob") return `${job}-${this.rng.suffix(5)}`;
    if (w.kind === "StatefulSet") {
      for (let i = 0; ; i++) if (!w.pods.has(`${w.name}-${i}`)) return `${w.name}-${i}`;
    }
    if (w.kind === "DaemonSet") return `${w.name}-${this.rng.suffix(5)}`;
    return `${w.revisionName}-${this.rng.suffix(5)}`;
  }

  startPod(w: SimWorkload, at: number, node?: SimNode, jobName?: string): SimPod {
    const p: SimPod = {
      name: this.podName(w, jobName),
      namespace: w.namespace,
      uid: this.rng.uuid(),
      node: (node ?? this.rng.pick(this.nodes)).name,
      workload: w,
      startedAt: at,
      containers: [],
    };
    const n = this.node(p.node);
    for (const c of w.containers)
      p.containers.push({ name: c.name, type: c.type, ...this.kubeletPull(p, n, c, at) });
    this.addPod(p);
    if (p.containers.some((c) => c.waiting)) this.failing.add(p);
    this.store.put("/pods", podObject(p, this.nsOf(p), n));
    return p;
  }

  private validSecrets(p: SimPod): string[] {
    const ns = this.nsOf(p);
    return (ns.serviceAccounts.get(p.workload.serviceAccount) ?? []).filter((s) => ns.secrets.has(s));
  }

  /** The kubelet's decision for one container: pull or not, by policy and node cache; events. */
  private kubeletPull(
    p: SimPod,
    node: SimNode,
    c: SimContainer,
    at: number,
  ): { digest: string | null; waiting: { reason: string; message: string } | null } {
    const ev = (
      reason: string,
      type: "Normal" | "Warning",
      message: string,
      pullNs: number | null = null,
      aggregate = false,
    ) => this.emit(p, node, c, reason, type, message, at, pullNs, aggregate);
    if (!c.repo) {
      const msg = `Failed to apply default image tag ${JSON.stringify(c.image)}: couldn't parse image reference ${JSON.stringify(c.image)}: invalid reference format: repository name (${c.image.split(":")[0]}) must be lowercase`;
      ev("InspectFailed", "Warning", msg, null, true);
      ev("Failed", "Warning", "Error: InvalidImageName", null, true);
      return { digest: null, waiting: { reason: "InvalidImageName", message: msg } };
    }
    const repo = c.repo;
    const refKey = `${repo.canonical}:${c.tag || "latest"}`;
    const present = c.digest ? node.images.has(`${repo.canonical}@${c.digest}`) : node.tags.has(refKey);
    const cachedDigest = c.digest ?? node.tags.get(refKey) ?? null;
    if (c.policy === "Never" || (c.policy === "IfNotPresent" && present)) {
      if (present) {
        ev("Pulled", "Normal", alreadyPresentMessage(c.image, this.minor));
        const img = node.images.get(`${repo.canonical}@${cachedDigest}`);
        if (img) img.lastUsed = at;
        return { digest: cachedDigest, waiting: null };
      }
      const msg = `Container image ${JSON.stringify(c.image)} is not present with pull policy of Never`;
      ev("ErrImageNeverPull", "Warning", msg, null, true);
      ev("Failed", "Warning", "Error: ErrImageNeverPull", null, true);
      return { digest: null, waiting: { reason: "ErrImageNeverPull", message: msg } };
    }
    const incident = this.incidentAt(repo.registry, at);
    let failure: SimFailure | null = null;
    if (c.missingTag) failure = "not-found";
    else if (repo.private && !repo.nodeCredentials && this.validSecrets(p).length === 0)
      failure = "unauthorized";
    else if (incident?.failure) failure = incident.failure;
    ev("Pulling", "Normal", pullingMessage(c.image));
    if (failure) {
      const err = registryError(c.image, repo.canonical, c.tag, failure);
      ev("Failed", "Warning", `Failed to pull image ${JSON.stringify(c.image)}: ${err}`, null, true);
      ev("Failed", "Warning", "Error: ErrImagePull", null, true);
      ev("BackOff", "Normal", `Back-off pulling image ${JSON.stringify(c.image)}`, null, true);
      return {
        digest: present ? cachedDigest : null,
        waiting: {
          reason: "ImagePullBackOff",
          message: `Back-off pulling image ${JSON.stringify(c.image)}: ErrImagePull: ${err}`,
        },
      };
    }
    const digest = c.digest ?? this.currentDigest(repo, c.tag);
    const slow = incident?.slowdown ?? 1;
    const pullNs = Math.round(repo.pullSeconds * node.speed * slow * this.rng.logNormal(1, 0.35) * 1e9);
    const waitNs = Math.round(pullNs * (1 + this.rng.next() * 0.3));
    ev(
      "Pulled",
      "Normal",
      pulledMessage(c.image, this.minor, pullNs, waitNs, repo.sizeBytes),
      this.minor >= 19 ? (this.minor >= 28 ? Math.floor(pullNs / 1e6) * 1e6 : pullNs) : null,
    );
    node.tags.set(refKey, digest);
    const names = [`${repo.canonical}@${digest}`, ...(c.tag ? [`${repo.canonical}:${c.tag}`] : [])];
    node.images.set(`${repo.canonical}@${digest}`, { names, sizeBytes: repo.sizeBytes, lastUsed: at });
    return { digest, waiting: null };
  }

  /** Records a kubelet event, aggregating repeats (count, lastTimestamp) the way the recorder does. */
  private emit(
    p: SimPod,
    node: SimNode,
    c: SimContainer,
    reason: string,
    type: "Normal" | "Warning",
    message: string,
    at: number,
    pullNs: number | null,
    aggregate: boolean,
  ) {
    const aggKey = `${p.namespace}/${p.name}/${c.name}/${reason}/${message}`;
    if (aggregate) {
      const prev = this.aggregate.get(aggKey);
      if (prev && this.live.has(prev.uid)) {
        prev.count += 1;
        prev.lastTimestamp = at;
        this.writeEvent(prev, p, node, c);
        return;
      }
    }
    const e: EmittedEvent = {
      uid: this.rng.uuid(),
      name: `${p.name}.${(at * 1000 + (this.seq++ % 1000)).toString(16)}`,
      namespace: p.namespace,
      pod: p.name,
      container: c.name,
      reason,
      type,
      message,
      count: 1,
      firstTimestamp: at,
      lastTimestamp: at,
      pullNs,
    };
    this.emitted.push(e);
    this.emittedTotal += 1;
    this.emittedByReason[reason] = (this.emittedByReason[reason] ?? 0) + 1;
    if (this.emitted.length > this.maxTruthEvents * 1.1)
      this.emitted.splice(0, this.emitted.length - this.maxTruthEvents);
    this.live.set(e.uid, e);
    if (aggregate) this.aggregate.set(aggKey, e);
    this.writeEvent(e, p, node, c);
  }

  private writeEvent(e: EmittedEvent, p: SimPod, node: SimNode, c: SimContainer) {
    // Events that already expired (generation writes history) are kept for truth only.
    if (e.lastTimestamp <= this.now - this.eventTtl) return;
    this.store.put("events", {
      apiVersion: "v1",
      kind: "Event",
      metadata: {
        name: e.name,
        namespace: e.namespace,
        uid: e.uid,
        creationTimestamp: iso(e.firstTimestamp),
      },
      involvedObject: {
        kind: "Pod",
        namespace: p.namespace,
        name: p.name,
        uid: p.uid,
        apiVersion: "v1",
        fieldPath: `spec.${c.type === "init" ? "initContainers" : "containers"}{${c.name}}`,
      },
      reason: e.reason,
      message: e.message,
      source: { component: "kubelet", host: node.name },
      firstTimestamp: iso(e.firstTimestamp),
      lastTimestamp: iso(e.lastTimestamp),
      count: e.count,
      type: e.type,
      eventTime: null,
      reportingComponent: "kubelet",
      reportingInstance: node.name,
    });
  }

  private expireEvents() {
    const cutoff = this.now - this.eventTtl;
    for (const [uid, e] of this.live) {
      if (e.lastTimestamp <= cutoff) {
        this.live.delete(uid);
        this.store.delete("events", e.name, e.namespace);
      }
    }
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
    this.store.put("/pods", podObject(p, this.nsOf(p), this.node(p.node)));
    this.store.put("batch/jobs", jobObject(w, job, false));
    while (jobs.length > 3) {
      const old = jobs.shift() as (typeof jobs)[number];
      this.store.delete("batch/jobs", old.name, w.namespace);
      const oldPod = old.pod ? this.podList[this.podIndex.get(`${w.namespace}/${old.pod}`) ?? -1] : undefined;
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
    const pods = this.podList.filter((p) => p.workload === w);
    for (const p of pods) this.replacePod(p, at);
    if (w.kind === "Deployment") this.store.put("apps/replicasets", replicaSetObject(w));
  }

  private retryFailing(at: number) {
    for (const p of [...this.failing]) {
      const node = this.node(p.node);
      let still = false;
      p.containers = p.containers.map((state) => {
        if (!state.waiting) return state;
        const c = p.workload.containers.find((x) => x.name === state.name) as SimContainer;
        const next = this.kubeletPull(p, node, c, at);
        if (next.waiting) still = true;
        return { ...state, ...next };
      });
      if (!still) this.failing.delete(p);
      this.store.put("/pods", podObject(p, this.nsOf(p), node));
    }
  }

  private planDay(day: number) {
    const { rng } = this;
    const start = day * DAY;
    const deployments = this.workloads.filter((w) => w.kind === "Deployment");
    // Ordinary rollouts: version bumps, which keep the kind of tag a team uses (a version moves to
    // another version, a moving tag to another moving tag); the story's rollouts change the kind.
    for (let i = 0, n = Math.max(1, Math.round(deployments.length / 25)); i < n; i++) {
      const w = rng.pick(deployments);
      const at = start + rng.int(8 * 60, 18 * 60) * MINUTE;
      const viaSetImage = rng.chance(0.3);
      this.pending.push({
        at,
        run: () =>
          this.rollout(
            w,
            (c) => {
              if (!c.repo || c.type !== "container") return;
              const current = c.repo.tags.find((x) => x.tag === c.tag)?.kind ?? "full-version";
              const same = c.repo.tags.filter((x) => x.kind === current);
              const t = rng.pick(same.length ? same : c.repo.tags);
              c.tag = t.tag;
              c.missingTag = false;
              c.digest = c.digest ? this.currentDigest(c.repo, t.tag) : null;
              c.image = imageString(c.repo, c.tag, c.digest, false);
            },
            at,
            viaSetImage,
          ),
      });
    }
    // Registries push new images under moving tags.
    for (const repo of REPOSITORIES) {
      for (const t of repo.tags) {
        if (["mutable", "untagged", "floating-version"].includes(t.kind) && rng.chance(0.08)) {
          this.pending.push({ at: start + rng.int(0, 1439) * MINUTE, run: () => this.moveTag(repo, t.tag) });
        }
      }
    }
    // Now and then a registry is slow or failing for a few hours.
    if (rng.chance(0.12)) {
      const repo = rng.pick(REPOSITORIES);
      const from = start + rng.int(0, 20 * 60) * MINUTE;
      const slow = rng.chance(0.5);
      this.incidents.push({
        registry: repo.registry,
        from,
        to: from + rng.int(1, 4) * HOUR,
        ...(slow
          ? { slowdown: rng.int(5, 15) }
          : { failure: rng.pick<SimFailure>(["rate-limited", "timeout", "tls", "network"]) }),
      });
    }
    if (this.spec.story) this.planStory(day);
    this.pending.sort((a, b) => a.at - b.at);
  }

  /** The demo's story, counted in days since the simulation started. */
  private planStory(day: number) {
    const elapsed = day - Math.floor(this.spec.startTime / DAY);
    const at = day * DAY + 10 * HOUR;
    const team = this.namespaces.filter((n) => n.team === "checkout" || n.team === "search");
    const teamDeployments = this.workloads.filter(
      (w) => w.kind === "Deployment" && team.some((n) => n.name === w.namespace),
    );
    if (elapsed === 14) {
      // A rollout regresses: a shared chart moves to :latest with IfNotPresent.
      for (const w of teamDeployments.slice(0, Math.ceil(teamDeployments.length * 0.6))) {
        this.pending.push({
          at,
          run: () =>
            this.rollout(
              w,
              (c) => {
                if (!c.repo || c.type !== "container") return;
                c.tag = "latest";
                c.digest = null;
                c.missingTag = false;
                c.image = imageString(c.repo, "latest", null, false);
                c.policy = "IfNotPresent";
                c.policyInManifest = true;
              },
              at,
            ),
        });
      }
    }
    if (elapsed === 24) {
      // The fix: pinned versions and digests.
      for (const w of teamDeployments) {
        this.pending.push({
          at,
          run: () =>
            this.rollout(
              w,
              (c) => {
                if (!c.repo || c.type !== "container") return;
                const version =
                  c.repo.tags.find((t) => t.kind === "full-version")?.tag ?? c.repo.tags[0]?.tag ?? "";
                c.tag = version;
                c.missingTag = false;
                c.digest = this.currentDigest(c.repo, version);
                c.image = imageString(c.repo, version, c.digest, false);
                c.policy = "IfNotPresent";
                c.policyInManifest = true;
              },
              at,
            ),
        });
      }
    }
    if (elapsed === 35)
      this.incidents.push({ registry: "docker.io", from: at, to: at + 6 * HOUR, failure: "rate-limited" });
    if (elapsed === 42) {
      for (const repo of REPOSITORIES.filter((r) => r.written === "nginx" || r.written === "bitnami/redis")) {
        for (const t of repo.tags.filter((x) => x.kind === "floating-version" || x.kind === "mutable")) {
          this.pending.push({ at: at - 2 * HOUR, run: () => this.moveTag(repo, t.tag) });
        }
      }
    }
    if (elapsed === 49)
      this.incidents.push({ registry: "ghcr.io", from: at, to: at + 3 * HOUR, slowdown: 12 });
  }

  /** Advances the simulated clock to `target`, one minute at a time. */
  advance(target: number) {
    while (this.now + MINUTE <= target) {
      this.now += MINUTE;
      const t = this.now;
      const day = Math.floor(t / DAY);
      if (day !== this.plannedDay) {
        this.plannedDay = day;
        this.planDay(day);
      }
      while (this.pending.length && (this.pending[0] as { at: number }).at <= t)
        (this.pending.shift() as { run: () => void }).run();
      this.expireEvents();
      if ((t / MINUTE) % 5 === 0 && this.failing.size) this.retryFailing(t);
      // Pod churn: Poisson arrivals over the pod population.
      let restarts = this.poisson(this.podList.length * this.churn);
      while (restarts-- > 0 && this.podList.length) {
        const p = this.podList[this.rng.int(0, this.podList.length - 1)] as SimPod;
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
        const i = this.podIndex.get(`${w.namespace}/${job.pod}`);
        const p = i === undefined ? undefined : this.podList[i];
        if (!p || p.containers.some((c) => c.waiting)) continue;
        p.done = true;
        this.store.put("/pods", podObject(p, this.nsOf(p), this.node(p.node)));
        this.store.put("batch/jobs", jobObject(w, job, true));
      }
    }
  }

  private poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    let k = 0;
    let p = 1;
    const l = Math.exp(-Math.min(lambda, 500));
    do {
      k++;
      p *= this.rng.next();
    } while (p > l);
    return k - 1;
  }

  /** Emits `count` pull events spread over `seconds` of simulated time from now (load generation). */
  emitLoad(count: number): number {
    const before = this.emitted.length;
    const candidates = this.podList.filter((p) => p.workload.containers[0]?.repo);
    for (let i = 0; i < count && candidates.length; i++) {
      const p = candidates[this.rng.int(0, candidates.length - 1)] as SimPod;
      const node = this.node(p.node);
      const c = p.workload.containers[0] as SimContainer & { repo: SimRepository };
      const pullNs = Math.round(c.repo.pullSeconds * node.speed * this.rng.logNormal(1, 0.35) * 1e9);
      this.emit(
        p,
        node,
        c,
        "Pulled",
        "Normal",
        pulledMessage(c.image, this.minor, pullNs, pullNs, c.repo.sizeBytes),
        this.now,
        this.minor >= 28 ? Math.floor(pullNs / 1e6) * 1e6 : pullNs,
        false,
      );
    }
    return this.emitted.length - before;
  }

  // ---- truth ------------------------------------------------------------------------------

  truth(): ClusterTruth {
    const containers = {
      total: 0,
      byPolicy: {},
      byPolicySource: {},
      byTagKind: {},
      byRegistry: {},
      byVisibility: {},
    } as ClusterTruth["containers"];
    const byKind: Record<string, number> = {};
    const drift: ClusterTruth["drift"] = [];
    for (const w of this.workloads) {
      inc(byKind, w.kind);
      for (const c of w.containers) {
        containers.total++;
        inc(containers.byPolicy, c.policy);
        inc(containers.byPolicySource, this.policySourceOf(w, c));
        inc(containers.byTagKind, this.tagKindOf(c));
        inc(containers.byRegistry, c.repo ? c.repo.registry : "invalid");
        inc(containers.byVisibility, c.repo ? (c.repo.private ? "private" : "public") : "private");
        if (c.digest || !c.repo) continue;
        const digests = new Set<string>();
        for (const name of w.pods) {
          const p = this.podList[this.podIndex.get(`${w.namespace}/${name}`) ?? -1];
          const d = p?.containers.find((x) => x.name === c.name)?.digest;
          if (d) digests.add(d);
        }
        if (digests.size > 1)
          drift.push({
            namespace: w.namespace,
            kind: w.kind,
            name: w.name,
            container: c.name,
            digests: [...digests].sort(),
          });
      }
    }
    const waiting: Record<string, number> = {};
    for (const p of this.failing) for (const c of p.containers) if (c.waiting) inc(waiting, c.waiting.reason);
    const missingSecrets: ClusterTruth["missingSecrets"] = [];
    for (const ns of this.namespaces) {
      for (const [sa, secrets] of ns.serviceAccounts)
        for (const s of secrets)
          if (!ns.secrets.has(s)) missingSecrets.push({ namespace: ns.name, serviceAccount: sa, secret: s });
    }
    const byReason = { ...this.emittedByReason };
    const objects: Record<string, number> = {};
    for (const key of [
      "/namespaces",
      "/nodes",
      "/pods",
      "events",
      "/serviceaccounts",
      "/secrets",
      "apps/deployments",
      "apps/replicasets",
      "apps/statefulsets",
      "apps/daemonsets",
      "batch/jobs",
      "batch/cronjobs",
    ]) {
      objects[key.split("/").pop() as string] = this.store.count(key);
    }
    return {
      cluster: this.spec.name,
      kubernetesVersion: this.spec.gitVersion,
      time: new Date(this.now).toISOString(),
      objects,
      workloads: { total: this.workloads.length, byKind },
      containers,
      drift,
      waiting,
      missingSecrets,
      events: { emitted: this.emittedTotal, live: this.live.size, byReason },
      kubelet: {
        nodes: this.nodes.length,
        serializeImagePulls: this.nodes.reduce<Record<string, number>>((m, n) => {
          inc(m, String(this.kubeletConfig(n.name)?.serializeImagePulls));
          return m;
        }, {}),
      },
    };
  }

  /**
   * A node's kubelet configuration as `/api/v1/nodes/{name}/proxy/configz` reports it (the
   * `kubeletconfig` object), or null for an unknown node. Every fourth node pulls in parallel;
   * maxParallelImagePulls exists from 1.27.
   */
  kubeletConfig(nodeName: string): Record<string, unknown> | null {
    const index = this.nodes.findIndex((n) => n.name === nodeName);
    if (index < 0) return null;
    const parallel = index % 4 === 3;
    return {
      enableServer: true,
      serializeImagePulls: !parallel,
      ...(this.minor >= 27 ? { maxParallelImagePulls: parallel ? 5 : null } : {}),
      registryPullQPS: 5,
      registryBurst: 10,
      imageGCHighThresholdPercent: 85,
      imageGCLowThresholdPercent: 80,
      imageMinimumGCAge: "2m0s",
      ...(this.minor >= 29 ? { imageMaximumGCAge: "0s" } : {}),
      runtimeRequestTimeout: "2m0s",
      containerRuntimeEndpoint:
        this.runtime === "docker"
          ? "unix:///var/run/dockershim.sock"
          : "unix:///run/containerd/containerd.sock",
    };
  }

  /** What the evidence on the object supports (see the collector's policySource). */
  private policySourceOf(w: SimWorkload, c: SimContainer): "explicit" | "defaulted" | "unknown" {
    if (w.writer === "helm") return "unknown";
    if (c.policyInManifest) return "explicit";
    if (c.policy === defaultPolicy(c)) return "defaulted";
    if (w.writer === "client-side-apply") {
      const applied = this.repoForImage(c.appliedImage);
      return applied && defaultPolicy(applied) === c.policy ? "defaulted" : "unknown";
    }
    return "unknown";
  }

  private repoForImage(image: string): Pick<SimContainer, "repo" | "tag" | "digest"> | null {
    const repo = [...REPOSITORIES]
      .sort((a, b) => b.written.length - a.written.length)
      .find(
        (r) => image === r.written || image.startsWith(`${r.written}:`) || image.startsWith(`${r.written}@`),
      );
    if (!repo) return null;
    const rest = image.slice(repo.written.length);
    const at = rest.indexOf("@");
    const tag = (at >= 0 ? rest.slice(0, at) : rest).replace(/^:/, "");
    return { repo, tag, digest: at >= 0 ? rest.slice(at + 1) : null };
  }

  tagKindOf(c: SimContainer): SimTagKind {
    if (!c.repo) return "invalid";
    if (c.digest) return "digest";
    if (c.missingTag) return "full-version";
    return c.repo.tags.find((t) => t.tag === c.tag)?.kind ?? "other";
  }

  /** Every pull event emitted so far (including expired ones), oldest first. */
  events(since = 0): EmittedEvent[] {
    return this.emitted.filter((e) => e.lastTimestamp >= since);
  }
}
