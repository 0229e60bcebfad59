// A simulated cluster's starting population, drawn from its seed: nodes, team namespaces with
// ServiceAccounts and pull secrets, DaemonSets on every node and workloads until the pod target,
// and the schedule (pods started, tags moved) of the two weeks before the simulation starts.
import type { ClusterStore } from "../server/store.ts";
import { INVALID_IMAGE, REPOSITORIES, type SimRepository } from "./catalog.ts";
import type { Runtime } from "./kubelet.ts";
import { newKubeletMetrics } from "./kubelet-metrics.ts";
import type {
  Policy,
  SimContainer,
  SimNamespace,
  SimNode,
  SimPullerType,
  SimWorkload,
  WorkloadKind,
  Writer,
} from "./model.ts";
import { namespaceObject, secretObject, serviceAccountObject } from "./objects.ts";
import type { Random } from "./random.ts";
import type { SimRegistry } from "./registry.ts";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

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
const APP_NAMES = [
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
];

/** The simulator's own defaulting rule for the images it writes (Kubernetes: tag latest → Always). */
export function defaultPolicy(c: Pick<SimContainer, "repo" | "tag" | "digest">): Policy {
  if (!c.repo) return "IfNotPresent";
  return c.tag === "latest" || (c.tag === "" && !c.digest) ? "Always" : "IfNotPresent";
}

export function imageString(
  repo: SimRepository,
  tag: string,
  digest: string | null,
  digestOnly: boolean,
): string {
  if (digest && digestOnly) return `${repo.written}@${digest}`;
  return `${repo.written}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`;
}

export function generateNodes(
  rng: Random,
  cluster: string,
  pods: number,
  runtime: Runtime,
  created: number,
): SimNode[] {
  const nodes: SimNode[] = [];
  for (let i = 0, n = Math.max(3, Math.ceil(pods / 25)); i < n; i++) {
    nodes.push({
      name: `${cluster}-node-${String(i).padStart(3, "0")}`,
      uid: rng.uuid(),
      runtime,
      runtimeVersion: runtime === "docker" ? "20.10.24" : "1.7.22",
      images: new Map(),
      tags: new Map(),
      speed: Math.min(4, Math.max(0.4, rng.logNormal(1, 0.3))),
      metrics: newKubeletMetrics(created),
    });
  }
  return nodes;
}

/** kube-system and one namespace per team and environment; a few lack a pull secret they name. */
export function generateNamespaces(rng: Random, pods: number): SimNamespace[] {
  const nsCount = Math.max(3, Math.round(pods / 80));
  const namespaces: SimNamespace[] = [
    {
      name: "kube-system",
      uid: rng.uuid(),
      env: "production",
      team: "platform",
      serviceAccounts: new Map([["default", []]]),
      secrets: new Set(),
    },
  ];
  for (let i = 0; namespaces.length < nsCount + 1; i++) {
    const team = TEAMS[i % TEAMS.length] as string;
    const env = rng.weighted([
      ["production", 5],
      ["staging", 2.5],
      ["development", 2.5],
    ] as const);
    const name = `${team}-${env === "production" ? "prod" : env === "staging" ? "stage" : "dev"}${i >= TEAMS.length * 2 ? `-${i}` : ""}`;
    if (namespaces.some((n) => n.name === name)) continue;
    const appSecrets = rng.chance(0.05) ? [] : ["regcred", ...(rng.chance(0.12) ? ["legacy-regcred"] : [])];
    const secrets = new Set<string>();
    if (rng.chance(0.96)) secrets.add("regcred");
    secrets.add("tls-cert");
    const serviceAccounts = new Map([
      ["default", [] as string[]],
      ["app", appSecrets],
    ]);
    namespaces.push({ name, uid: rng.uuid(), env, team, serviceAccounts, secrets });
  }
  return namespaces;
}

/** Namespaces, their ServiceAccounts and Secrets (metadata only) into the API server's store. */
export function writeNamespaces(
  store: ClusterStore,
  rng: Random,
  namespaces: SimNamespace[],
  created: number,
) {
  for (const ns of namespaces) {
    store.put("/namespaces", namespaceObject(ns, created));
    for (const sa of ns.serviceAccounts.keys())
      store.put("/serviceaccounts", serviceAccountObject(ns, sa, rng.uuid(), created));
    for (const s of ns.secrets) store.put("/secrets", secretObject(ns, s, rng.uuid(), created));
  }
}

/** Draws workloads and their containers (references, tags, digests, explicit or defaulted policies). */
export class WorkloadFactory {
  readonly workloads: SimWorkload[] = [];

  constructor(
    private readonly rng: Random,
    private readonly registry: SimRegistry,
    /** Whether workloads may mount image volumes (the cluster's version serves them). */
    private readonly imageVolumes = false,
  ) {}

  newWorkload(
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
    return w;
  }

  newContainer(
    name: string,
    type: SimPullerType,
    repo: SimRepository | null,
    tag: string,
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
    return c;
  }

  randomContainer(name: string, type: SimPullerType, ns: SimNamespace): SimContainer {
    const { rng } = this;
    if (rng.chance(0.005)) return this.newContainer(name, type, null, "");
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
    const digest = pin ? this.registry.digestOf(repo, tag) : null;
    const digestOnly = pin && rng.chance(0.3);
    const explicit = rng.chance(0.4);
    const policy = explicit
      ? rng.weighted<Policy>([
          ["Always", 45],
          ["IfNotPresent", 52],
          ["Never", 3],
        ])
      : undefined;
    const c = this.newContainer(name, type, repo, tag, { digest, digestOnly, ...(policy ? { policy } : {}) });
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

  /** An application workload of a random kind, writer and shape in one of the team namespaces. */
  randomWorkload(apps: SimNamespace[], now: number): SimWorkload {
    const { rng } = this;
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
    const name = `${rng.pick(APP_NAMES)}-${rng.suffix(4)}`;
    const containers = [this.randomContainer("app", "container", ns)];
    if (rng.chance(0.25)) containers.push(this.randomContainer("sidecar", "container", ns));
    if (rng.chance(0.15)) containers.push(this.randomContainer("init", "init", ns));
    // Drawn only where image volumes exist, so older clusters' workloads stay as they were.
    if (this.imageVolumes && rng.chance(0.12)) containers.push(this.randomContainer("models", "volume", ns));
    const createdAt = now - rng.int(1, 90) * DAY;
    return this.newWorkload(kind, ns, name, replicas, createdAt, containers, writer);
  }
}

/** A pod to start (on a given node for DaemonSets) in the generated past. */
export interface PlannedPod {
  w: SimWorkload;
  node?: SimNode;
}

/** DaemonSets on every node, then application workloads until the pod target is reached. */
export function generateWorkloads(
  factory: WorkloadFactory,
  namespaces: SimNamespace[],
  nodes: SimNode[],
  target: { pods: number; now: number; created: number },
): PlannedPod[] {
  const planned: PlannedPod[] = [];
  const system = namespaces[0] as SimNamespace;
  const ds = (name: string, repo: SimRepository, tag: string) => {
    const agent = factory.newContainer("agent", "container", repo, tag);
    const w = factory.newWorkload("DaemonSet", system, name, nodes.length, target.created, [agent], "helm");
    for (const node of nodes) planned.push({ w, node });
  };
  ds(
    "node-exporter",
    REPOSITORIES.find((r) => r.written.includes("node-exporter")) as SimRepository,
    "v1.8.2",
  );
  ds("log-shipper", REPOSITORIES.find((r) => r.written === "busybox") as SimRepository, "1.36");
  let podCount = planned.length;
  const apps = namespaces.slice(1);
  while (podCount < target.pods) {
    const w = factory.randomWorkload(apps, target.now);
    for (let i = 0; i < w.replicas; i++) planned.push({ w });
    podCount += w.replicas;
  }
  return planned;
}

/** When each planned pod started (recent starts likelier) and which moving tags moved when, oldest first. */
export function pastSchedule(rng: Random, planned: PlannedPod[], now: number) {
  const starts = planned.map((p) => ({ ...p, at: now - Math.floor(rng.next() ** 2 * 14 * DAY) }));
  starts.sort((a, b) => a.at - b.at);
  const moving = REPOSITORIES.flatMap((repo) =>
    repo.tags
      .filter((t) => ["mutable", "floating-version", "untagged"].includes(t.kind))
      .map((t) => ({ repo, tag: t.tag })),
  );
  const moves = moving.filter(() => rng.chance(0.5)).map((m) => ({ ...m, at: now - rng.int(1, 13) * DAY }));
  moves.sort((a, b) => a.at - b.at);
  return { starts, moves };
}
