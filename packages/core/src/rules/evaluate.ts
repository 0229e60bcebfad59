import { InvalidImageReferenceError } from "../errors.ts";
import { type ImageReference, parseImageReference } from "../image-reference.ts";
import { registryVisibility } from "../registry.ts";
import { tagKindOf } from "../tag-kind.ts";
import { RULES } from "./catalog.ts";
import type { ResolvedProfile } from "./profiles.ts";
import type { ContainerFacts, ContainerSubject, RuleContext, RuleResult, RuleSettings } from "./types.ts";

/** Stable identity of a rule on a container across snapshots (what findings and waivers key on). */
export function findingFingerprint(subject: ContainerSubject, ruleId: string): string {
  return [subject.cluster, subject.namespace, subject.kind, subject.name, subject.container, ruleId].join(
    "/",
  );
}

/** Derives reference, tag kind, registry and visibility once for all rules. */
export function buildRuleContext(facts: ContainerFacts, settings: RuleSettings): RuleContext {
  let reference: ImageReference | null = null;
  let invalidReason: string | null = null;
  try {
    reference = parseImageReference(facts.image);
  } catch (error) {
    if (!(error instanceof InvalidImageReferenceError)) throw error;
    invalidReason = error.reason;
  }
  return {
    facts,
    reference,
    invalidReason,
    tagKind: tagKindOf(reference, settings.mutableTags),
    registry: reference ? reference.domain || "docker.io" : "invalid",
    visibility: reference ? registryVisibility(reference, settings.publicRegistries) : "private",
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
 * absent, so a finding of theirs is held rather than cleared.
 */
export function assessContainer(
  facts: ContainerFacts,
  profile: ResolvedProfile,
): { results: RuleResult[]; unevaluated: string[] } {
  const ctx = buildRuleContext(facts, profile.settings);
  const results: RuleResult[] = [];
  const unevaluated: string[] = [];
  for (const rule of RULES) {
    const level = profile.levels[rule.id] ?? "off";
    if (level === "off") continue;
    if (rule.hasData && !rule.hasData(ctx)) {
      unevaluated.push(rule.id);
      continue;
    }
    const hit = rule.check(ctx);
    if (!hit) continue;
    results.push({
      ruleId: rule.id,
      title: rule.title,
      severity: level,
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
