// What the rule tests share: a container's facts with overrides, the built-in profiles, and every
// rule on at one level (checks in isolation from defaults). Pure data: no assertions here.
import { RULES } from "./catalog.ts";
import { evaluateContainer } from "./evaluate.ts";
import { DEFAULT_PROFILES, resolveProfile } from "./profiles.ts";
import type { ContainerFacts, RegistryAnswerFacts } from "./types.ts";

export const DIGEST = `sha256:${"c".repeat(64)}`;
export const production = resolveProfile(DEFAULT_PROFILES, "production");
export const development = resolveProfile(DEFAULT_PROFILES, "development");
export const everything = {
  ...production,
  levels: Object.fromEntries(RULES.map((r) => [r.id, "medium" as const])),
};

export function facts(overrides: Partial<ContainerFacts> = {}): ContainerFacts {
  return {
    subject: {
      cluster: "prod-eu",
      namespace: "shop",
      kind: "Deployment",
      name: "api",
      container: "app",
      containerType: "container",
    },
    image: "registry.acme.internal/team/api:1.4.2",
    imagePullPolicy: "IfNotPresent",
    policySource: { source: "defaulted", evidence: "test" },
    pullSecrets: [{ name: "regcred", source: "serviceAccount", exists: true }],
    ...overrides,
  };
}

/** The ids of the rules that fire on these facts. */
export const ids = (f: ContainerFacts, profile = everything) =>
  evaluateContainer(f, profile).map((r) => r.ruleId);

/** A registry's answer for the reference: resolved to DIGEST unless overridden. */
export const registryAnswer = (over: Partial<RegistryAnswerFacts> = {}): RegistryAnswerFacts => ({
  outcome: "resolved",
  httpStatus: 200,
  digest: DIGEST,
  detail: null,
  credentialed: false,
  probedAt: "2026-12-03T08:00:00.000Z",
  since: "2026-12-02T06:00:00.000Z",
  ...over,
});
