import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateContainer } from "./evaluate.ts";
import {
  DEFAULT_PROFILES,
  globMatches,
  InvalidProfilesError,
  parseProfiles,
  profileNameFor,
  profilesJsonSchema,
  resolveProfile,
} from "./profiles.ts";
import { complianceScore, gradeFor, isCompliant } from "./score.ts";
import type { ContainerFacts } from "./types.ts";

const YAML = `
apiVersion: pullsight.dev/v1
kind: Profiles
profiles:
  - name: payments
    extends: production
    description: PCI scope
    rules:
      PS005: high
      PS011: off
    settings:
      pullLatencyBudgetSeconds: 10
assignments:
  - profile: payments
    clusters: { names: ["prod-*"] }
    namespaces: { labels: { team: payments } }
  - profile: development
    namespaces: { names: ["dev-*", "*-sandbox"] }
defaultProfile: production
`;

describe("profiles", () => {
  it("parses, extends and assigns", () => {
    const file = parseProfiles(YAML);
    const payments = resolveProfile(file, "payments");
    assert.equal(payments.levels.PS005, "high");
    assert.equal(payments.levels.PS011, "off");
    assert.equal(payments.levels.PS001, "high"); // inherited from production
    assert.equal(payments.settings.pullLatencyBudgetSeconds, 10);
    assert.equal(payments.settings.minPullsForStats, 5);
    assert.equal(
      profileNameFor(file, { name: "prod-eu" }, { name: "checkout", labels: { team: "payments" } }),
      "payments",
    );
    assert.equal(
      profileNameFor(file, { name: "stage" }, { name: "checkout", labels: { team: "payments" } }),
      "production",
    );
    assert.equal(profileNameFor(file, { name: "prod-eu" }, { name: "dev-alice" }), "development");
    assert.equal(profileNameFor(file, { name: "prod-eu" }, { name: "ml-sandbox" }), "development");
  });

  it("rejects unknown rules, profiles and fields with the path in the message", () => {
    assert.throws(
      () =>
        parseProfiles(
          "apiVersion: pullsight.dev/v1\nkind: Profiles\nprofiles:\n  - name: x\n    rules: { PS999: high }\n",
        ),
      /PS999/,
    );
    assert.throws(
      () => parseProfiles("apiVersion: pullsight.dev/v1\nkind: Profiles\nassignments:\n  - profile: nope\n"),
      /unknown profile nope/,
    );
    assert.throws(
      () => parseProfiles("apiVersion: pullsight.dev/v1\nkind: Profiles\nsurprise: 1\n"),
      InvalidProfilesError,
    );
    assert.throws(() => parseProfiles("a: [unclosed"), /not valid YAML/);
    assert.throws(
      () =>
        parseProfiles(
          "apiVersion: pullsight.dev/v1\nkind: Profiles\nprofiles:\n  - name: x\n    rules: { PS001: severe }\n",
        ),
      InvalidProfilesError,
    );
  });

  it("declares registries and tag words per profile, and the rules judge by them", () => {
    const file = parseProfiles(`
apiVersion: pullsight.dev/v1
kind: Profiles
profiles:
  - name: corp
    settings:
      privateRegistries: [harbor.corp.example, ghcr.io/acme]
      publicRegistries: [cr.example.org]
      variantTags: [wolfi]
      overwritableTagRegistries: [harbor.corp.example]
defaultProfile: corp
`);
    const corp = resolveProfile(file, "corp");
    const ids = (image: string, pullSecrets: ContainerFacts["pullSecrets"] = []) =>
      evaluateContainer(
        {
          subject: {
            cluster: "c",
            namespace: "n",
            kind: "Deployment",
            name: "w",
            container: "app",
            containerType: "container",
          },
          image,
          imagePullPolicy: "IfNotPresent",
          policySource: { source: "defaulted", evidence: "" },
          pullSecrets,
        },
        corp,
      ).map((r) => r.ruleId);
    assert.ok(ids("harbor.corp.example/team/api:1.2.3").includes("PS007"));
    assert.ok(ids("harbor.corp.example/team/api:1.2.3").includes("PS017"));
    assert.ok(!ids("cr.example.org/tool:1.2.3").some((id) => id === "PS007" || id === "PS018"));
    assert.ok(ids("other.example.net/tool:1.2.3").includes("PS018"));
    assert.ok(ids("cr.example.org/tool:wolfi").includes("PS001"));
    // Declared registries add to the built-in lists: Docker Hub is still public, and a more
    // specific pattern overrides a built-in one (ghcr.io is public, ghcr.io/acme private).
    assert.ok(!ids("nginx:1.27.3").some((id) => id === "PS007" || id === "PS018"));
    assert.ok(ids("ghcr.io/acme/api:1.0.0").includes("PS007"));
    assert.ok(!ids("ghcr.io/other/api:1.0.0").includes("PS007"));
  });

  it("defaults: env=dev namespaces are development, everything else production", () => {
    assert.equal(
      profileNameFor(DEFAULT_PROFILES, { name: "c" }, { name: "n", labels: { env: "dev" } }),
      "development",
    );
    assert.equal(profileNameFor(DEFAULT_PROFILES, { name: "c" }, { name: "n" }), "production");
  });

  it("publishes a JSON Schema for editors", () => {
    const schema = profilesJsonSchema();
    assert.equal(
      (schema.properties as Record<string, { const?: string }>).apiVersion?.const,
      "pullsight.dev/v1",
    );
  });

  it("globs match with * only", () => {
    assert.ok(globMatches("prod-*", "prod-eu-1"));
    assert.ok(globMatches("*-sandbox", "ml-sandbox"));
    assert.ok(globMatches("a*b*c", "a-b-c"));
    assert.ok(!globMatches("a*b*c", "a-c-b"));
    assert.ok(globMatches("exact", "exact") && !globMatches("exact", "exactly"));
    assert.ok(!globMatches("ab*ba", "aba"));
  });
});

describe("scores", () => {
  it("a container is compliant unless an unwaived finding reaches medium", () => {
    assert.ok(isCompliant([]));
    assert.ok(isCompliant([{ severity: "low" }, { severity: "info" }]));
    assert.ok(!isCompliant([{ severity: "medium" }]));
    assert.ok(isCompliant([{ severity: "critical", waived: true }]));
  });

  it("score is the compliant percentage, grade follows", () => {
    assert.equal(complianceScore(0, 0), null);
    assert.equal(complianceScore(2, 3), 66.7);
    assert.equal(complianceScore(9, 10), 90);
    assert.deepEqual([95, 90, 89.9, 80, 70, 60, 59.9, 0].map(gradeFor), [
      "A",
      "A",
      "B",
      "B",
      "C",
      "D",
      "F",
      "F",
    ]);
    assert.equal(gradeFor(null), null);
  });
});
