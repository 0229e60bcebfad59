// @pullsight/core: pure domain logic for image-pull posture. No I/O, no framework.

export {
  fromProvider,
  missingTokenAnnotations,
  PULL_CREDENTIAL_SOURCE_SHORT,
  PULL_CREDENTIAL_SOURCE_WORDS,
  PULL_CREDENTIAL_SOURCES,
  type PullCredentialSource,
  pullCredentialSourcesOf,
} from "./credential-source.ts";
export {
  CREDENTIAL_VERIFICATION_POLICIES,
  type CredentialVerification,
  type CredentialVerificationPolicy,
  countVerification,
  ENSURE_SECRET_PULLED_IMAGES_GATE,
  ENSURE_SECRET_PULLED_IMAGES_MINOR,
  type NodeCredentialVerification,
  nodeCredentialVerification,
  type SharedNodeVerification,
} from "./credential-verification.ts";
export { InvalidImageReferenceError } from "./errors.ts";
export {
  type CauseSource,
  classifyPullFailure,
  FAILURE_CAUSES,
  type FailureCause,
  withCredentialProvider,
} from "./failure-cause.ts";
export { parseGoDuration, parseGoDurationNs } from "./go-duration.ts";
export {
  BUCKET_RESOLUTION,
  bucketOf,
  type Histogram,
  histogramCount,
  histogramOf,
  histogramQuantile,
  LATENCY_BUCKET_BOUNDS_MS,
  mergeHistograms,
} from "./histogram.ts";
export { parseImageID } from "./image-id.ts";
export {
  CURRENT_REFERENCE_RULES,
  DEFAULT_DOMAIN,
  familiarName,
  type ImageReference,
  parseImageReference,
  type ReferenceRules,
  referenceRulesFor,
  tryParseImageReference,
} from "./image-reference.ts";
export { atLeastMinor, kubernetesMinor } from "./kube-version.ts";
export {
  addCounters,
  bucketQuantile,
  type CounterGrowth,
  type CounterReading,
  type Counters,
  counterGrowth,
  countersOf,
  familyOf,
  type PullRequestCounts,
  pullBucketsOf,
  pullRequestsOf,
} from "./kubelet-counters.ts";
export {
  ENSURE_REQUESTS,
  type EnsureRequests,
  type EnsureSummary,
  GARBAGE_COLLECTED,
  KUBELET_PULL_BUCKETS,
  type KubeletPullMetrics,
  kubeletPullMetricsOf,
  PULL_DURATION,
  summarizeEnsure,
} from "./kubelet-metrics.ts";
export {
  evaluateManifest,
  InvalidManifestError,
  type ManifestContainer,
  type ManifestEvaluation,
  type ManifestOptions,
  manifestObjects,
} from "./manifest.ts";
export { type Notifications, notificationsSchema, type Recipient } from "./notifications.ts";
export {
  annotationsOf,
  CONTROLLER_KINDS,
  controllerOf,
  groupWorkloads,
  labelsOf,
  nodeOf,
  nodesSharedAcrossNamespaces,
  type OwnedObject,
  type WorkloadGroup,
} from "./owners.ts";
export {
  BUILTIN_POD_SPEC_PATHS,
  CONTAINER_LISTS,
  CONTAINER_TYPE_WORDS,
  CONTAINER_TYPES,
  type ContainerList,
  type ContainerType,
  type CredentialSources,
  containersOf,
  DEFAULT_CUSTOM_POD_SPEC_PATHS,
  IMAGE_VOLUME_PREFIX,
  imageVolumeKey,
  imageVolumeName,
  type PodSpecPaths,
  podSpecOf,
  pullSecretsOf,
  type SpecContainer,
  serviceAccountAnnotationsOf,
  serviceAccountOf,
  serviceAccountPullSecrets,
} from "./pod-spec.ts";
export {
  findContainer,
  type PolicySource,
  type PolicySourceKind,
  podSpecPath,
  policySource,
} from "./policy-source.ts";
export { type Family, readMetrics, type Series, sampleValue } from "./prometheus-text.ts";
export {
  PULL_EVENT_REASONS,
  PULL_FAILURE_WAITING_REASONS,
  type PullEventFacts,
  parsePullEvent,
  waitingCause,
} from "./pull-event.ts";
export { defaultPullPolicy, isPullPolicy, PULL_POLICIES, type PullPolicy } from "./pull-policy.ts";
export {
  DEFAULT_PRIVATE_REGISTRIES,
  DEFAULT_PUBLIC_REGISTRIES,
  DEFAULT_VISIBILITY_LISTS,
  REGISTRY_VISIBILITIES,
  type RegistryVisibility,
  registryMatches,
  registryVisibility,
  type VisibilityLists,
} from "./registry.ts";
export {
  AT_RISK_CAUSES,
  AT_RISK_RULES,
  type AtRiskCause,
  type Challenge,
  CONCLUSIVE_OUTCOMES,
  canonicalRegistry,
  dockerConfigCredentials,
  MANIFEST_ACCEPT,
  outcomeOfStatus,
  PROBE_OUTCOMES,
  type ProbeOutcome,
  type ProbeTarget,
  PULL_SECRET_KEYS,
  parseChallenges,
  probeTarget,
  pullSecretCredentials,
  type RegistryCredentials,
  rateLimitNumber,
  registryEndpoint,
  retryAfterAt,
  unansweredOf,
} from "./registry-probe.ts";
export { isoWeekOf, isoWeekRange, parseScopeKey, type ReviewScope, scopeKey } from "./review-scope.ts";
export {
  DIGEST_PIN,
  DIGEST_PIN_RULE_IDS,
  FINDING_GROUPS_SHOWN,
  GROUPED_RULE_IDS,
  RULES,
  RULES_BY_ID,
  RULES_VERSION,
  ruleAction,
  TAG_MOVE_RULES,
} from "./rules/catalog.ts";
export { renderRuleCatalog } from "./rules/catalog-markdown.ts";
export {
  assessContainer,
  buildRuleContext,
  EXCLUSIVE_RULE_PAIRS,
  evaluateContainer,
  findingFingerprint,
  registryHealthOf,
} from "./rules/evaluate.ts";
export {
  type FindingLifecycle,
  type LifecycleAction,
  type LifecycleStep,
  type Observation,
  RUNTIME_RESOLVE_HOURS,
  runtimeLifecycle,
  SPEC_LIFECYCLE,
  stepOpenFinding,
} from "./rules/lifecycle.ts";
export {
  BUILTIN_PROFILES,
  DEFAULT_PROFILES,
  DEFAULT_SETTINGS,
  globMatches,
  InvalidProfilesError,
  ownerFor,
  type ProfilesFile,
  parseProfiles,
  profileNameFor,
  profilesFileSchema,
  profilesJsonSchema,
  type ResolvedProfile,
  resolveProfile,
} from "./rules/profiles.ts";
export {
  COMPLIANCE_THRESHOLD,
  complianceScore,
  GRADE_FLOORS,
  type Grade,
  gradeFor,
  isCompliant,
} from "./rules/score.ts";
export type {
  ConditionSince,
  ContainerFacts,
  ContainerSubject,
  FindingStatus,
  NodePullFacts,
  PullSecretRef,
  PullStats,
  RegistryAnswerFacts,
  RegistryHealth,
  RuleContext,
  RuleDefinition,
  RuleHit,
  RuleInput,
  RuleLevel,
  RuleResult,
  RuleSettings,
  RuntimeFacts,
  Severity,
} from "./rules/types.ts";
export {
  FINDING_STATUSES,
  RULE_INPUTS,
  RULE_LEVELS,
  SEVERITIES,
  SEVERITIES_MOST_SEVERE_FIRST,
  SEVERITY_WEIGHTS,
  severityRank,
} from "./rules/types.ts";
export {
  globToLike,
  isWaiverActive,
  type WaiverScope,
  type WaiverTerm,
  waiverMatches,
} from "./rules/waivers.ts";
export {
  classifyImage,
  classifyTag,
  DEFAULT_MUTABLE_TAGS,
  DEFAULT_TAG_VOCABULARY,
  DEFAULT_VARIANT_TAGS,
  isMovingTagKind,
  TAG_KINDS,
  type TagKind,
  type TagVocabulary,
  tagKindOf,
  tagWords,
} from "./tag-kind.ts";
export {
  DEFAULT_OWNER_KEYS,
  normalizeTeam,
  type OwnerSource,
  type Ownership,
  ownerFromMetadata,
  ownerLabel,
  teamOfScope,
  UNOWNED,
} from "./teams.ts";
export { unstorableText } from "./text.ts";
