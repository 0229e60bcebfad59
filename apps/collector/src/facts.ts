// Turns one cluster's raw objects into what Pullsight stores: workloads with a stable identity,
// their containers' facts (reference anatomy, policy and its source, pull secrets), what nodes run
// (digests, waiting states) and the rules' findings under each namespace's profile.
import { createHash } from "node:crypto";
import {
  annotationsOf,
  assessContainer,
  CONTROLLER_KINDS,
  type ContainerFacts,
  type CredentialSources,
  containersOf,
  countVerification,
  groupWorkloads,
  isCompliant,
  labelsOf,
  type NodeCredentialVerification,
  type NodePullFacts,
  nodeCredentialVerification,
  nodeOf,
  nodesSharedAcrossNamespaces,
  ownerFor,
  type ProfilesFile,
  type PullSecretRef,
  type PullStats,
  podSpecOf,
  policySource,
  profileNameFor,
  pullCredentialSourcesOf,
  pullSecretsOf,
  type ReferenceRules,
  type RegistryAnswerFacts,
  type ResolvedProfile,
  RULES,
  type RuleInput,
  type RuleResult,
  referenceRulesFor,
  registryHealthOf,
  registryVisibility,
  resolveProfile,
  type SharedNodeVerification,
  type SpecContainer,
  serviceAccountAnnotationsOf,
  serviceAccountOf,
  serviceAccountPullSecrets,
  tagKindOf,
  tryParseImageReference,
  type WaiverScope,
  type WorkloadGroup,
  waiverMatches,
} from "@pullsight/core";
import type { ContainerInput, NamespaceInput, PullFailureStart, WorkloadInput } from "@pullsight/db";
import { type FactsMemory, workloadKeys } from "./facts-memory.ts";
import type { RawObject, RawSnapshot } from "./k8s/reader.ts";
import { type KubeletWindow, nodePullsOf } from "./kubelet-counters.ts";
import { runningOf, runtimeOf } from "./runtime.ts";

export { summarizeKubelet, summarizeKubeletMetrics } from "./kubelet.ts";
export { podsWaitingOnPulls } from "./runtime.ts";

/** A container as stored (packages/db's ContainerInput), with the full rule results. */
export type ContainerRecord = ContainerInput & { findings: RuleResult[] };

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

/** What stored events tell the rules: recent pull statistics (PS006, PS013) and when failures began (PS004, PS009). */
export interface PullStatsInput {
  byRegistry: ReadonlyMap<string, PullStats>;
  byImage: ReadonlyMap<string, PullStats>;
  /** First failed pull per pod container (db's podContainerKey), for the pods waiting on pulls. */
  failureStarts?: ReadonlyMap<string, PullFailureStart>;
  /** What the registries last said of each image (the registry prober), by image. */
  registryAnswers?: ReadonlyMap<string, RegistryAnswerFacts>;
  /** Each node's kubelet counters since the start of the previous UTC day (PS021). */
  kubeletWindow?: KubeletWindow;
}

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
  const credentials = credentialSourcesOf(raw, failed);
  const runtimeComplete = !failed.has("pods") && !!o.pods;
  const sharedNodes = nodesSharedAcrossNamespaces(o.pods ?? []);
  const verificationOf = nodeVerifications(raw);
  const profileFor = namespaceProfiles(raw, profiles, clusterLabels);
  const referenceRules = referenceRulesFor(raw.gitVersion);
  const keyOf = memory ? workloadKeys(pullStats, referenceRules) : null;
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
  );

  const records: WorkloadRecord[] = [];
  for (const w of workloads) {
    const template = w.obj ?? w.pods[0];
    if (!template) continue;
    // A workload of a kind without a known pod spec path is read through its pods.
    const podSpec =
      podSpecOf(w.obj ? w.kind : "Pod", template) ?? (w.pods[0] ? podSpecOf("Pod", w.pods[0]) : null) ?? {};
    const scope: WorkloadScope = {
      cluster: raw.cluster,
      workload: w,
      template,
      profile: profileFor(w.namespace).resolved,
      pullSecrets: pullSecretsOf(podSpec, w.namespace, credentials),
      serviceAccountAnnotations: serviceAccountAnnotationsOf(podSpec, w.namespace, credentials),
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
              .map(verificationOf),
          )
        : null,
      runtimeComplete,
      pullStats,
      waivers,
      kubernetesVersion: raw.gitVersion,
      referenceRules,
    };
    const specContainers = containersOf(podSpec);
    const identity = `${w.namespace}/${w.kind}/${w.name}`;
    const key = keyOf ? keyOf(w, scope, profileFor(w.namespace).entry.profile, specContainers) : null;
    const unchanged = memory?.recall(identity, key);
    const containers = unchanged ? [] : specContainers.map((c) => containerRecord(c, scope));
    if (!unchanged) memory?.keep(identity, key, containers);
    records.push({
      namespace: w.namespace,
      kind: w.kind,
      name: w.name,
      uid: w.obj?.metadata.uid ?? null,
      serviceAccount: serviceAccountOf(podSpec),
      labels: w.obj ? labelsOf(w.obj) : {},
      pods: w.pods.map((p) => p.metadata.name),
      containers,
      ...(unchanged ? { unchanged } : {}),
    });
  }
  return {
    workloads: records,
    basedOn: memory?.base ?? null,
    namespaces: profileFor.all(),
    completeKinds: completeKindsOf(raw, failed, records, runtimeComplete),
    runtimeComplete,
    evaluableRules: evaluableRules(runtimeComplete, credentials, !!pullStats?.kubeletWindow),
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

/** What every container of one workload shares. */
export interface WorkloadScope {
  cluster: string;
  workload: WorkloadGroup<RawObject>;
  /** The object whose pod spec was read (the workload, or its first pod). */
  template: RawObject;
  profile: ResolvedProfile;
  pullSecrets: PullSecretRef[];
  /** The ServiceAccount's annotation keys; null when ServiceAccounts were not read. */
  serviceAccountAnnotations: readonly string[] | null;
  sharedNodes: boolean | null;
  sharedNodeVerification: SharedNodeVerification | null;
  /** What the kubelets of the workload's nodes counted recently; null when not read. */
  nodePulls: NodePullFacts | null;
  runtimeComplete: boolean;
  pullStats: PullStatsInput | undefined;
  waivers: readonly WaiverScope[];
  /** The cluster's version, and the reference rules its kubelet applies. */
  kubernetesVersion: string | null;
  referenceRules: ReferenceRules;
}

/** One container's facts, findings and what nodes run for it. */
function containerRecord(c: SpecContainer, scope: WorkloadScope): ContainerRecord {
  const { name, image, type } = c;
  const { workload: w, profile, pullSecrets, pullStats } = scope;
  const ref = tryParseImageReference(image, scope.referenceRules);
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
    sharedNodeVerification: scope.sharedNodeVerification,
    nodePulls: scope.nodePulls,
    kubernetesVersion: scope.kubernetesVersion,
    serviceAccountAnnotations: scope.serviceAccountAnnotations,
  };
  const registryStats = ref ? pullStats?.byRegistry.get(ref.domain || "docker.io") : undefined;
  if (registryStats) facts.registryHealth = registryHealthOf(registryStats);
  const imageStats = pullStats?.byImage.get(image);
  if (imageStats) facts.pulls = imageStats;
  const answer = pullStats?.registryAnswers?.get(image);
  if (answer) facts.registryAnswer = answer;
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
    credentialSources: pullCredentialSourcesOf(
      pullSecrets,
      ref,
      profile.settings,
      scope.kubernetesVersion,
      scope.serviceAccountAnnotations,
    ),
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
