import { InvalidImageReferenceError } from "../errors.ts";
import { type ImageReference, parseImageReference, referenceRulesFor } from "../image-reference.ts";
import { registryVisibility } from "../registry.ts";
import { tagKindOf } from "../tag-kind.ts";
import { RULES } from "./catalog.ts";
import type { ResolvedProfile } from "./profiles.ts";
import type {
  ContainerFacts,
  ContainerSubject,
  PullStats,
  RegistryHealth,
  RuleContext,
  RuleHit,
  RuleResult,
  RuleSettings,
  Severity,
} from "./types.ts";
import { SEVERITIES, severityRank } from "./types.ts";

/** Stable identity of a rule on a container across snapshots (what findings and waivers key on). */
export function findingFingerprint(subject: ContainerSubject, ruleId: string): string {
  return [subject.cluster, subject.namespace, subject.kind, subject.name, subject.container, ruleId].join(
    "/",
  );
}

/** A registry's health as the rules read it: its pull statistics without the median. */
export function registryHealthOf(stats: PullStats): RegistryHealth {
  return {
    pulls: stats.pulls,
    failures: stats.failures,
    failuresByCause: stats.failuresByCause,
    p95Seconds: stats.p95Seconds,
  };
}

/** Derives reference, tag kind, registry and visibility once for all rules. */
export function buildRuleContext(facts: ContainerFacts, settings: RuleSettings): RuleContext {
  let reference: ImageReference | null = null;
  let invalidReason: string | null = null;
  try {
    reference = parseImageReference(facts.image, referenceRulesFor(facts.kubernetesVersion));
  } catch (error) {
    if (!(error instanceof InvalidImageReferenceError)) throw error;
    invalidReason = error.reason;
  }
  return {
    facts,
    reference,
    invalidReason,
    tagKind: tagKindOf(reference, settings),
    registry: reference ? reference.domain || "docker.io" : "invalid",
    visibility: reference ? registryVisibility(reference, settings) : "unknown",
    settings,
  };
}

/** Runs every rule the profile enables on one container. */
export function evaluateContainer(facts: ContainerFacts, profile: ResolvedProfile): RuleResult[] {
  return assessContainer(facts, profile).results;
}

/**
 * Runs every rule the profile enables on one container, and names those whose inputs are not
 * there (no pods to read, too few pulls for statistics): they cannot say their condition is
 * absent, so a finding of theirs is held rather than cleared. A rule is not raised where a rule
 * it contradicts fires (`quietWhen`), whether or not the profile reports that one.
 */
export function assessContainer(
  facts: ContainerFacts,
  profile: ResolvedProfile,
): { results: RuleResult[]; unevaluated: string[] } {
  const ctx = buildRuleContext(facts, profile.settings);
  const hits = new Map<string, RuleHit>();
  const unevaluated: string[] = [];
  const enabled = (id: string) => (profile.levels[id] ?? "off") !== "off";
  for (const rule of RULES) {
    if (!enabled(rule.id) && !QUIETING.has(rule.id)) continue;
    if (rule.hasData && !rule.hasData(ctx)) {
      if (enabled(rule.id)) unevaluated.push(rule.id);
      continue;
    }
    const hit = rule.check(ctx);
    if (hit) hits.set(rule.id, hit);
  }
  const results: RuleResult[] = [];
  for (const rule of RULES) {
    const hit = hits.get(rule.id);
    const level = profile.levels[rule.id] ?? "off";
    if (!hit || level === "off" || rule.quietWhen?.some((id) => hits.has(id))) continue;
    results.push({
      ruleId: rule.id,
      title: rule.title,
      severity: hit.lessSevere ? oneStepBelow(level) : level,
      subject: facts.subject,
      image: facts.image,
      fingerprint: findingFingerprint(facts.subject, rule.id),
      message: hit.message,
      evidence: hit.evidence,
      ...(hit.since ? { since: hit.since } : {}),
    });
  }
  return { results, unevaluated };
}

function oneStepBelow(level: Severity): Severity {
  return SEVERITIES[Math.max(0, severityRank(level) - 1)] as Severity;
}

/** Rules some other rule is quiet for: checked even where the profile does not report them. */
const QUIETING: ReadonlySet<string> = new Set(RULES.flatMap((r) => r.quietWhen ?? []));

/** Pairs of rules that never fire on the same container (the first is quiet where the second fires). */
export const EXCLUSIVE_RULE_PAIRS: ReadonlyArray<readonly [string, string]> = RULES.flatMap((r) =>
  (r.quietWhen ?? []).map((other) => [r.id, other] as const),
);
