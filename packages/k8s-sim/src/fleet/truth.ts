// What a simulated cluster really is, for tests to compare the collector's answers with: counts
// by policy, policy source, tag kind, registry and visibility; digest drift; waiting pods; missing
// pull secrets; events emitted; kubelet settings.
import type { ClusterStore } from "../server/store.ts";
import { REPOSITORIES, type SimTagKind } from "./catalog.ts";
import { defaultPolicy } from "./generate.ts";
import type { SimContainer, SimNamespace, SimPod, SimPullerType, SimWorkload } from "./model.ts";
import type { EventRecorder } from "./recorder.ts";

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
  /** Every live workload container's image and what its pods run (registry findings are judged by it). */
  images: ImageUse[];
  waiting: Record<string, number>;
  missingSecrets: Array<{ namespace: string; serviceAccount: string; secret: string }>;
  /**
   * Events the kubelet emitted, those the API server holds now, new events client-go's spam filter
   * dropped, and events its aggregator combined.
   */
  events: {
    emitted: number;
    live: number;
    dropped: number;
    aggregated: number;
    byReason: Record<string, number>;
  };
  /** Nodes by their kubelet's serializeImagePulls (what /proxy/configz reports). */
  kubelet: { nodes: number; serializeImagePulls: Record<string, number> };
}

/** The cluster as truth reads it. */
export interface TruthSource {
  spec: { name: string; gitVersion: string };
  now: number;
  store: ClusterStore;
  workloads: readonly SimWorkload[];
  namespaces: readonly SimNamespace[];
  failing: ReadonlySet<SimPod>;
  recorder: EventRecorder;
  pod(namespace: string, name: string): SimPod | undefined;
  /** Per node, its kubelet configuration. */
  kubeletConfigs(): Array<Record<string, unknown>>;
}

const STORE_KEYS = [
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
];

const inc = (m: Record<string, number>, k: string, n = 1) => {
  m[k] = (m[k] ?? 0) + n;
};

export function clusterTruth(src: TruthSource): ClusterTruth {
  const { containers, byKind, drift } = containerTruth(src);
  const waiting: Record<string, number> = {};
  for (const p of src.failing)
    for (const c of p.containers) if (c.waiting && !c.blockedBy) inc(waiting, c.waiting.reason);
  const missingSecrets: ClusterTruth["missingSecrets"] = [];
  for (const ns of src.namespaces)
    for (const [sa, secrets] of ns.serviceAccounts)
      for (const s of secrets)
        if (!ns.secrets.has(s)) missingSecrets.push({ namespace: ns.name, serviceAccount: sa, secret: s });
  const objects: Record<string, number> = {};
  for (const key of STORE_KEYS) objects[key.split("/").pop() as string] = src.store.count(key);
  const configs = src.kubeletConfigs();
  const serializeImagePulls: Record<string, number> = {};
  for (const config of configs) inc(serializeImagePulls, String(config.serializeImagePulls));
  return {
    cluster: src.spec.name,
    kubernetesVersion: src.spec.gitVersion,
    time: new Date(src.now).toISOString(),
    objects,
    workloads: { total: src.workloads.length, byKind },
    containers,
    drift,
    images: imageUses(src),
    waiting,
    missingSecrets,
    events: {
      emitted: src.recorder.total,
      live: src.recorder.live.size,
      dropped: src.recorder.dropped,
      aggregated: [...src.recorder.live.values()].filter((e) => e.aggregated).length,
      byReason: { ...src.recorder.byReason },
    },
    kubelet: { nodes: configs.length, serializeImagePulls },
  };
}

/** Containers counted every way the product counts them, and the containers whose pods run different digests. */
function containerTruth(src: TruthSource) {
  const containers: ClusterTruth["containers"] = {
    total: 0,
    byPolicy: {},
    byPolicySource: {},
    byTagKind: {},
    byRegistry: {},
    byVisibility: {},
  };
  const byKind: Record<string, number> = {};
  const drift: ClusterTruth["drift"] = [];
  for (const w of src.workloads) {
    inc(byKind, w.kind);
    for (const c of w.containers) {
      containers.total++;
      inc(containers.byPolicy, c.policy);
      inc(containers.byPolicySource, policySourceOf(w, c));
      inc(containers.byTagKind, tagKindOf(c));
      inc(containers.byRegistry, c.repo ? c.repo.registry : "invalid");
      inc(containers.byVisibility, c.repo ? (c.repo.private ? "private" : "public") : "private");
      if (c.digest || !c.repo) continue;
      const digests = new Set<string>();
      for (const name of w.pods) {
        const d = src.pod(w.namespace, name)?.containers.find((x) => x.name === c.name)?.digest;
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
  return { containers, byKind, drift };
}

/** What the evidence on the object supports (see the collector's policySource). */
function policySourceOf(w: SimWorkload, c: SimContainer): "explicit" | "defaulted" | "unknown" {
  if (w.writer === "helm") return "unknown";
  if (c.policyInManifest) return "explicit";
  if (c.policy === defaultPolicy(c)) return "defaulted";
  if (w.writer === "client-side-apply") {
    const applied = repoForImage(c.appliedImage);
    return applied && defaultPolicy(applied) === c.policy ? "defaulted" : "unknown";
  }
  return "unknown";
}

function repoForImage(image: string): Pick<SimContainer, "repo" | "tag" | "digest"> | null {
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

/** The tag kind the catalog gives a container's reference. */
export function tagKindOf(c: SimContainer): SimTagKind {
  if (!c.repo) return "invalid";
  if (c.digest) return "digest";
  if (c.missingTag) return "full-version";
  return c.repo.tags.find((t) => t.tag === c.tag)?.kind ?? "other";
}

/** Containers that started in (from, until], and whether their Pulled event reached the API server. */
export function containerStarts(pods: readonly SimPod[], from: number, until: number) {
  return pods.flatMap((p) =>
    p.containers
      .filter((c) => !c.waiting)
      .map((c) => ({
        namespace: p.namespace,
        pod: p.name,
        container: c.name,
        // Kubernetes writes times in whole seconds.
        startedAt: Math.floor((c.startedAt ?? p.startedAt) / 1000) * 1000,
        pulledEvent: c.pulledEvent ?? false,
      }))
      .filter((c) => c.startedAt > from && c.startedAt <= until),
  );
}

/** Containers waiting on their image now, with the cause the kubelet met. */
export function failingContainers(failing: Iterable<SimPod>) {
  return [...failing].flatMap((p) =>
    p.containers
      .filter((c) => c.waiting && !c.blockedBy)
      .map((c) => ({
        namespace: p.namespace,
        pod: p.name,
        node: p.node,
        workload: { kind: p.workload.kind, name: p.workload.name },
        container: c.name,
        reason: c.waiting?.reason as string,
        message: c.waiting?.message as string,
        cause: c.cause,
      })),
  );
}

/** One container of a live workload: the image it names and what its pods run (digests from status). */
export interface ImageUse {
  namespace: string;
  kind: string;
  name: string;
  /** The container's name, or the image volume's own name. */
  container: string;
  type: SimPullerType;
  image: string;
  policy: string;
  /** Whether the policy was written, defaulted, or cannot be told from the object. */
  policySource: "explicit" | "defaulted" | "unknown";
  /** Pods whose container has a digest in status, and those digests. */
  pods: number;
  digests: string[];
  /** The nodes whose pods run each digest. */
  nodesByDigest: Record<string, string[]>;
  /** Pods of it waiting on a failed pull now. */
  waiting: number;
}

/** Every container of every live workload with what runs for it: the truth registry findings are judged by. */
export function imageUses(src: Pick<TruthSource, "workloads" | "pod">): ImageUse[] {
  const out: ImageUse[] = [];
  for (const w of src.workloads) {
    for (const c of w.containers) {
      const digests = new Set<string>();
      const nodesByDigest: Record<string, string[]> = {};
      let pods = 0;
      let waiting = 0;
      for (const name of w.pods) {
        const pod = src.pod(w.namespace, name);
        const state = pod?.containers.find((x) => x.name === c.name);
        if (state?.digest) {
          pods++;
          digests.add(state.digest);
          const nodes = nodesByDigest[state.digest] ?? [];
          if (pod && !nodes.includes(pod.node)) nodes.push(pod.node);
          nodesByDigest[state.digest] = nodes;
        }
        if (state?.waiting && !state.blockedBy) waiting++;
      }
      out.push({
        namespace: w.namespace,
        kind: w.kind,
        name: w.name,
        container: c.name,
        type: c.type,
        image: c.image,
        policy: c.policy,
        policySource: policySourceOf(w, c),
        pods,
        digests: [...digests].sort(),
        nodesByDigest,
        waiting,
      });
    }
  }
  return out;
}
