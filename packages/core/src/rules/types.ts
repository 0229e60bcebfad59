import type { SharedNodeVerification } from "../credential-verification.ts";
import type { CauseSource, FailureCause } from "../failure-cause.ts";
import type { ImageReference } from "../image-reference.ts";
import type { ContainerType } from "../pod-spec.ts";
import type { PolicySource } from "../policy-source.ts";
import type { PullPolicy } from "../pull-policy.ts";
import type { RegistryVisibility } from "../registry.ts";
import type { ProbeOutcome } from "../registry-probe.ts";
import type { TagKind } from "../tag-kind.ts";
import type { FindingLifecycle } from "./lifecycle.ts";

/** Severities from least to most severe: the one declaration every layer imports. */
export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];
/** Most severe first: the order lists, reviews and exports show them in. */
export const SEVERITIES_MOST_SEVERE_FIRST: readonly Severity[] = [...SEVERITIES].reverse();
/**
 * How much one finding of each severity weighs when ranking what to fix first: each step up
 * outweighs three findings of the step below, and info findings ask for nothing.
 */
export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = {
  critical: 27,
  high: 9,
  medium: 3,
  low: 1,
  info: 0,
};
/** What a profile sets per rule: a severity, or off. */
export const RULE_LEVELS = ["off", ...SEVERITIES] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Where a finding stands for a reader: open, open but waived, or resolved. */
export const FINDING_STATUSES = ["open", "waived", "resolved"] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** Which container a result is about; also what a waiver matches. */
export interface ContainerSubject {
  cluster: string;
  namespace: string;
  /** Workload kind (Deployment, StatefulSet, DaemonSet, CronJob, Job, Pod, …). */
  kind: string;
  name: string;
  container: string;
  containerType: ContainerType;
}

export interface PullSecretRef {
  name: string;
  /** Listed on the pod spec, or inherited from the ServiceAccount. */
  source: "pod" | "serviceAccount";
  /** Whether a Secret of that name exists in the namespace; null when secrets were not read. */
  exists: boolean | null;
}

/** What nodes actually run and report for this container (from pod status), if read. */
export interface RuntimeFacts {
  /**
   * One entry per digest running (digest null when the runtime reported none); `since` is the
   * earliest time (ISO 8601) a container of this workload started on that digest, where known.
   */
  running: { digest: string | null; nodes: string[]; pods: number; since?: string }[];
  /**
   * Containers currently waiting, grouped by reason; `since` is the first failed pull of those
   * pods known from kubelet events (ISO 8601), where known.
   */
  waiting: {
    reason: string;
    message: string;
    pods: number;
    since?: string;
    /**
     * The failure's cause where known: from the waiting message itself (`causeSource` "status")
     * or, where the message names none (a back-off before 1.32), from the latest failed pull of
     * those pods in kubelet events ("events"). Absent: read the message.
     */
    cause?: FailureCause;
    causeSource?: CauseSource;
    /**
     * The pods waiting, by name, with their node and (where kubelet events know it) their first
     * failed pull; sorted by pod. Absent where they were not read (manifests).
     */
    instances?: { pod: string; node: string; since?: string }[];
  }[];
}

/** Pull outcomes for this container's image over the profile's window (from kubelet events). */
export interface PullStats {
  pulls: number;
  p50Seconds: number | null;
  p95Seconds: number | null;
  failures: number;
  failuresByCause: Partial<Record<FailureCause, number>>;
}

/** What the image's registry last said of the reference (the registry prober), where it was asked. */
export interface RegistryAnswerFacts {
  /** The last conclusive answer (see ProbeOutcome), or the latest attempt if none was. */
  outcome: ProbeOutcome;
  httpStatus: number | null;
  /** The digest the registry names for the reference now. */
  digest: string | null;
  /** The registry's error, or why there was no answer. */
  detail: string | null;
  /** The prober held credentials for the registry (an anonymous 401 says nothing of the image). */
  credentialed: boolean;
  /** ISO 8601: when it was asked, and since when the answer has been what it is. */
  probedAt: string;
  since: string;
}

/** How the container's registry has behaved for this cluster over the window. */
export interface RegistryHealth {
  pulls: number;
  failures: number;
  failuresByCause: Partial<Record<FailureCause, number>>;
  p95Seconds: number | null;
}

/**
 * What a rule reads besides the container spec; a snapshot that could not read one of them
 * cannot resolve the rule's findings by their absence.
 */
export type RuleInput = "pods" | "pullEvents" | "serviceAccounts" | "secrets" | "kubeletMetrics";
export const RULE_INPUTS: readonly RuleInput[] = [
  "pods",
  "pullEvents",
  "serviceAccounts",
  "secrets",
  "kubeletMetrics",
];

/** Everything the rules may look at for one container. Only `subject`, `image`, policy and secrets are required. */
export interface ContainerFacts {
  subject: ContainerSubject;
  image: string;
  imagePullPolicy: PullPolicy;
  policySource: PolicySource;
  pullSecrets: PullSecretRef[];
  runtime?: RuntimeFacts;
  pulls?: PullStats;
  registryHealth?: RegistryHealth;
  registryAnswer?: RegistryAnswerFacts;
  /** Whether the nodes running this workload also run pods of other namespaces; null/undefined if unknown. */
  sharedNodes?: boolean | null;
  /**
   * Of those shared nodes, how many check a pod's credentials before serving it a cached image
   * (KEP-2535, credential-verification.ts); null/undefined if unknown.
   */
  sharedNodeVerification?: SharedNodeVerification | null;
  /** The cluster's version (`v1.31.4`): which reference rules its kubelet applies. Unknown: the current ones. */
  kubernetesVersion?: string | null;
  /**
   * The annotation keys of the pod's ServiceAccount (a token credential provider may require some);
   * null/undefined when the ServiceAccount was not read.
   */
  serviceAccountAnnotations?: readonly string[] | null;
  /**
   * What the kubelets of the nodes running the workload counted of image requests (their /metrics,
   * opt-in); null/undefined when not read.
   */
  nodePulls?: NodePullFacts | null;
}

/** Ensure-image requests (kubelet 1.35+) on the nodes running one workload, over a recent window. */
export interface NodePullFacts {
  /** Nodes running the workload's pods. */
  nodes: number;
  /** Of those, nodes whose kubelet counted ensure-image requests in the window. */
  measured: number;
  /** Start of the window (ISO 8601): counters' growth since then. */
  since: string;
  /** Requests the node's cache answered, requests sent to the registry, and of those by `Always`. */
  cached: number;
  pulled: number;
  pulledByAlways: number;
}

/** Tunables a profile sets for every rule. */
export interface RuleSettings {
  /** Words that make a tag mutable, alone or as a component (case-insensitive). */
  mutableTags: string[];
  /** Variant names that, without a version, follow the newest release (`alpine`, `slim`). */
  variantTags: string[];
  /** Registry patterns known to be public (see registry.ts). */
  publicRegistries: string[];
  /** Registry patterns known to need credentials; a registry on neither list is unknown. */
  privateRegistries: string[];
  /** Registries whose credentials come from the node (kubelet credential providers: ECR, GAR, ACR). */
  nodeCredentialRegistries: string[];
  /**
   * Registries served by a kubelet credential provider that exchanges the pod's ServiceAccount
   * token (KEP-4412, on by default from Kubernetes 1.34).
   */
  serviceAccountTokenRegistries: string[];
  /**
   * Annotation keys a ServiceAccount must carry for that provider to serve its pods (the provider's
   * tokenAttributes.requiredServiceAccountAnnotationKeys): without them the kubelet does not call it.
   */
  serviceAccountTokenAnnotations: string[];
  /**
   * Registries that let a full version tag be overwritten (no tag immutability): a full version
   * cached with IfNotPresent can go stale there too (PS017).
   */
  overwritableTagRegistries: string[];
  /**
   * Whether floating versions (1.25, 18-alpine) are judged like named mutable tags by the
   * stale-cache rules (PS002, PS003) instead of by their own rule (PS016).
   */
  floatingIsMutable: boolean;
  /** Pull-latency budget: p95 above it is slow. */
  pullLatencyBudgetSeconds: number;
  /** A registry with at least this failure ratio over the window is unreliable. */
  registryFailureRatio: number;
  /** Fewest pulls before latency and failure ratios mean anything. */
  minPullsForStats: number;
  /** Share of a node group's registry pulls caused by `Always` above which PS021 fires. */
  alwaysPullShare: number;
}

/** What a rule sees: the facts plus everything derived from them once. */
export interface RuleContext {
  facts: ContainerFacts;
  reference: ImageReference | null;
  invalidReason: string | null;
  tagKind: TagKind;
  registry: string;
  visibility: RegistryVisibility;
  settings: RuleSettings;
}

export interface RuleHit {
  /** One sentence naming the thing and the problem. */
  message: string;
  /** The facts that made the rule fire, for the UI, exports and auditors. */
  evidence: Record<string, unknown>;
  /** When the condition began, where the data knows it (otherwise the first snapshot that sees it). */
  since?: ConditionSince;
  /**
   * Why this occurrence is less risky than the rule's level assumes (a pull that is possible rather
   * than certain): the finding takes the severity one step below the profile's.
   */
  lessSevere?: string;
}

/** When a condition began and which data says so. */
export interface ConditionSince {
  /** ISO 8601. */
  at: string;
  from: "pull-events" | "pod-status" | "registry";
}

export interface RuleReference {
  title: string;
  url: string;
}

export interface RuleDefinition {
  /** Stable id: never reused, never renumbered. */
  id: string;
  slug: string;
  title: string;
  category: "reference" | "policy" | "secrets" | "runtime" | "latency";
  /** Why it matters, for a person deciding whether to care. */
  why: string;
  /** The change that resolves it, as one imperative line with `{image}` for the image (review actions). */
  action: string;
  /** Referencing the image by digest resolves it: review actions count these rules' findings as one change. */
  resolvedByDigest?: true;
  /** How to fix, in words. */
  fix: string;
  /** How to fix, as a manifest snippet. */
  fixYaml: string;
  references: RuleReference[];
  /** Severity in the built-in profiles. */
  defaults: { production: RuleLevel; development: RuleLevel };
  /** Why those severities: the risk weighed, and what peer tools do with the same condition. */
  severityWhy: string;
  /** Needs pod status, events or node data, not only the spec. */
  needsRuntime: boolean;
  /** What it reads besides the container spec (pods, pull events, ServiceAccounts, Secrets). */
  inputs: readonly RuleInput[];
  /**
   * Rules whose firing contradicts this one's message (it calls a policy harmless that they call
   * risky): it is not raised on a container where any of them fires, whatever their level.
   */
  quietWhen?: readonly string[];
  /** Fires on most containers: views show it as one line per scope with a count, rows on demand. */
  grouped?: boolean;
  /** When its finding opens and resolves (hysteresis for conditions read from runtime data). */
  lifecycle: FindingLifecycle;
  /**
   * Whether this container's inputs are there (runtime rules: pods, pull statistics, placement).
   * Without them the rule neither fires nor counts as not firing: an open finding is held, not cleared.
   */
  hasData?(ctx: RuleContext): boolean;
  check(ctx: RuleContext): RuleHit | null;
}

/** A rule that fired for one container, with what a waiver needs to match it. */
export interface RuleResult {
  ruleId: string;
  title: string;
  severity: Severity;
  subject: ContainerSubject;
  image: string;
  /** Stable across snapshots: cluster/namespace/kind/name/container/ruleId. */
  fingerprint: string;
  message: string;
  evidence: Record<string, unknown>;
  since?: ConditionSince;
}
