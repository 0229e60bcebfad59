// Turns one cluster's raw objects into what Pullsight stores: workloads with a stable identity,
// their containers' records (container-record.ts) and each namespace's profile; a workload whose
// inputs did not change since the snapshot before is recalled instead of built (facts-memory.ts).
import {
  annotationsOf,
  CONTROLLER_KINDS,
  type CredentialSources,
  containersOf,
  countVerification,
  groupWorkloads,
  labelsOf,
  type NodeCredentialVerification,
  nodeCredentialVerification,
  nodeOf,
  nodesSharedAcrossNamespaces,
  ownerFor,
  type ProfilesFile,
  podSpecOf,
  profileNameFor,
  pullSecretsOf,
  type ReferenceRules,
  type ResolvedProfile,
  RULES,
  type RuleInput,
  referenceRulesFor,
  resolveProfile,
  serviceAccountAnnotationsOf,
  serviceAccountOf,
  serviceAccountPullSecrets,
  type WaiverScope,
  type WorkloadGroup,
} from "@pullsight/core";
import type { NamespaceInput, WorkloadInput } from "@pullsight/db";
import {
  type ContainerRecord,
  containerRecord,
  type PullStatsInput,
  type WorkloadScope,
} from "./container-record.ts";
import { type FactsMemory, workloadKeys } from "./facts-memory.ts";
import type { RawObject, RawSnapshot } from "./k8s/reader.ts";
import { nodePullsOf } from "./kubelet-counters.ts";

export { summarizeKubelet, summarizeKubeletMetrics } from "./kubelet.ts";
export { podsWaitingOnPulls } from "./runtime.ts";

/** A workload as stored (packages/db's WorkloadInput). */
export type WorkloadRecord = WorkloadInput & { pods: string[]; containers: ContainerRecord[] };

export interface ClusterFactsResult {
  workloads: WorkloadRecord[];
  basedOn: string | null; // the snapshot unchanged workloads refer to (null: all were built)
  namespaces: NamespaceInput[];
  /** Workload kinds whose lists were read completely: a workload of such a kind that is absent was deleted. */
  completeKinds: string[];
  /** Whether pod status was read (runtime facts are complete). */
  runtimeComplete: boolean;
  /** Rules whose every input was read: only their findings may be resolved by absence. */
  evaluableRules: string[];
}

/** The snapshot's list for each controller kind. */
const CONTROLLER_LISTS = {
  Deployment: "deployments",
  StatefulSet: "statefulsets",
  DaemonSet: "daemonsets",
  CronJob: "cronjobs",
  Job: "jobs",
  ReplicaSet: "replicasets",
} as const satisfies Record<(typeof CONTROLLER_KINDS)[number], string>;

type NamespaceRecord = ClusterFactsResult["namespaces"][number];

export function buildClusterFacts(
  raw: RawSnapshot,
  profiles: ProfilesFile,
  clusterLabels: Record<string, string> = {},
  pullStats?: PullStatsInput,
  /** Waivers in force at the snapshot: the findings they match do not count against compliance. */
  waivers: readonly WaiverScope[] = [],
  /** What was written of the cluster last: unchanged workloads are not built again (facts-memory.ts). */
  memory?: FactsMemory,
): ClusterFactsResult {
  const o = raw.objects;
  const failed = new Set(raw.failures.map((f) => f.kind));
  const controllers = CONTROLLER_KINDS.map((kind) => ({ kind, objects: o[CONTROLLER_LISTS[kind]] ?? [] }));
  const workloads = groupWorkloads(controllers, o.pods ?? []);
  const runtimeComplete = !failed.has("pods") && !!o.pods;
  const referenceRules = referenceRulesFor(raw.gitVersion);
  const s: SnapshotScope = {
    raw,
    credentials: credentialSourcesOf(raw, failed),
    runtimeComplete,
    sharedNodes: nodesSharedAcrossNamespaces(o.pods ?? []),
    verificationOf: nodeVerifications(raw),
    profileFor: namespaceProfiles(raw, profiles, clusterLabels),
    referenceRules,
    pullStats,
    waivers,
    keys: memory ? workloadKeys(pullStats, referenceRules) : null,
    memory,
    // Lists kept by watches hand over the same objects while they do not change (facts-memory.ts).
    watched: !!raw.mirrored?.includes("pods"),
  };
  memory?.begin(
    JSON.stringify([
      raw.cluster,
      raw.gitVersion,
      clusterLabels,
      profiles,
      waivers,
      runtimeComplete,
      [...failed].sort(),
    ]),
    s.watched ? clusterInputs(raw, s.sharedNodes, pullStats) : undefined,
  );
  const records: WorkloadRecord[] = [];
  for (const w of workloads) {
    const template = w.obj ?? w.pods[0];
    if (template) records.push(workloadRecord(s, w, template));
  }
  return {
    workloads: records,
    basedOn: memory?.base ?? null,
    namespaces: s.profileFor.all(),
    completeKinds: completeKindsOf(raw, failed, records, runtimeComplete),
    runtimeComplete,
    evaluableRules: evaluableRules(runtimeComplete, s.credentials, !!pullStats?.kubeletWindow),
  };
}

/** What a snapshot's workloads are built from, once per snapshot. */
interface SnapshotScope {
  raw: RawSnapshot;
  credentials: CredentialSources;
  runtimeComplete: boolean;
  sharedNodes: ReadonlySet<string>;
  verificationOf: (node: string) => NodeCredentialVerification;
  profileFor: ReturnType<typeof namespaceProfiles>;
  referenceRules: ReferenceRules;
  pullStats: PullStatsInput | undefined;
  waivers: readonly WaiverScope[];
  keys: ReturnType<typeof workloadKeys> | null;
  memory: FactsMemory | undefined;
  watched: boolean;
}

/** One workload as stored: recalled from the memory when nothing it was built from changed, else built. */
function workloadRecord(s: SnapshotScope, w: WorkloadGroup<RawObject>, template: RawObject): WorkloadRecord {
  const identity = `${w.namespace}/${w.kind}/${w.name}`;
  const { keys } = s;
  const recalled = keys ? s.memory?.recallSame(identity, w, (from) => keys.same(w, from)) : undefined;
  const built = recalled ? null : buildWorkload(s, identity, w, template);
  const unchanged = recalled?.containers ?? built?.unchanged;
  return {
    namespace: w.namespace,
    kind: w.kind,
    name: w.name,
    uid: w.obj?.metadata.uid ?? null,
    serviceAccount: recalled ? recalled.serviceAccount : (built?.serviceAccount ?? null),
    labels: w.obj ? labelsOf(w.obj) : {},
    pods: w.pods.map((p) => p.metadata.name),
    containers: built?.containers ?? [],
    ...(unchanged ? { unchanged } : {}),
  };
}

/** The workload's container records, or what the memory recalls of them under its key. */
function buildWorkload(s: SnapshotScope, identity: string, w: WorkloadGroup<RawObject>, template: RawObject) {
  // A workload of a kind without a known pod spec path is read through its pods.
  const podSpec =
    podSpecOf(w.obj ? w.kind : "Pod", template) ?? (w.pods[0] ? podSpecOf("Pod", w.pods[0]) : null) ?? {};
  const scope = workloadScope(s, w, template, podSpec);
  const specContainers = containersOf(podSpec);
  const serviceAccount = serviceAccountOf(podSpec);
  const parts = s.keys?.partsOf(w, specContainers);
  const key = parts
    ? (s.keys?.keyOf(w, scope, s.profileFor(w.namespace).entry.profile, parts) ?? null)
    : null;
  const from = s.watched && parts ? { ...parts, obj: w.obj, pods: w.pods, serviceAccount } : undefined;
  const unchanged = s.memory?.recall(identity, key, from);
  const containers = unchanged ? [] : specContainers.map((c) => containerRecord(c, scope));
  if (!unchanged) s.memory?.keep(identity, key, containers, from);
  return { serviceAccount, containers, unchanged };
}

/** What every container of the workload shares. */
function workloadScope(
  s: SnapshotScope,
  w: WorkloadGroup<RawObject>,
  template: RawObject,
  podSpec: Record<string, unknown>,
): WorkloadScope {
  const { runtimeComplete, sharedNodes, pullStats } = s;
  return {
    cluster: s.raw.cluster,
    workload: w,
    template,
    profile: s.profileFor(w.namespace).resolved,
    pullSecrets: pullSecretsOf(podSpec, w.namespace, s.credentials),
    serviceAccountAnnotations: serviceAccountAnnotationsOf(podSpec, w.namespace, s.credentials),
    sharedNodes: runtimeComplete ? w.pods.some((p) => sharedNodes.has(nodeOf(p) ?? "")) : null,
    nodePulls:
      runtimeComplete && pullStats?.kubeletWindow
        ? nodePullsOf([...new Set(w.pods.flatMap((p) => nodeOf(p) ?? []))].sort(), pullStats.kubeletWindow)
        : null,
    sharedNodeVerification: runtimeComplete
      ? countVerification(
          [...new Set(w.pods.map((p) => nodeOf(p) ?? ""))]
            .filter((n) => sharedNodes.has(n))
            .sort()
            .map(s.verificationOf),
        )
      : null,
    runtimeComplete,
    pullStats,
    waivers: s.waivers,
    kubernetesVersion: s.raw.gitVersion,
    referenceRules: s.referenceRules,
  };
}

/** Pull secrets through ServiceAccounts, and which secrets exist (metadata only); null when not read. */
function credentialSourcesOf(raw: RawSnapshot, failed: ReadonlySet<string>): CredentialSources {
  const o = raw.objects;
  return {
    serviceAccountSecrets: failed.has("serviceaccounts")
      ? null
      : new Map(
          (o.serviceaccounts ?? []).map((sa) => [
            `${sa.metadata.namespace}/${sa.metadata.name}`,
            serviceAccountPullSecrets(sa),
          ]),
        ),
    secrets: o.secrets ? new Set(o.secrets.map((s) => `${s.metadata.namespace}/${s.metadata.name}`)) : null,
    serviceAccountAnnotations: failed.has("serviceaccounts")
      ? null
      : new Map(
          (o.serviceaccounts ?? []).map((sa) => [
            `${sa.metadata.namespace}/${sa.metadata.name}`,
            Object.keys(annotationsOf(sa)).sort(),
          ]),
        ),
  };
}

/**
 * What every workload's scope reads of the cluster besides its own objects: watched lists by
 * identity (a list the mirror did not change is the same array), the rest by value. Equal from one
 * snapshot to the next, a workload built from the very same objects has the same scope.
 */
function clusterInputs(
  raw: RawSnapshot,
  sharedNodes: ReadonlySet<string>,
  pullStats: PullStatsInput | undefined,
): readonly unknown[] {
  const o = raw.objects;
  const window = pullStats?.kubeletWindow;
  return [
    o.namespaces,
    o.serviceaccounts,
    // Secrets may be listed each snapshot (RBAC without watch): which exist, by name.
    o.secrets?.map((s) => `${s.metadata.namespace}/${s.metadata.name}`).join("\n") ?? null,
    [...sharedNodes].join("\n"),
    JSON.stringify([raw.kubelet ?? null, raw.kubeletMetrics ?? null]),
    window ? JSON.stringify([window.since, [...window.growth]]) : null,
  ];
}

/**
 * Each node's credential checks (KEP-2535): from its kubelet configuration where configz was read,
 * else the gate its kubelet metrics report, else the cluster version's default.
 */
function nodeVerifications(raw: RawSnapshot): (node: string) => NodeCredentialVerification {
  const configs = new Map((raw.kubelet ?? []).map((k) => [k.node, k.config]));
  const gates = new Map((raw.kubeletMetrics ?? []).map((k) => [k.node, k.metrics.ensureSecretPulledImages]));
  const memo = new Map<string, NodeCredentialVerification>();
  return (node) => {
    const known = memo.get(node);
    if (known) return known;
    const v = nodeCredentialVerification(configs.get(node) ?? null, raw.gitVersion, gates.get(node) ?? null);
    memo.set(node, v);
    return v;
  };
}

/** Each namespace's profile (resolved once per profile name); `all()` lists every namespace met. */
function namespaceProfiles(raw: RawSnapshot, profiles: ProfilesFile, clusterLabels: Record<string, string>) {
  const nsMeta = new Map(
    (raw.objects.namespaces ?? []).map((n) => [
      n.metadata.name,
      { labels: labelsOf(n), annotations: annotationsOf(n) },
    ]),
  );
  const resolvedByName = new Map<string, ResolvedProfile>();
  const namespaces = new Map<string, NamespaceRecord>();
  const profileFor = (ns: string) => {
    let entry = namespaces.get(ns);
    if (!entry) {
      const { labels, annotations } = nsMeta.get(ns) ?? { labels: {}, annotations: {} };
      const cluster = { name: raw.cluster, labels: clusterLabels };
      const { owner, source } = ownerFor(profiles, cluster, { name: ns, labels, annotations });
      entry = {
        name: ns,
        labels,
        profile: profileNameFor(profiles, cluster, { name: ns, labels }),
        owner,
        ownerSource: source,
      };
      namespaces.set(ns, entry);
    }
    let resolved = resolvedByName.get(entry.profile);
    if (!resolved) {
      resolved = resolveProfile(profiles, entry.profile);
      resolvedByName.set(entry.profile, resolved);
    }
    return { entry, resolved };
  };
  for (const ns of nsMeta.keys()) profileFor(ns);
  return Object.assign(profileFor, { all: () => [...namespaces.values()] });
}

/** Rules whose every input was read: only their findings may be resolved by absence. */
function evaluableRules(
  runtimeComplete: boolean,
  credentials: CredentialSources,
  kubeletMetrics: boolean,
): string[] {
  // Pull statistics come from stored events and are judged with the pods they explain.
  const read = new Set<RuleInput>([
    ...(runtimeComplete ? (["pods", "pullEvents"] as const) : []),
    ...(kubeletMetrics ? (["kubeletMetrics"] as const) : []),
    ...(credentials.serviceAccountSecrets ? (["serviceAccounts"] as const) : []),
    ...(credentials.secrets ? (["secrets"] as const) : []),
  ]);
  return RULES.filter((r) => r.inputs.every((i) => read.has(i))).map((r) => r.id);
}

/** Workload kinds read completely, so that a workload of such a kind that is absent was deleted. */
function completeKindsOf(
  raw: RawSnapshot,
  failed: ReadonlySet<string>,
  records: readonly WorkloadRecord[],
  runtimeComplete: boolean,
): string[] {
  const listed = CONTROLLER_KINDS.filter(
    (k) => !failed.has(CONTROLLER_LISTS[k]) && raw.objects[CONTROLLER_LISTS[k]],
  );
  if (!runtimeComplete) return listed;
  // Workloads of kinds not listed (a Rollout, a custom controller) are known only through their
  // pods: with every pod read, those kinds were read completely too.
  const known = new Set<string>(CONTROLLER_KINDS);
  const throughPods = [...new Set(records.map((r) => r.kind))].filter((k) => !known.has(k) && k !== "Pod");
  return [...listed, "Pod", ...throughPods];
}
