// @pullsight/core: pure domain logic for image-pull posture. No I/O, no framework.
export { InvalidImageReferenceError } from "./errors.ts";
export { classifyPullFailure, FAILURE_CAUSES, type FailureCause } from "./failure-cause.ts";
export { parseGoDuration, parseGoDurationNs } from "./go-duration.ts";
export { parseImageID } from "./image-id.ts";
export {
  DEFAULT_DOMAIN,
  familiarName,
  type ImageReference,
  parseImageReference,
  tryParseImageReference,
} from "./image-reference.ts";
export {
  findContainer,
  type PolicySource,
  type PolicySourceKind,
  podSpecPath,
  policySource,
} from "./policy-source.ts";
export { PULL_EVENT_REASONS, type PullEventFacts, parsePullEvent } from "./pull-event.ts";
export { defaultPullPolicy, isPullPolicy, PULL_POLICIES, type PullPolicy } from "./pull-policy.ts";
export {
  DEFAULT_PUBLIC_REGISTRIES,
  type RegistryVisibility,
  registryMatches,
  registryVisibility,
} from "./registry.ts";
export { RULES, RULES_BY_ID, RULES_VERSION } from "./rules/catalog.ts";
export { renderRuleCatalog } from "./rules/catalog-markdown.ts";
export {
  assessContainer,
  buildRuleContext,
  evaluateContainer,
  findingFingerprint,
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
  PullSecretRef,
  PullStats,
  RegistryHealth,
  RuleContext,
  RuleDefinition,
  RuleHit,
  RuleLevel,
  RuleResult,
  RuleSettings,
  RuntimeFacts,
  Severity,
} from "./rules/types.ts";
export { SEVERITIES, severityRank } from "./rules/types.ts";
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
  isMovingTagKind,
  TAG_KINDS,
  type TagKind,
  tagKindOf,
} from "./tag-kind.ts";
export { unstorableText } from "./text.ts";
