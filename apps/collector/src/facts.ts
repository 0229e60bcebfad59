// Turns one cluster's raw objects into what Pullsight stores: workloads with a stable identity,
// their containers' facts (reference anatomy, policy and its source, pull secrets), what nodes run
// (digests, waiting states) and the rules' findings under each namespace's profile.
import { createHash } from "node:crypto";
import {
  assessContainer,
  type ContainerFacts,
  type CredentialSources,
  containersOf,
  isCompliant,
  type ProfilesFile,
  type PullSecretRef,
  type PullStats,
  podSpecOf,
  policySource,
  profileNameFor,
  pullSecretsOf,
  type ResolvedProfile,
  RULES,
  type RuleInput,
  type RuleResult,
  registryHealthOf,
  registryVisibility,
  resolveProfile,
  type SpecContainer,
  serviceAccountOf,
  serviceAccountPullSecrets,
  tagKindOf,
  tryParseImageReference,
  type WaiverScope,
  waiverMatches,
} from "@pullsight/core";
import type { ContainerInput, WorkloadInput } from "@pullsight/db";
import type { RawObject, RawSnapshot } from "./k8s/reader.ts";
import { runningOf, runtimeOf } from "./runtime.ts";

export { summarizeKubelet } from "./kubelet.ts";
export { podsWaitingOnPulls } from "./runtime.ts";

/** A container as stored (packages/db's ContainerInput), with the full rule results. */
export type ContainerRecord = ContainerInput & { findings: RuleResult[] };

/** A workload as stored (packages/db's WorkloadInput). */
export type WorkloadRecord = WorkloadInput & { pods: string[]; containers: ContainerRecord[] };

export interface ClusterFactsResult {
  workloads: WorkloadRecord[];
  namespaces: Array<{ name: string; labels: Record<string, string>; profile: string }>;
  /** Workload kinds whose lists were read completely: a workload of such a kind that is absent was deleted. */
  completeKinds: string[];
  /** Whether pod status was read (runtime facts are complete). */
  runtimeComplete: boolean;
  /** Rules whose every input was read: only their findings may be resolved by absence. */
  evaluableRules: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const labelsOf = (o: RawObject): Record<string, string> =>
  isObj(o.metadata.labels) ? (o.metadata.labels as Record<string, string>) : {};
const controllerOf = (o: RawObject): Obj | undefined =>
  Array.isArray(o.metadata.ownerReferences)
    ? (o.metadata.ownerReferences as Obj[]).find((r) => r.controller)
    : undefined;

const WORKLOAD_KINDS: Array<
  [key: "deployments" | "statefulsets" | "daemonsets" | "cronjobs" | "jobs" | "replicasets", kind: string]
> = [
  ["deployments", "Deployment"],
  ["statefulsets", "StatefulSet"],
  ["daemonsets", "DaemonSet"],
  ["cronjobs", "CronJob"],
  ["jobs", "Job"],
  ["replicasets", "ReplicaSet"],
];

/** What stored events tell the rules: recent pull statistics (PS006, PS013) and when failures began (PS004, PS009). */
export interface PullStatsInput {
  byRegistry: ReadonlyMap<string, PullStats>;
  byImage: ReadonlyMap<string, PullStats>;
  /** First failed pull per pod container (db's podContainerKey), for the pods waiting on pulls. */
  failureStarts?: ReadonlyMap<string, Date>;
}

/** A workload as found: its object (when its kind was read) and the pods it owns. */
interface WorkloadEntry {
  namespace: string;
  kind: string;
  name: string;
  obj: RawObject | null;
  pods: RawObject[];
}

export function buildClusterFacts(
  raw: RawSnapshot,
  profiles: ProfilesFile,
  clusterLabels: Record<string, string> = {},
  pullStats?: PullStatsInput,
  /** Waivers in force at the snapshot: the findings they match do not count against compliance. */
  waivers: readonly WaiverScope[] = [],
): ClusterFactsResult {
  const o = raw.objects;
  const failed = new Set(raw.failures.map((f) => f.kind));
  const key = (ns: string | undefined, kind: string, name: string) => `${ns ?? ""}/${kind}/${name}`;

  // Controllers by uid, to climb owner references.
  const byUid = new Map<string, { kind: string; obj: RawObject }>();
  for (const [k, kind] of WORKLOAD_KINDS)
    for (const obj of o[k] ?? []) if (obj.metadata.uid) byUid.set(obj.metadata.uid, { kind, obj });

  /** The workload that owns an object: RS → Deployment, Job → CronJob; null when it is its own. */
  const topOwner = (obj: RawObject): { kind: string; name: string; obj?: RawObject } | null => {
    const ref = controllerOf(obj);
    if (!ref) return null;
    const owner = byUid.get(String(ref.uid));
    if (owner)
      return topOwner(owner.obj) ?? { kind: owner.kind, name: owner.obj.metadata.name, obj: owner.obj };
    // The owner's kind was not read: ReplicaSet names carry their Deployment's name.
    if (ref.kind === "ReplicaSet") {
      const hash = labelsOf(obj)["pod-template-hash"];
      const name = String(ref.name);
      if (hash && name.endsWith(`-${hash}`))
        return { kind: "Deployment", name: name.slice(0, -hash.length - 1) };
    }
    return { kind: String(ref.kind), name: String(ref.name) };
  };

  const workloads = new Map<string, WorkloadEntry>();
  for (const [k, kind] of WORKLOAD_KINDS) {
    for (const obj of o[k] ?? []) {
      if (topOwner(obj)) continue; // owned by another workload (RS of a Deployment, Job of a CronJob)
      workloads.set(key(obj.metadata.namespace, kind, obj.metadata.name), {
        namespace: obj.metadata.namespace ?? "",
        kind,
        name: obj.metadata.name,
        obj,
        pods: [],
      });
    }
  }
  for (const pod of o.pods ?? []) {
    const owner = topOwner(pod);
    const kind = owner?.kind ?? "Pod";
    const name = owner?.name ?? pod.metadata.name;
    const k = key(pod.metadata.namespace, kind, name);
    let entry = workloads.get(k);
    if (!entry) {
      // A bare pod, or one whose controller was not read (or is not a kind we list).
      entry = {
        namespace: pod.metadata.namespace ?? "",
        kind,
        name,
        obj: owner ? (owner.obj ?? null) : pod,
        pods: [],
      };
      workloads.set(k, entry);
    }
    entry.pods.push(pod);
  }

  // Pull secrets: ServiceAccounts and which secrets exist (metadata only).
  const credentials: CredentialSources = {
    serviceAccountSecrets: failed.has("serviceaccounts")
      ? null
      : new Map(
          (o.serviceaccounts ?? []).map((sa) => [
            `${sa.metadata.namespace}/${sa.metadata.name}`,
            serviceAccountPullSecrets(sa),
          ]),
        ),
    secrets: o.secrets ? new Set(o.secrets.map((s) => `${s.metadata.namespace}/${s.metadata.name}`)) : null,
  };

  // Nodes shared between namespaces (DaemonSet pods excluded: they run everywhere).
  const nsPerNode = new Map<string, Set<string>>();
  for (const pod of o.pods ?? []) {
    const node = (pod.spec as Obj | undefined)?.nodeName as string | undefined;
    if (!node || controllerOf(pod)?.kind === "DaemonSet") continue;
    let set = nsPerNode.get(node);
    if (!set) {
      set = new Set();
      nsPerNode.set(node, set);
    }
    set.add(pod.metadata.namespace ?? "");
  }

  const nsLabels = new Map((o.namespaces ?? []).map((n) => [n.metadata.name, labelsOf(n)]));
  const profileCache = new Map<string, ResolvedProfile>();
  const namespaces = new Map<string, { name: string; labels: Record<string, string>; profile: string }>();
  const profileFor = (ns: string) => {
    let entry = namespaces.get(ns);
    if (!entry) {
      const labels = nsLabels.get(ns) ?? {};
      entry = {
        name: ns,
        labels,
        profile: profileNameFor(profiles, { name: raw.cluster, labels: clusterLabels }, { name: ns, labels }),
      };
      namespaces.set(ns, entry);
    }
    let resolved = profileCache.get(entry.profile);
    if (!resolved) {
      resolved = resolveProfile(profiles, entry.profile);
      profileCache.set(entry.profile, resolved);
    }
    return resolved;
  };
  for (const ns of nsLabels.keys()) profileFor(ns);

  const runtimeComplete = !failed.has("pods") && !!o.pods;
  const records: WorkloadRecord[] = [];
  for (const w of workloads.values()) {
    const template = w.obj ?? w.pods[0];
    if (!template) continue;
    // A workload of a kind without a known pod spec path is read through its pods.
    const podSpec =
      podSpecOf(w.obj ? w.kind : "Pod", template) ?? (w.pods[0] ? podSpecOf("Pod", w.pods[0]) : null) ?? {};
    const sa = serviceAccountOf(podSpec);
    const profile = profileFor(w.namespace);
    const pullSecrets = pullSecretsOf(podSpec, w.namespace, credentials);
    const shared = runtimeComplete
      ? w.pods.some((p) => (nsPerNode.get(String((p.spec as Obj | undefined)?.nodeName))?.size ?? 0) > 1)
      : null;

    const scope: WorkloadScope = {
      cluster: raw.cluster,
      workload: w,
      template,
      profile,
      pullSecrets,
      sharedNodes: shared,
      runtimeComplete,
      pullStats,
      waivers,
    };
    const containers = containersOf(podSpec).map((c) => containerRecord(c, scope));
    records.push({
      namespace: w.namespace,
      kind: w.kind,
      name: w.name,
      uid: (w.obj?.metadata.uid as string | undefined) ?? null,
      serviceAccount: sa,
      labels: w.obj ? labelsOf(w.obj) : {},
      pods: w.pods.map((p) => p.metadata.name),
      containers,
    });
  }

  // Pull statistics come from stored events and are judged with the pods they explain.
  const read = new Set<RuleInput>([
    ...(runtimeComplete ? (["pods", "pullEvents"] as const) : []),
    ...(credentials.serviceAccountSecrets ? (["serviceAccounts"] as const) : []),
    ...(credentials.secrets ? (["secrets"] as const) : []),
  ]);
  const evaluable = RULES.filter((r) => r.inputs.every((i) => read.has(i))).map((r) => r.id);
  const workloadKinds = ["Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "ReplicaSet"].filter(
    (k) =>
      !failed.has(WORKLOAD_KINDS.find(([, kind]) => kind === k)?.[0] as never) &&
      o[WORKLOAD_KINDS.find(([, kind]) => kind === k)?.[0] as never],
  );
  // Workloads of kinds not listed (a Rollout, a custom controller) are known only through their
  // pods: with every pod read, those kinds were read completely too.
  const listed = new Set(WORKLOAD_KINDS.map(([, kind]) => kind));
  const throughPods = [...new Set(records.map((r) => r.kind))].filter((k) => !listed.has(k) && k !== "Pod");
  return {
    workloads: records,
    namespaces: [...namespaces.values()],
    completeKinds: runtimeComplete ? [...workloadKinds, "Pod", ...throughPods] : workloadKinds,
    runtimeComplete,
    evaluableRules: evaluable,
  };
}

/** What every container of one workload shares. */
interface WorkloadScope {
  cluster: string;
  workload: WorkloadEntry;
  /** The object whose pod spec was read (the workload, or its first pod). */
  template: RawObject;
  profile: ResolvedProfile;
  pullSecrets: PullSecretRef[];
  sharedNodes: boolean | null;
  runtimeComplete: boolean;
  pullStats: PullStatsInput | undefined;
  waivers: readonly WaiverScope[];
}

/** One container's facts, findings and what nodes run for it. */
function containerRecord(c: SpecContainer, scope: WorkloadScope): ContainerRecord {
  const { name, image, type } = c;
  const { workload: w, profile, pullSecrets, pullStats } = scope;
  const ref = tryParseImageReference(image);
  const source = policySource(scope.template, name, c.list);
  const runtime = scope.runtimeComplete
    ? runtimeOf(w.pods, name, pullStats?.failureStarts ?? new Map())
    : undefined;
  const facts: ContainerFacts = {
    subject: {
      cluster: scope.cluster,
      namespace: w.namespace,
      kind: w.kind,
      name: w.name,
      container: name,
      containerType: type,
    },
    image,
    imagePullPolicy: (c.imagePullPolicy ?? "IfNotPresent") as ContainerFacts["imagePullPolicy"],
    policySource: source,
    pullSecrets,
    ...(runtime ? { runtime } : {}),
    sharedNodes: scope.sharedNodes,
  };
  const registryStats = ref ? pullStats?.byRegistry.get(ref.domain || "docker.io") : undefined;
  if (registryStats) facts.registryHealth = registryHealthOf(registryStats);
  const imageStats = pullStats?.byImage.get(image);
  if (imageStats) facts.pulls = imageStats;
  const assessed = assessContainer(facts, profile);
  const findings = assessed.results.map((f) => ({
    ...f,
    waived: scope.waivers.some((w) => waiverMatches(w, f)),
  }));
  const record = {
    name,
    type,
    image,
    registry: ref ? ref.domain || "docker.io" : "invalid",
    repository: ref ? ref.path : image,
    tag: ref?.tag ?? null,
    digest: ref?.digest ?? null,
    tagKind: tagKindOf(ref, profile.settings),
    registryVisibility: ref ? registryVisibility(ref, profile.settings) : "unknown",
    imagePullPolicy: facts.imagePullPolicy,
    policySource: source.source,
    policyEvidence: source.evidence,
    pullSecrets: pullSecrets.map((s) => s.name).sort(),
  };
  return {
    ...record,
    factHash: createHash("sha1").update(JSON.stringify(record)).digest("hex"),
    running: runtime ? runningOf(w.pods, name) : [],
    findings,
    unevaluated: assessed.unevaluated,
    compliant: isCompliant(findings),
  };
}
