// Long by design: the rule catalogue, one definition per rule, the single source for the collector, the API,
// the UI's rule pages and the generated RULES.md. Ids are stable: never reused or renumbered.

import {
  fromProvider,
  missingTokenAnnotations,
  pullCredentialSourcesOf,
  tokenProvidersRun,
} from "../credential-source.ts";
import {
  ENSURE_SECRET_PULLED_IMAGES_MINOR,
  type SharedNodeVerification,
} from "../credential-verification.ts";
import { type FailureCause, withCredentialProvider } from "../failure-cause.ts";
import { atLeastMinor } from "../kube-version.ts";
import { isPullFailureReason, waitingCause } from "../pull-event.ts";
import { defaultPullPolicy } from "../pull-policy.ts";
import { registryMatches } from "../registry.ts";
import { isMovingTagKind } from "../tag-kind.ts";
import { runtimeLifecycle, SPEC_LIFECYCLE } from "./lifecycle.ts";
import type {
  ConditionSince,
  RegistryAnswerFacts,
  RegistryHealth,
  RuleContext,
  RuleDefinition,
  RuntimeFacts,
} from "./types.ts";

const K8S_IMAGES = "https://kubernetes.io/docs/concepts/containers/images/";
const ref = {
  pullPolicy: { title: "Kubernetes: image pull policy", url: `${K8S_IMAGES}#image-pull-policy` },
  updating: { title: "Kubernetes: updating images", url: `${K8S_IMAGES}#updating-images` },
  defaults: {
    title: "Kubernetes source: SetDefaults_Container",
    url: "https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/v1/defaults.go",
  },
  privateRegistry: {
    title: "Kubernetes: pull an image from a private registry",
    url: "https://kubernetes.io/docs/tasks/configure-pod-container/pull-image-private-registry/",
  },
  saPullSecrets: {
    title: "Kubernetes: add imagePullSecrets to a ServiceAccount",
    url: "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#add-imagepullsecrets-to-a-service-account",
  },
  credentialProvider: {
    title: "Kubernetes: kubelet image credential providers",
    url: "https://kubernetes.io/docs/tasks/administer-cluster/kubelet-credential-provider/",
  },
  backoff: { title: "Kubernetes: ImagePullBackOff", url: `${K8S_IMAGES}#imagepullbackoff` },
  serialPulls: {
    title: "Kubernetes: serial and parallel image pulls",
    url: `${K8S_IMAGES}#serial-and-parallel-image-pulls`,
  },
  kep2535: {
    title: "KEP-2535: ensure secret pulled images",
    url: "https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/2535-ensure-secret-pulled-images",
  },
  alwaysPull: {
    title: "Admission controller AlwaysPullImages",
    url: "https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#alwayspullimages",
  },
  reference: {
    title: "distribution/reference grammar",
    url: "https://github.com/distribution/reference/blob/main/reference.go",
  },
  hubLimits: { title: "Docker Hub pull limits", url: "https://docs.docker.com/docker-hub/usage/" },
  kubeletMetrics: {
    title: "Kubernetes metrics reference: kubelet_image_manager_ensure_image_requests_total",
    url: "https://kubernetes.io/docs/reference/instrumentation/metrics/",
  },
  distribution: {
    title: "OCI distribution spec: checking if content exists",
    url: "https://github.com/opencontainers/distribution-spec/blob/main/spec.md#checking-if-content-exists-in-the-registry",
  },
};

/** What the registry said of the reference, as evidence. */
const registryAnswerEvidence = (a: RegistryAnswerFacts) => ({
  outcome: a.outcome,
  httpStatus: a.httpStatus,
  ...(a.digest ? { digest: a.digest } : {}),
  ...(a.detail ? { detail: a.detail } : {}),
  credentialed: a.credentialed,
  probedAt: a.probedAt,
  since: a.since,
});

/** The registry no longer serves the reference: gone (404), refused by policy (412), or denied to credentials that should work. */
function latentFailure(a: RegistryAnswerFacts): string | null {
  if (a.outcome === "not-found") return "no longer exists in the registry";
  if (a.outcome === "refused") return "is refused by the registry's policy";
  if (a.outcome === "unauthorized" && a.credentialed)
    return "is denied to the credentials Pullsight was given";
  return null;
}

/** The registry answered something about the reference itself (an outage or throttle says nothing). */
const answeredAboutReference = (ctx: RuleContext) => {
  const a = ctx.facts.registryAnswer;
  if (!a) return false;
  if (a.outcome === "unauthorized") return a.credentialed;
  return ["resolved", "not-found", "refused"].includes(a.outcome);
};

function describeTag(ctx: RuleContext): string {
  const tag = ctx.reference?.tag ?? "";
  if (ctx.tagKind === "untagged") return "no tag (which means latest)";
  if (ctx.tagKind === "floating-version") return `the floating version tag "${tag}"`;
  if (ctx.tagKind === "full-version") return `the version tag "${tag}"`;
  const named = ctx.settings.mutableTags.some((m) => m.toLowerCase() === tag.toLowerCase());
  return named ? `the mutable tag "${tag}"` : `the moving tag "${tag}" (it names no version)`;
}

/** Moves like `latest` for the stale-cache rules: named mutable tags, no tag, and floating versions where the profile says so. */
const movesLikeLatest = (ctx: RuleContext) =>
  isMovingTagKind(ctx.tagKind, { includeFloating: ctx.settings.floatingIsMutable });

/** Caches that keep an image under its reference: the kubelet pulls it at most once per node. */
const CACHING_POLICIES: readonly string[] = ["IfNotPresent", "Never"];

const matchesAny = (patterns: readonly string[], ctx: RuleContext) =>
  !!ctx.reference &&
  patterns.some((p) => registryMatches(p, ctx.reference?.domain || "docker.io", ctx.reference?.path ?? ""));

/** How to tell Pullsight what a registry is, for messages about visibility. */
const DECLARE_REGISTRY = "declare it under publicRegistries or privateRegistries in the profile's settings";

/** Where the container's pulls get credentials (credential-source.ts), in the kubelet's order. */
const credentialSources = (ctx: RuleContext) =>
  pullCredentialSourcesOf(
    ctx.facts.pullSecrets,
    ctx.reference,
    ctx.settings,
    ctx.facts.kubernetesVersion,
    ctx.facts.serviceAccountAnnotations ?? null,
  );

/** No pull secret on the pod or its ServiceAccount, and no credential provider declared for the registry. */
const needsCredentials = (ctx: RuleContext) => !!ctx.reference && credentialSources(ctx)[0] === "none";

/**
 * What PS007 and PS018 assumed when they found no credentials, in their own words: why no
 * declared ServiceAccount-token provider serves the pod, where one is declared for the registry.
 */
function noCredentials(ctx: RuleContext): string {
  const head = "neither the pod nor its ServiceAccount has a pull secret, and";
  const tail = "assumed credential source none";
  if (!matchesAny(ctx.settings.serviceAccountTokenRegistries, ctx))
    return `${head} the registry matches neither nodeCredentialRegistries nor serviceAccountTokenRegistries (no kubelet credential provider is declared for it): ${tail}`;
  if (!tokenProvidersRun(ctx.facts.kubernetesVersion))
    return `${head} the registry's ServiceAccount-token provider (serviceAccountTokenRegistries) does not run by default before Kubernetes 1.34 (this cluster runs ${ctx.facts.kubernetesVersion}): ${tail}`;
  const missing = missingTokenAnnotations(ctx.settings, ctx.facts.serviceAccountAnnotations);
  return `${head} the kubelet does not call the registry's ServiceAccount-token provider for this pod: its ServiceAccount lacks the annotation${missing.length === 1 ? "" : "s"} ${missing.join(", ")} the provider requires (serviceAccountTokenAnnotations): ${tail}`;
}

/** What PS014 says of the shared nodes' credential checks (KEP-2535), where they are known. */
function verificationNote(v: SharedNodeVerification | null): string {
  if (!v || v.nodes === 0) return "";
  const assumed = [
    v.assumed ? `assumed from the cluster's version for ${v.assumed}: kubelet configuration not read` : "",
    v.fromMetrics
      ? `the gate read from kubelet metrics and the default policy assumed for ${v.fromMetrics}`
      : "",
  ]
    .filter(Boolean)
    .map((s) => ` (${s})`)
    .join("");
  if (v.pulled === 0)
    return `; their kubelets serve cached images without checking credentials (KubeletEnsureSecretPulledImages off, or policy NeverVerify)${assumed}`;
  return `; ${v.pulled} of ${v.nodes} check the credentials of images their kubelet pulled (KEP-2535, imagePullCredentialsVerificationPolicy NeverVerifyPreloadedImages) but serve an image they held before the check was on, or got another way, to any pod${assumed}`;
}

/**
 * Where kubelets verify credentials of cached images (KEP-2535, on by default from 1.35), an image
 * that is on the node but that the pod's credentials did not pull is reported in the very words of
 * a missing one (image_manager.go imageNotPresentOnNeverPolicyError, so as not to reveal it).
 */
function neverPullVerificationNote(ctx: RuleContext): string {
  if (!atLeastMinor(ctx.facts.kubernetesVersion, ENSURE_SECRET_PULLED_IMAGES_MINOR)) return "";
  return " (or it is, but the kubelet could not verify the pod's credentials for it: KEP-2535 reports both the same way)";
}

/** Failures the registry caused (rate limits, network, TLS, timeouts). */
const REGISTRY_SIDE: readonly FailureCause[] = ["rate-limited", "network", "tls", "timeout"];
const registryFailures = (h: RegistryHealth) =>
  REGISTRY_SIDE.reduce((n, c) => n + (h.failuresByCause[c] ?? 0), 0);

/** Pods of the workload exist (running or waiting): their state can be read. */
const hasPods = (ctx: RuleContext) =>
  (ctx.facts.runtime?.running.length ?? 0) + (ctx.facts.runtime?.waiting.length ?? 0) > 0;

/** How a finding's message names where a failure's cause was read. */
const CAUSE_SOURCE_WORDS = { status: "pod status", events: "kubelet events", none: "nowhere yet" } as const;
/** Failing pods named per waiting reason in PS009's evidence; the count says how many there are. */
export const MAX_FAILING_INSTANCES = 50;

const sinceField = (since: ConditionSince | undefined) => (since ? { since } : {});

/** The first failed pull among these waiting pods, from kubelet events, where known. */
function failingSince(waiting: RuntimeFacts["waiting"]): ConditionSince | undefined {
  const first = waiting
    .map((w) => w.since)
    .filter((t): t is string => !!t)
    .sort()[0];
  return first ? { at: first, from: "pull-events" } : undefined;
}

/**
 * Drift began when a second digest started running: the second earliest of each digest's first
 * start, known only when every running digest's start is.
 */
function driftSince(running: RuntimeFacts["running"]): ConditionSince | undefined {
  const starts = running.map((r) => r.since);
  if (starts.length < 2 || starts.some((t) => !t)) return undefined;
  const second = (starts as string[]).sort()[1];
  return second ? { at: second, from: "pod-status" } : undefined;
}

const baseEvidence = (ctx: RuleContext) => ({
  image: ctx.facts.image,
  tagKind: ctx.tagKind,
  imagePullPolicy: ctx.facts.imagePullPolicy,
});

export const RULES: readonly RuleDefinition[] = [
  {
    id: "PS001",
    slug: "mutable-reference",
    title: "Mutable image reference",
    category: "reference",
    why: "A mutable reference (`latest`, no tag, or a moving name such as `main` or `stable`) can point at a different image tomorrow. Two replicas can run different code, a rollback cannot restore what ran, and an audit cannot say which image was deployed.",
    action: "Pin {image} to a version or digest",
    resolvedByDigest: true,
    fix: "Reference an immutable version: a full version tag that your registry does not allow to be overwritten, or better, the image digest.",
    fixYaml: `containers:
  - name: app
    # a digest decides exactly what runs; the tag beside it is for people
    image: registry.example.com/team/app:1.42.3@sha256:<digest>
    imagePullPolicy: IfNotPresent`,
    references: [ref.updating, ref.pullPolicy],
    defaults: { production: "high", development: "info" },
    severityWhy:
      "High in production: the image behind the name can change without any deploy, so what runs cannot be known or rolled back. Polaris (tagNotSpecified), kube-score (container-image-tag), Kubescape and Datree all flag `latest` and missing tags. Info in development, where moving tags are how teams iterate.",
    needsRuntime: false,
    inputs: [],
    lifecycle: SPEC_LIFECYCLE,
    check(ctx) {
      if (ctx.tagKind !== "mutable" && ctx.tagKind !== "untagged") return null;
      return { message: `${ctx.facts.image} uses ${describeTag(ctx)}.`, evidence: baseEvidence(ctx) };
    },
  },
  {
    id: "PS002",
    slug: "stale-cache-trap",
    title: "Moving tag with IfNotPresent (stale cache)",
    category: "policy",
    why: "With `IfNotPresent` the kubelet pulls only when the node has no image under that reference. When the tag moves, nodes that cached the old image keep running it while new nodes run the new one: replicas silently differ, and a fix pushed under the same tag never arrives.",
    action: "Pin {image} to a version or digest, or pull it Always",
    resolvedByDigest: true,
    fix: "Pin an immutable version or digest (preferred), or use `imagePullPolicy: Always` while the tag must stay mutable.",
    fixYaml: `containers:
  - name: app
    image: registry.example.com/team/app:1.42.3   # an immutable version
    imagePullPolicy: IfNotPresent
# or, while the tag has to move:
#   image: registry.example.com/team/app:main
#   imagePullPolicy: Always`,
    references: [ref.pullPolicy, ref.updating],
    defaults: { production: "high", development: "low" },
    severityWhy:
      "High in production for `latest`, no tag and named moving tags (`main`, `stable`, `alpine`): they move with every push, so replicas and nodes diverge within days; the Kubernetes documentation warns against exactly this pairing, and kube-score requires `Always` for `latest`. Floating versions move only within a release line and have their own, lower rule (PS016). Low in development.",
    needsRuntime: false,
    inputs: [],
    lifecycle: SPEC_LIFECYCLE,
    check(ctx) {
      if (ctx.facts.imagePullPolicy !== "IfNotPresent" || !movesLikeLatest(ctx)) return null;
      return {
        message: `${ctx.facts.image} uses ${describeTag(ctx)} with imagePullPolicy IfNotPresent: nodes keep whatever they cached.`,
        evidence: { ...baseEvidence(ctx), policySource: ctx.facts.policySource.source },
      };
    },
  },
  {
    id: "PS003",
    slug: "never-with-moving-tag",
    title: "Never with a moving tag",
    category: "policy",
    why: "`Never` runs only what is already on the node. With a moving tag, the node never learns that the tag moved, and a node without the image fails with ErrImageNeverPull.",
    action: "Pin {image} to a version or digest the nodes preload",
    resolvedByDigest: true,
    fix: "Use an immutable version or digest that your node image preloads, or allow pulls.",
    fixYaml: `containers:
  - name: agent
    image: registry.example.com/infra/agent:2.8.1@sha256:<digest>   # preloaded on the node image
    imagePullPolicy: Never`,
    references: [ref.pullPolicy],
    defaults: { production: "high", development: "medium" },
    severityWhy:
      "High in production: a node never learns that the tag moved, and a node without the image cannot start the pod at all. Medium in development, where nodes are rebuilt often.",
    needsRuntime: false,
    inputs: [],
    lifecycle: SPEC_LIFECYCLE,
    check(ctx) {
      if (ctx.facts.imagePullPolicy !== "Never" || !movesLikeLatest(ctx)) return null;
      return {
        message: `${ctx.facts.image} uses ${describeTag(ctx)} with imagePullPolicy Never: it never gets a newer image.`,
        evidence: baseEvidence(ctx),
      };
    },
  },
  {
    id: "PS004",
    slug: "never-pull-missing",
    title: "Image missing where pulls are forbidden",
    category: "runtime",
    why: "With `imagePullPolicy: Never` a node that lacks the image fails the container with ErrImageNeverPull and does not retry a pull: the pod stays broken until the image is loaded onto that node.",
    action: "Preload {image} on the nodes that run it, or allow pulls",
    fix: "Preload the image on every node that can run the pod (node image, DaemonSet preloader), constrain the pod to nodes that have it, or allow pulls.",
    fixYaml: `spec:
  nodeSelector:
    images.example.com/agent-2.8.1: "present"   # only nodes that preload the image
  containers:
  - name: agent
    image: registry.example.com/infra/agent:2.8.1
    imagePullPolicy: Never`,
    references: [ref.pullPolicy],
    defaults: { production: "critical", development: "high" },
    severityWhy:
      "Critical in production: pods are down now and will not recover by retrying. High in development.",
    needsRuntime: true,
    inputs: ["pods"],
    lifecycle: runtimeLifecycle(
      "at the first snapshot in which a pod of the workload waits in ErrImageNeverPull; opened at the first such failure in kubelet events where they know it",
    ),
    hasData: hasPods,
    check(ctx) {
      const waiting = ctx.facts.runtime?.waiting.filter((w) => w.reason === "ErrImageNeverPull") ?? [];
      if (!waiting.length) return null;
      const pods = waiting.reduce((n, w) => n + w.pods, 0);
      return {
        message: `${pods} pod${pods === 1 ? "" : "s"} cannot start ${ctx.facts.subject.container}: ${ctx.facts.image} is not on the node and imagePullPolicy is Never${neverPullVerificationNote(ctx)}.`,
        evidence: { ...baseEvidence(ctx), pods, message: waiting[0]?.message ?? "" },
        ...sinceField(failingSince(waiting)),
      };
    },
  },
  {
    id: "PS005",
    slug: "not-digest-pinned",
    title: "Not pinned by digest",
    category: "reference",
    why: "Only a digest identifies image content; tags, even version tags, can be overwritten unless the registry forbids it. `Always` with a digest is the most deterministic pattern (the kubelet verifies the digest on every start), `IfNotPresent` with a full version the common one.",
    action: "Pin {image} by digest",
    resolvedByDigest: true,
    fix: "Reference the image by digest (your CD tool or an admission policy can resolve tags to digests).",
    fixYaml: `containers:
  - name: app
    image: registry.example.com/team/app:1.42.3@sha256:<digest>
    imagePullPolicy: IfNotPresent`,
    references: [ref.updating, ref.reference],
    defaults: { production: "low", development: "off" },
    severityWhy:
      "Low in production: true of most workloads and a hardening step rather than a defect; Polaris and Kubescape do not require digests by default and Kyverno's require-image-digest policy is opt-in. It fires on most containers, so views group it per scope instead of listing it row by row. Off in development.",
    needsRuntime: false,
    inputs: [],
    grouped: true,
    lifecycle: SPEC_LIFECYCLE,
    check(ctx) {
      if (ctx.tagKind === "digest" || ctx.tagKind === "invalid") return null;
      return { message: `${ctx.facts.image} is not pinned by digest.`, evidence: baseEvidence(ctx) };
    },
  },
  {
    id: "PS006",
    slug: "always-unreliable-registry",
    title: "Always against an unreliable registry",
    category: "latency",
    why: "`Always` contacts the registry on every container start. When the registry is slow, rate-limited or unreachable from the cluster, restarts and scale-ups stall or fail even though the image may already be on the node.",
    action: "Pin {image} and pull it IfNotPresent, or mirror it closer",
    fix: "Pin by digest or full version and use `IfNotPresent`, mirror the image into a registry close to the cluster, or fix the registry path (credentials for rate limits, network, pull-through cache).",
    fixYaml: `containers:
  - name: app
    image: mirror.example.com/dockerhub/library/nginx:1.27.3@sha256:<digest>
    imagePullPolicy: IfNotPresent`,
    references: [ref.pullPolicy, ref.hubLimits, ref.serialPulls],
    defaults: { production: "medium", development: "low" },
    severityWhy:
      "Medium in production: restarts and scale-ups stall while the registry misbehaves, but running pods are unaffected. Low in development.",
    needsRuntime: true,
    inputs: ["pods", "pullEvents"],
    lifecycle: runtimeLifecycle(
      "at the first snapshot in which the registry's pulls over the last 24 hours of events fail, rate-limit or exceed the latency budget",
    ),
    hasData: (ctx) => {
      const h = ctx.facts.registryHealth;
      return !!h && h.pulls + registryFailures(h) >= ctx.settings.minPullsForStats;
    },
    check(ctx) {
      const health = ctx.facts.registryHealth;
      if (ctx.facts.imagePullPolicy !== "Always" || !health) return null;
      const s = ctx.settings;
      // Only failures on the registry's side: a missing tag or a missing credential is the
      // workload's problem (PS009), not the registry's.
      const failures = registryFailures(health);
      const attempts = health.pulls + failures;
      if (attempts < s.minPullsForStats) return null;
      const ratio = attempts ? failures / attempts : 0;
      const rateLimited = health.failuresByCause["rate-limited"] ?? 0;
      const slow = health.p95Seconds !== null && health.p95Seconds > s.pullLatencyBudgetSeconds;
      if (ratio < s.registryFailureRatio && rateLimited === 0 && !slow) return null;
      const problems = [
        ratio >= s.registryFailureRatio ? `${Math.round(ratio * 100)}% of pulls failed` : null,
        rateLimited ? `${rateLimited} rate-limited pulls` : null,
        slow
          ? `p95 pull time ${health.p95Seconds?.toFixed(1)}s over the ${s.pullLatencyBudgetSeconds}s budget`
          : null,
      ].filter(Boolean);
      return {
        message: `${ctx.facts.image} is pulled on every start (Always) from ${ctx.registry}, where ${problems.join(", ")}.`,
        evidence: {
          ...baseEvidence(ctx),
          registry: ctx.registry,
          ...health,
          registryFailures: failures,
          failureRatio: ratio,
        },
      };
    },
  },
  {
    id: "PS007",
    slug: "private-image-without-pull-secret",
    title: "Private image without a pull secret",
    category: "secrets",
    why: "An image from a private registry needs credentials. Without a pull secret on the pod or its ServiceAccount it starts only on nodes that already cached it (pulled with someone else's credentials) or that carry node-level credentials, and fails elsewhere with ErrImagePull.",
    action: "Give the pods that pull {image} a pull secret",
    fix: "Add an imagePullSecret to the ServiceAccount (or the pod), or list the registry under nodeCredentialRegistries if a kubelet credential provider (ECR, GAR, ACR) supplies credentials, or under serviceAccountTokenRegistries if a provider exchanges the pod's ServiceAccount token (KEP-4412, Kubernetes 1.34+).",
    fixYaml: `apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
imagePullSecrets:
- name: registry-example-com`,
    references: [ref.privateRegistry, ref.saPullSecrets, ref.credentialProvider],
    defaults: { production: "medium", development: "low" },
    severityWhy:
      "Medium in production for registries known to need credentials: the pod starts only where the image is cached or the node has credentials. Only for known-private registries: one whose visibility is unknown gets PS018 at low, because most unknown registries in published manifests are projects' public registries. Peers do not check this (it needs the ServiceAccount). Low in development.",
    needsRuntime: false,
    inputs: ["serviceAccounts"],
    lifecycle: SPEC_LIFECYCLE,
    check(ctx) {
      if (ctx.visibility !== "private" || !needsCredentials(ctx)) return null;
      return {
        message: `${ctx.facts.image} comes from ${ctx.registry}, a registry that needs credentials; ${noCredentials(ctx)}.`,
        evidence: {
          ...baseEvidence(ctx),
          registry: ctx.registry,
          visibility: ctx.visibility,
          credentialSources: ["none"],
        },
      };
    },
  },
  {
    id: "PS008",
    slug: "pull-secret-missing",
    title: "Pull secret referenced but missing",
    category: "secrets",
    why: "The kubelet silently skips an imagePullSecret that does not exist, so pulls go out without the credentials someone meant to give them, and fail (or hit anonymous rate limits) in ways that look unrelated.",
    action: "Create the pull secret that the pods of {image} name, or drop the reference",
    fix: "Create the secret in the namespace (type kubernetes.io/dockerconfigjson) or remove the stale reference.",
    fixYaml: `kubectl create secret docker-registry registry-example-com \\
  --namespace <namespace> --docker-server=registry.example.com \\
  --docker-username=<user> --docker-password=<token>`,
    references: [ref.privateRegistry, ref.saPullSecrets],
    defaults: { production: "high", development: "medium" },
    severityWhy:
      "High in production: someone meant pulls to carry credentials and they do not, which fails or falls back to anonymous rate limits at the next pull. Medium in development.",
    needsRuntime: false,
    inputs: ["serviceAccounts", "secrets"],
    lifecycle: SPEC_LIFECYCLE,
    check(ctx) {
      const missing = ctx.facts.pullSecrets.filter((s) => s.exists === false);
      if (!missing.length) return null;
      const names = missing.map((s) => `${s.name} (${s.source === "pod" ? "pod spec" : "ServiceAccount"})`);
      return {
        message: `Pull secret${missing.length === 1 ? "" : "s"} ${names.join(", ")} referenced for ${ctx.facts.subject.container} ${missing.length === 1 ? "does" : "do"} not exist in namespace ${ctx.facts.subject.namespace}.`,
        evidence: {
          image: ctx.facts.image,
          missing: missing.map((s) => ({ name: s.name, source: s.source })),
        },
      };
    },
  },
  {
    id: "PS009",
    slug: "image-pull-failing",
    title: "Image pull failing",
    category: "runtime",
    why: "Containers waiting in ErrImagePull, ImagePullBackOff, InvalidImageName, ImageInspectError or the CRI's RegistryUnavailable and SignatureValidationFailed do not run. The cause (missing tag, credentials, a node credential provider, a registry refusing by policy (HTTP 412), rate limit, the kubelet's own pull throttle, signature policy, network, TLS, bad name) decides who has to act. It is read from the container's waiting message first (from 1.32 it keeps the last attempt's error), from kubelet events second, and the finding says which.",
    action: "Fix the failing pull of {image}",
    fix: "Act on the cause in the evidence: fix the tag or name, the pull secret, the registry's reachability or certificate, or add a mirror for rate limits.",
    fixYaml: `kubectl -n <namespace> describe pod <pod>   # Events show the registry's error
kubectl -n <namespace> get events --field-selector reason=Failed`,
    references: [ref.backoff, ref.privateRegistry],
    defaults: { production: "critical", development: "medium" },
    severityWhy:
      "Critical in production: the container is not running. Medium in development, where broken images are part of the work.",
    needsRuntime: true,
    inputs: ["pods"],
    lifecycle: runtimeLifecycle(
      "at the first snapshot in which a pod of the workload waits on a failed pull (any reason above); opened at the first failed pull of those pods in kubelet events where they know it",
    ),
    hasData: hasPods,
    check(ctx) {
      const failing = ctx.facts.runtime?.waiting.filter((w) => isPullFailureReason(w.reason)) ?? [];
      if (!failing.length) return null;
      const pods = failing.reduce((n, w) => n + w.pods, 0);
      const provider = fromProvider(credentialSources(ctx));
      const read = failing.map((w) => {
        const cause = w.cause ?? waitingCause(w.reason, w.message);
        return {
          cause: withCredentialProvider(cause ?? "unknown", provider),
          source: (cause ? (w.causeSource ?? "status") : "none") as keyof typeof CAUSE_SOURCE_WORDS,
          pods: w.pods,
        };
      });
      const causes = [...new Set(read.map((r) => r.cause))];
      const sources = [...new Set(read.map((r) => r.source))];
      return {
        message: `${pods} pod${pods === 1 ? "" : "s"} cannot pull ${ctx.facts.image} (${failing.map((w) => w.reason).join(", ")}; cause: ${causes.join(", ")}, from ${sources.map((s) => CAUSE_SOURCE_WORDS[s]).join(" and ")}).`,
        evidence: {
          image: ctx.facts.image,
          pods,
          causes,
          causeSources: read,
          ...(provider ? { nodeCredentialProvider: true } : {}),
          reasons: failing.map((w) => ({
            reason: w.reason,
            pods: w.pods,
            message: w.message,
            // Which pods, on which nodes (the failing-now view lists them), up to a page's worth.
            ...(w.instances ? { instances: w.instances.slice(0, MAX_FAILING_INSTANCES) } : {}),
          })),
        },
        ...sinceField(failingSince(failing)),
      };
    },
  },
  {
    id: "PS010",
    slug: "tag-drift",
    title: "Tag drift: one tag, several digests running",
    category: "runtime",
    why: "Replicas of one workload run one tag but different image content: the tag moved and some nodes kept their cached copy. Behaviour differs between replicas, and what the manifest says is not what runs.",
    action: "Pin {image} by digest and roll its workloads",
    resolvedByDigest: true,
    fix: "Pin by digest; to converge now, roll the workload after making the pull policy Always (or pin the digest you want).",
    fixYaml: `kubectl -n <namespace> rollout restart deployment/<name>   # after pinning or setting Always`,
    references: [ref.updating, ref.pullPolicy],
    defaults: { production: "high", development: "low" },
    severityWhy:
      "High in production: replicas run different code now, observed rather than predicted. Low in development.",
    needsRuntime: true,
    inputs: ["pods"],
    lifecycle: runtimeLifecycle(
      "at the first snapshot that sees two digests running for one tag; opened when the second digest first started running (container start times in pod status)",
      28 * 24,
      "drift comes back each time a moving tag moves again, every week or two, until the reference is pinned or the policy is Always: four weeks without it show the cause was dealt with",
    ),
    hasData: (ctx) => (ctx.facts.runtime?.running.length ?? 0) > 0,
    check(ctx) {
      if (ctx.tagKind === "digest") return null;
      const running = (ctx.facts.runtime?.running ?? []).filter((r) => r.digest !== null);
      const digests = new Set(running.map((r) => r.digest));
      if (digests.size < 2) return null;
      return {
        ...sinceField(driftSince(running)),
        message: `${ctx.facts.image} runs as ${digests.size} different digests across ${new Set(running.flatMap((r) => r.nodes)).size} nodes.`,
        evidence: {
          ...baseEvidence(ctx),
          digests: running.map((r) => ({ digest: r.digest, nodes: r.nodes, pods: r.pods })),
        },
      };
    },
  },
  {
    id: "PS011",
    slug: "redundant-explicit-policy",
    title: "Policy set to what the default would be",
    category: "policy",
    why: "The manifest sets imagePullPolicy to exactly what the API server would default it to for this image. Harmless, and some teams require it; reported at info so reviewers know it was a choice.",
    action: "Nothing to change for {image}: its policy is the default",
    fix: "Nothing required. Keep it if your standards want explicit policies; remove it to rely on defaulting.",
    fixYaml: `containers:
  - name: app
    image: registry.example.com/team/app:1.42.3
    # imagePullPolicy: IfNotPresent   # the default for a non-latest tag`,
    references: [ref.defaults],
    defaults: { production: "info", development: "off" },
    severityWhy:
      "Info: harmless by definition, reported so reviewers see that a default was chosen on purpose. It is not raised where another rule calls the same policy risky (PS002, PS003, PS006, PS014, PS016, PS017): a finding must not call harmless what another calls dangerous. Off in development.",
    needsRuntime: false,
    inputs: [],
    quietWhen: ["PS002", "PS003", "PS006", "PS014", "PS016", "PS017"],
    lifecycle: SPEC_LIFECYCLE,
    check(ctx) {
      if (ctx.facts.policySource.source !== "explicit") return null;
      if (ctx.facts.imagePullPolicy !== defaultPullPolicy(ctx.facts.image)) return null;
      return {
        message: `${ctx.facts.subject.container} sets imagePullPolicy ${ctx.facts.imagePullPolicy}, which is the default for ${ctx.facts.image} anyway.`,
        evidence: { ...baseEvidence(ctx), policyEvidence: ctx.facts.policySource.evidence },
      };
    },
  },
  {
    id: "PS012",
    slug: "stale-defaulted-policy",
    title: "Leftover default from an earlier image",
    category: "policy",
    why: "imagePullPolicy is defaulted once, when the object is created. After the image changed, the policy still reflects the old image: a workload moved from `:latest` to a version keeps pulling on every start, and one moved to `:latest` keeps `IfNotPresent` and its stale cache.",
    action: "Set imagePullPolicy explicitly for {image}",
    fix: "Set imagePullPolicy explicitly to what you want for the current image.",
    fixYaml: `containers:
  - name: app
    image: registry.example.com/team/app:1.42.3
    imagePullPolicy: IfNotPresent`,
    references: [ref.defaults, ref.pullPolicy],
    defaults: { production: "medium", development: "low" },
    severityWhy:
      "Medium in production: the workload behaves unlike its manifest suggests (pulls on every start, or keeps a stale cache) and nobody chose it. Low in development.",
    needsRuntime: false,
    inputs: [],
    lifecycle: SPEC_LIFECYCLE,
    check(ctx) {
      if (ctx.facts.policySource.source !== "defaulted") return null;
      const wouldBe = defaultPullPolicy(ctx.facts.image);
      if (ctx.facts.imagePullPolicy === wouldBe) return null;
      return {
        message: `${ctx.facts.subject.container} has imagePullPolicy ${ctx.facts.imagePullPolicy}, defaulted for an earlier image; for ${ctx.facts.image} the default would be ${wouldBe}.`,
        evidence: {
          ...baseEvidence(ctx),
          defaultForCurrentImage: wouldBe,
          policyEvidence: ctx.facts.policySource.evidence,
        },
      };
    },
  },
  {
    id: "PS013",
    slug: "slow-pulls",
    title: "Slow image pulls",
    category: "latency",
    why: "Pull time adds directly to pod start-up: slow pulls stretch rollouts, autoscaling and recovery. With serialized pulls (the kubelet default) one slow image also delays every other pull on the node.",
    action: "Shrink {image} or pull it from a registry closer to the cluster",
    fix: "Shrink the image, pull from a registry close to the cluster, pre-pull on nodes, or raise the budget in the profile if the time is expected.",
    fixYaml: `# kubelet configuration, if your nodes can pull in parallel:
serializeImagePulls: false
maxParallelImagePulls: 4`,
    references: [ref.serialPulls],
    defaults: { production: "medium", development: "low" },
    severityWhy:
      "Medium in production: slow pulls stretch rollouts and recovery but nothing is broken. Low in development.",
    needsRuntime: true,
    inputs: ["pods", "pullEvents"],
    lifecycle: runtimeLifecycle(
      "at the first snapshot in which the image's p95 pull time over the last 24 hours of events exceeds the budget",
    ),
    hasData: (ctx) =>
      !!ctx.facts.pulls &&
      ctx.facts.pulls.pulls >= ctx.settings.minPullsForStats &&
      ctx.facts.pulls.p95Seconds !== null,
    check(ctx) {
      const pulls = ctx.facts.pulls;
      if (!pulls || pulls.pulls < ctx.settings.minPullsForStats || pulls.p95Seconds === null) return null;
      if (pulls.p95Seconds <= ctx.settings.pullLatencyBudgetSeconds) return null;
      return {
        message: `Pulls of ${ctx.facts.image} take ${pulls.p95Seconds.toFixed(1)}s at p95, over the ${ctx.settings.pullLatencyBudgetSeconds}s budget.`,
        evidence: { image: ctx.facts.image, ...pulls, budgetSeconds: ctx.settings.pullLatencyBudgetSeconds },
      };
    },
  },
  {
    id: "PS014",
    slug: "private-image-credential-reuse",
    title: "Private image cached on shared nodes",
    category: "secrets",
    why: "With `IfNotPresent`, an image pulled with one pod's credentials stays on the node, and any pod scheduled there can start from it without credentials of its own. On nodes shared between namespaces or tenants that bypasses registry access control.",
    action: "Pull {image} Always, or keep its pods on nodes of their own",
    fix: "Use `imagePullPolicy: Always` for private images on shared nodes, enable the AlwaysPullImages admission plugin, or the kubelet's KubeletEnsureSecretPulledImages feature (KEP-2535); or isolate the tenant's nodes.",
    fixYaml: `containers:
  - name: app
    image: registry.example.com/team/app:1.42.3@sha256:<digest>
    imagePullPolicy: Always   # credentials are checked on every start`,
    references: [ref.kep2535, ref.alwaysPull],
    defaults: { production: "medium", development: "off" },
    severityWhy:
      "Medium in production: a real access-control gap that needs another tenant's pod on the same node to be exploited; only known-private registries count. Off in development, where namespaces rarely separate tenants.",
    needsRuntime: true,
    inputs: ["pods", "serviceAccounts"],
    lifecycle: runtimeLifecycle(
      "at the first snapshot that places the private image with IfNotPresent on nodes shared with other namespaces",
    ),
    hasData: (ctx) => ctx.facts.sharedNodes !== null && ctx.facts.sharedNodes !== undefined,
    check(ctx) {
      if (
        ctx.visibility !== "private" ||
        ctx.facts.imagePullPolicy !== "IfNotPresent" ||
        ctx.facts.sharedNodes !== true
      ) {
        return null;
      }
      const verification = ctx.facts.sharedNodeVerification ?? null;
      // Kubelets that check every cached image's credentials (AlwaysVerify) close the gap.
      if (verification && verification.nodes > 0 && verification.always === verification.nodes) return null;
      return {
        message: `${ctx.facts.image} is private, cached with IfNotPresent on nodes that also run other namespaces' pods${verificationNote(verification)}.`,
        evidence: {
          ...baseEvidence(ctx),
          registry: ctx.registry,
          sharedNodes: true,
          ...(verification ? { credentialVerification: verification } : {}),
        },
      };
    },
  },
  {
    id: "PS015",
    slug: "invalid-image-reference",
    title: "Invalid image reference",
    category: "reference",
    why: "The image name does not parse as a reference: the kubelet refuses it with InvalidImageName and the container never starts.",
    action: "Correct the reference {image}",
    fix: "Correct the reference: lowercase repository, a valid tag (at most 128 characters of letters, digits, `_`, `.`, `-`), a digest of the form `sha256:<64 hex>`.",
    fixYaml: `containers:
  - name: app
    image: registry.example.com/team/app:1.42.3`,
    references: [ref.reference, ref.backoff],
    defaults: { production: "critical", development: "high" },
    severityWhy:
      "Critical in production: the kubelet refuses the name and the container can never start. High in development.",
    needsRuntime: false,
    inputs: [],
    lifecycle: SPEC_LIFECYCLE,
    check(ctx) {
      if (ctx.reference) return null;
      return {
        message: `${JSON.stringify(ctx.facts.image)} is not a valid image reference: ${ctx.invalidReason}.`,
        evidence: { image: ctx.facts.image, reason: ctx.invalidReason },
      };
    },
  },
  {
    id: "PS016",
    slug: "floating-version-cached",
    title: "Floating version with a cached policy",
    category: "policy",
    why: "A floating version (`redis:7.2`, `postgres:15`, `node:20-alpine`) is re-pushed with every patch release of its line. With `IfNotPresent` (or `Never`) each node keeps the patch it pulled first, so replicas can differ by patch level and a security fix reaches only new nodes.",
    action: "Pin {image} to a full version or digest",
    resolvedByDigest: true,
    fix: "Pin the full version (`redis:7.2.5`) or the digest, and let your update tooling move it; or use `Always` if the line should follow patches.",
    fixYaml: `containers:
  - name: cache
    image: redis:7.2.5   # the full version: the same image on every node
    imagePullPolicy: IfNotPresent`,
    references: [ref.pullPolicy, ref.updating],
    defaults: { production: "low", development: "info" },
    severityWhy:
      "Low in production: the risk is real (patch drift between nodes) but bounded to one release line, unlike `latest`; none of Polaris, kube-score, Kubescape or Datree singles floating versions out. A profile can raise it, or set floatingIsMutable to judge floating versions like named mutable tags (PS002, PS003). Info in development.",
    needsRuntime: false,
    inputs: [],
    lifecycle: SPEC_LIFECYCLE,
    check(ctx) {
      if (ctx.tagKind !== "floating-version" || ctx.settings.floatingIsMutable) return null;
      if (!CACHING_POLICIES.includes(ctx.facts.imagePullPolicy)) return null;
      return {
        message: `${ctx.facts.image} uses ${describeTag(ctx)} with imagePullPolicy ${ctx.facts.imagePullPolicy}: each node keeps the patch release it pulled first.`,
        evidence: { ...baseEvidence(ctx), policySource: ctx.facts.policySource.source },
      };
    },
  },
  {
    id: "PS017",
    slug: "overwritable-version-cached",
    title: "Full version on a registry that allows overwriting tags",
    category: "policy",
    why: "Where a registry lets a tag be pushed again (no tag immutability), even a full version such as `1.42.3` can be rebuilt under the same name, and nodes that cached the first build keep it. The profile says which registries allow this.",
    action: "Pin {image} by digest",
    resolvedByDigest: true,
    fix: "Turn on tag immutability in the registry (ECR, ACR, GAR and Harbor support it), pin the digest, or use `Always`.",
    fixYaml: `containers:
  - name: app
    image: registry.example.com/team/app:1.42.3@sha256:<digest>
    imagePullPolicy: IfNotPresent`,
    references: [ref.updating, ref.pullPolicy],
    defaults: { production: "low", development: "info" },
    severityWhy:
      "Fires only for registries a profile lists under overwritableTagRegistries (none by default): on most registries a full version is re-pushed rarely and by mistake, so flagging every version everywhere would be noise. Where teams do re-push, low in production, like a floating version; info in development.",
    needsRuntime: false,
    inputs: [],
    lifecycle: SPEC_LIFECYCLE,
    check(ctx) {
      if (ctx.tagKind !== "full-version" || !CACHING_POLICIES.includes(ctx.facts.imagePullPolicy))
        return null;
      if (!matchesAny(ctx.settings.overwritableTagRegistries, ctx)) return null;
      return {
        message: `${ctx.facts.image} uses ${describeTag(ctx)} with imagePullPolicy ${ctx.facts.imagePullPolicy} on ${ctx.registry}, where the profile says tags can be overwritten.`,
        evidence: { ...baseEvidence(ctx), registry: ctx.registry },
      };
    },
  },
  {
    id: "PS018",
    slug: "unknown-registry-without-pull-secret",
    title: "Registry of unknown visibility without a pull secret",
    category: "secrets",
    why: "Pullsight does not know whether this registry needs credentials: it is neither a well-known public registry nor one that always needs them, and the profile does not declare it. If it is private, pods start only where the image is cached or the node has credentials.",
    action: "Declare the registry of {image}, or give its pods a pull secret",
    fix: "Declare the registry in the profile's settings (publicRegistries or privateRegistries); if it is private, add an imagePullSecret to the ServiceAccount.",
    fixYaml: `# profiles.yaml
profiles:
  - name: production
    settings:
      publicRegistries: [registry.example.org]    # anyone may pull
      privateRegistries: [registry.example.com]   # needs credentials`,
    references: [ref.privateRegistry, ref.credentialProvider],
    defaults: { production: "low", development: "info" },
    severityWhy:
      "Low in production: a question to answer once per registry, not a defect; most unknown registries in published manifests are public project registries. Declaring the registry turns it into PS007 (medium) or nothing. Info in development.",
    needsRuntime: false,
    inputs: ["serviceAccounts"],
    lifecycle: SPEC_LIFECYCLE,
    check(ctx) {
      if (ctx.visibility !== "unknown" || !needsCredentials(ctx)) return null;
      return {
        message: `${ctx.facts.image} comes from ${ctx.registry}, whose visibility Pullsight does not know; ${noCredentials(ctx)}. If it is private, ${DECLARE_REGISTRY}.`,
        evidence: {
          ...baseEvidence(ctx),
          registry: ctx.registry,
          visibility: ctx.visibility,
          credentialSources: ["none"],
        },
      };
    },
  },
  {
    id: "PS019",
    slug: "latent-pull-failure",
    title: "Registry no longer serves a running image",
    category: "runtime",
    why: "The pods run because their nodes pulled the image earlier (not with Never, which never asks the registry), but the registry no longer serves the reference: the tag or repository is gone (404), the registry refuses it by policy (412: a vulnerability gate, a registry shutting down), or it denies the credentials Pullsight was given for it. Nothing shows until a pod starts on a node without the image (a drain, an autoscaler, a restart with Always), and then every such pod fails at once.",
    action: "Make {image} pullable again or move it to a registry that serves it",
    fix: "Push the tag again or pin a digest the registry still serves; for a registry shutting down or a moved repository, mirror the image and change the reference; for credentials, renew them. Until then, keep the nodes that cache the image.",
    fixYaml: `# what the registry says now (HEAD does not count as a pull on Docker Hub)
crane digest <image>   # or: skopeo inspect --raw docker://<image>`,
    references: [ref.distribution, ref.pullPolicy, ref.privateRegistry],
    defaults: { production: "critical", development: "medium" },
    severityWhy:
      "Critical in production where the next start certainly pulls (imagePullPolicy Always, or no pod runs the image on any node), one step lower (high) where pods run and cache it with IfNotPresent: a new node or a drain is needed before it fails. Medium in development (one step lower where cached).",
    needsRuntime: true,
    inputs: ["pods"],
    quietWhen: ["PS009"],
    lifecycle: runtimeLifecycle(
      "at the first snapshot after the registry prober found the reference gone, refused or denied; opened when the registry first answered so",
    ),
    hasData: answeredAboutReference,
    check(ctx) {
      const a = ctx.facts.registryAnswer;
      const what = a ? latentFailure(a) : null;
      // With Never the kubelet never asks the registry: what it says cannot stop a start.
      if (!a || !what || ctx.facts.imagePullPolicy === "Never") return null;
      const running = ctx.facts.runtime?.running ?? [];
      const nodes = [...new Set(running.flatMap((r) => r.nodes))].sort();
      const pods = running.reduce((n, r) => n + r.pods, 0);
      const always = ctx.facts.imagePullPolicy === "Always";
      const certain = always || pods === 0;
      return {
        message: `${ctx.facts.image} ${what} (${a.detail ?? a.httpStatus}); ${certain ? (always ? "with imagePullPolicy Always the next start pulls it and fails" : "no pod runs it, so the next start pulls it and fails") : `${pods} pod${pods === 1 ? "" : "s"} on ${nodes.length} node${nodes.length === 1 ? "" : "s"} run it from their cache; a pod on any other node will fail`}.`,
        evidence: {
          ...baseEvidence(ctx),
          registry: ctx.registry,
          registryAnswer: registryAnswerEvidence(a),
          pullCertain: certain,
          pods,
          nodes: nodes.slice(0, MAX_FAILING_INSTANCES),
        },
        since: { at: a.since, from: "registry" },
        ...(certain ? {} : { lessSevere: "the image is cached on the nodes that run it" }),
      };
    },
  },
  {
    id: "PS020",
    slug: "tag-moved-in-registry",
    title: "Tag moved in the registry: new pods will run a different image",
    category: "runtime",
    why: "The registry now resolves the tag to a digest no pod of the workload runs: the tag was pushed again. The next pod that pulls it (any start with Always, a start on a new node with IfNotPresent) runs different content from its siblings, without any change to the manifest. This is drift before it happens (PS010 sees it once two digests run).",
    action: "Pin {image} by digest",
    resolvedByDigest: true,
    fix: "Pin the digest you mean to run (the running one, or the registry's new one after testing), and roll the workload.",
    fixYaml: `containers:
  - name: app
    image: registry.example.com/team/app:1.42@sha256:<digest>`,
    references: [ref.updating, ref.distribution],
    defaults: { production: "medium", development: "low" },
    severityWhy:
      "Medium in production: nothing is broken yet and the new content may be the intended release, but which pods get it is left to scheduling. Low in development, where moving tags are expected.",
    needsRuntime: true,
    inputs: ["pods"],
    lifecycle: runtimeLifecycle(
      "at the first snapshot after the registry prober found the tag resolving to a digest no pod of the workload runs; opened when the registry first answered that digest",
    ),
    hasData: (ctx) =>
      ctx.facts.registryAnswer?.outcome === "resolved" &&
      (ctx.facts.runtime?.running ?? []).some((r) => r.digest !== null),
    check(ctx) {
      const a = ctx.facts.registryAnswer;
      if (!a?.digest || ctx.reference?.digest || ctx.facts.imagePullPolicy === "Never") return null;
      const running = (ctx.facts.runtime?.running ?? []).filter((r) => r.digest !== null);
      if (!running.length || running.some((r) => r.digest === a.digest)) return null;
      return {
        message: `${ctx.facts.image} now resolves to ${a.digest.slice(0, 19)}… in the registry, but its pods run ${[...new Set(running.map((r) => (r.digest ?? "").slice(0, 19)))].join(", ")}…: the next pull gets a different image.`,
        evidence: {
          ...baseEvidence(ctx),
          registry: ctx.registry,
          registryDigest: a.digest,
          runningDigests: running.map((r) => ({ digest: r.digest, nodes: r.nodes, pods: r.pods })),
          registryAnswer: registryAnswerEvidence(a),
          pods: running.reduce((n, r) => n + r.pods, 0),
          nodes: [...new Set(running.flatMap((r) => r.nodes))].sort().slice(0, MAX_FAILING_INSTANCES),
        },
        since: { at: a.since, from: "registry" },
      };
    },
  },
  {
    id: "PS021",
    slug: "always-drives-registry-pulls",
    title: "Always causes most registry pulls on its nodes",
    category: "latency",
    why: "With `Always` the kubelet asks the registry on every container start, even when the node holds the image. Where those requests are most of what the nodes send to the registry, every restart and scale-up waits on the registry and spends its rate limit for nothing the node's cache could not answer; since Kubernetes 1.35 (KEP-2535) the kubelet checks a pod's credentials for cached images itself, so `Always` is no longer needed for that.",
    action: "Pin {image} and pull it IfNotPresent",
    fix: "Pin the image by digest or full version and use `IfNotPresent`; on kubelets with KubeletEnsureSecretPulledImages (1.35+) private images stay protected, as the kubelet re-checks credentials for images it pulled.",
    fixYaml: `containers:
  - name: app
    image: registry.example.com/team/app:1.42.3@sha256:<digest>
    imagePullPolicy: IfNotPresent`,
    references: [ref.kubeletMetrics, ref.pullPolicy, ref.kep2535, ref.hubLimits],
    defaults: { production: "low", development: "info" },
    severityWhy:
      "Low in production: wasted registry requests and slower starts, not an outage, and quiet where `Always` is what keeps a private image's credentials checked (nodes that do not verify cached images). Info in development. Polaris' pullPolicyNotAlways recommends the opposite for the credential reason KEP-2535 now covers.",
    needsRuntime: true,
    inputs: ["pods", "kubeletMetrics"],
    // Where Always dominates a node pool's registry traffic it does so through most Always containers.
    grouped: true,
    lifecycle: runtimeLifecycle(
      "at the first snapshot in which Always caused more than alwaysPullShare of the registry pulls its nodes' kubelets counted since the start of the previous UTC day",
    ),
    hasData: (ctx) => (ctx.facts.nodePulls?.measured ?? 0) > 0,
    check(ctx) {
      const n = ctx.facts.nodePulls;
      if (ctx.facts.imagePullPolicy !== "Always" || !n || n.pulled < ctx.settings.minPullsForStats)
        return null;
      const share = n.pulledByAlways / n.pulled;
      if (share <= ctx.settings.alwaysPullShare) return null;
      // Where a node serves cached images without checking credentials, Always is the check (PS014).
      const unverified = ctx.facts.sharedNodeVerification?.never ?? 0;
      if (ctx.visibility !== "public" && unverified > 0) return null;
      return {
        message: `${ctx.facts.image} is pulled on every start (Always); on the ${n.measured === 1 ? "node" : `${n.measured} nodes`} running it, Always caused ${Math.round(share * 100)}% of the ${n.pulled} registry pulls since ${n.since.slice(0, 10)} (kubelet metrics), while ${n.measured === 1 ? "its" : "their"} cache${n.measured === 1 ? "" : "s"} answered ${n.cached} requests.`,
        evidence: {
          ...baseEvidence(ctx),
          registry: ctx.registry,
          nodePulls: n,
          alwaysShare: share,
        },
      };
    },
  },
];

export const RULES_BY_ID: ReadonlyMap<string, RuleDefinition> = new Map(RULES.map((r) => [r.id, r]));

/** Rules whose findings referencing the image by digest resolves, all at once. */
export const DIGEST_PIN_RULE_IDS: readonly string[] = RULES.filter((r) => r.resolvedByDigest).map(
  (r) => r.id,
);

/** The remedy that pins by digest: one change for every rule of DIGEST_PIN_RULE_IDS. */
export const DIGEST_PIN = "pin-digest";

/**
 * The change that resolves a rule's findings on an image, in words (`{image}` filled in); for
 * DIGEST_PIN, the one change that resolves every digest-pin rule.
 */
export function ruleAction(remedy: string, image: string | null): string {
  const text =
    remedy === DIGEST_PIN
      ? "Pin {image} by digest"
      : (RULES_BY_ID.get(remedy)?.action ?? `Resolve ${remedy} on {image}`);
  return text.replace("{image}", image ? `\`${image}\`` : "its images");
}

/** Rules whose finding says a tag moved: several digests run under one tag (PS010), the registry moved it (PS020). */
export const TAG_MOVE_RULES: readonly string[] = ["PS010", "PS020"];

/** Rules that fire on most containers: views count them per scope and list their rows on demand. */
export const GROUPED_RULE_IDS: readonly string[] = RULES.filter((r) => r.grouped).map((r) => r.id);

/** How many namespaces a view lists for the grouped rules (the rest are counted, not listed). */
export const FINDING_GROUPS_SHOWN = 25;

/** Changes whenever a rule is added, removed or its defaults change; exports record it. */
export const RULES_VERSION = "2026.12.6";
