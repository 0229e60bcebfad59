// One container's record as a snapshot stores it: its reference's anatomy, its pull policy and
// where the policy came from, its pull secrets and credential sources, what its pods run, and the
// rules' findings under its workload's profile (facts.ts builds the workloads around it).
import { createHash } from "node:crypto";
import {
  assessContainer,
  type ContainerFacts,
  isCompliant,
  type NodePullFacts,
  type PullSecretRef,
  type PullStats,
  policySource,
  pullCredentialSourcesOf,
  type ReferenceRules,
  type RegistryAnswerFacts,
  type ResolvedProfile,
  type RuleResult,
  registryHealthOf,
  registryVisibility,
  type SharedNodeVerification,
  type SpecContainer,
  tagKindOf,
  tryParseImageReference,
  type WaiverScope,
  type WorkloadGroup,
  waiverMatches,
} from "@pullsight/core";
import type { ContainerInput, PullFailureStart } from "@pullsight/db";
import type { RawObject } from "./k8s/reader.ts";
import type { KubeletWindow } from "./kubelet-counters.ts";
import { runningOf, runtimeOf } from "./runtime.ts";

/** A container as stored (packages/db's ContainerInput), with the full rule results. */
export type ContainerRecord = ContainerInput & { findings: RuleResult[] };

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
export function containerRecord(c: SpecContainer, scope: WorkloadScope): ContainerRecord {
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
