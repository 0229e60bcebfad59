import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RULES } from "./catalog.ts";
import { assessContainer, evaluateContainer } from "./evaluate.ts";
import { DEFAULT_PROFILES, resolveProfile } from "./profiles.ts";
import type { ContainerFacts } from "./types.ts";

const DIGEST = `sha256:${"c".repeat(64)}`;
const production = resolveProfile(DEFAULT_PROFILES, "production");
const development = resolveProfile(DEFAULT_PROFILES, "development");
// Every rule on, at its production severity, to test checks in isolation from defaults.
const everything = { ...production, levels: Object.fromEntries(RULES.map((r) => [r.id, "medium" as const])) };

function facts(overrides: Partial<ContainerFacts> = {}): ContainerFacts {
  return {
    subject: {
      cluster: "prod-eu",
      namespace: "shop",
      kind: "Deployment",
      name: "api",
      container: "app",
      containerType: "container",
    },
    image: "registry.example.com/team/api:1.4.2",
    imagePullPolicy: "IfNotPresent",
    policySource: { source: "defaulted", evidence: "test" },
    pullSecrets: [{ name: "regcred", source: "serviceAccount", exists: true }],
    ...overrides,
  };
}
const ids = (f: ContainerFacts, profile = everything) => evaluateContainer(f, profile).map((r) => r.ruleId);
const fires = (id: string, f: ContainerFacts) =>
  assert.ok(ids(f).includes(id), `${id} should fire: ${ids(f).join(",")}`);
const quiet = (id: string, f: ContainerFacts) => assert.ok(!ids(f).includes(id), `${id} should not fire`);

describe("rules", () => {
  it("a well-pinned private image with a pull secret raises nothing but the digest reminder", () => {
    assert.deepEqual(ids(facts()), ["PS005"]);
    assert.deepEqual(ids(facts({ image: `registry.example.com/team/api:1.4.2@${DIGEST}` })), []);
  });

  it("PS001 mutable reference: latest, untagged, mutable names; not versions or digests", () => {
    for (const image of ["nginx", "nginx:latest", "ghcr.io/org/app:main", "app:stable"])
      fires("PS001", facts({ image }));
    for (const image of ["nginx:1.27.3", "nginx:1.27", `nginx:latest@${DIGEST}`])
      quiet("PS001", facts({ image }));
  });

  it("PS002 stale cache: moving tag with IfNotPresent; Always or a digest is fine", () => {
    fires("PS002", facts({ image: "app:latest", imagePullPolicy: "IfNotPresent" }));
    fires("PS002", facts({ image: "app:1.27", imagePullPolicy: "IfNotPresent" }));
    quiet("PS002", facts({ image: "app:latest", imagePullPolicy: "Always" }));
    quiet("PS002", facts({ image: "app:1.27.3", imagePullPolicy: "IfNotPresent" }));
    // A digest-pinned image is never flagged for its pull policy.
    quiet("PS002", facts({ image: `app:latest@${DIGEST}`, imagePullPolicy: "IfNotPresent" }));
    quiet("PS003", facts({ image: `app:latest@${DIGEST}`, imagePullPolicy: "Never" }));
    const noFloating = { ...everything, settings: { ...everything.settings, floatingIsMutable: false } };
    assert.ok(!evaluateContainer(facts({ image: "app:1.27" }), noFloating).some((r) => r.ruleId === "PS002"));
  });

  it("PS003 Never with a moving tag", () => {
    fires("PS003", facts({ image: "agent", imagePullPolicy: "Never" }));
    quiet("PS003", facts({ image: "agent:2.8.1", imagePullPolicy: "Never" }));
  });

  it("PS004 and PS009 read waiting reasons, with causes", () => {
    const never = facts({
      runtime: {
        running: [],
        waiting: [
          {
            reason: "ErrImageNeverPull",
            message: 'Container image "a" is not present with pull policy of Never',
            pods: 2,
          },
        ],
      },
    });
    fires("PS004", never);
    quiet("PS009", never);
    const failing = facts({
      runtime: {
        running: [],
        waiting: [
          {
            reason: "ImagePullBackOff",
            message: 'Back-off pulling image "x": ErrImagePull: 401 Unauthorized',
            pods: 3,
          },
        ],
      },
    });
    const result = evaluateContainer(failing, everything).find((r) => r.ruleId === "PS009");
    assert.equal(result?.evidence.pods, 3);
    assert.deepEqual(result?.evidence.causes, ["unauthorized"]);
  });

  it("PS006 Always against an unreliable registry needs enough pulls", () => {
    const health = { pulls: 40, failures: 10, failuresByCause: { "rate-limited": 10 }, p95Seconds: 3 };
    fires("PS006", facts({ imagePullPolicy: "Always", registryHealth: health }));
    quiet("PS006", facts({ imagePullPolicy: "IfNotPresent", registryHealth: health }));
    quiet(
      "PS006",
      facts({
        imagePullPolicy: "Always",
        registryHealth: { pulls: 2, failures: 1, failuresByCause: {}, p95Seconds: 1 },
      }),
    );
    quiet(
      "PS006",
      facts({
        imagePullPolicy: "Always",
        registryHealth: { pulls: 100, failures: 0, failuresByCause: {}, p95Seconds: 2 },
      }),
    );
    fires(
      "PS006",
      facts({
        imagePullPolicy: "Always",
        registryHealth: { pulls: 100, failures: 0, failuresByCause: {}, p95Seconds: 95 },
      }),
    );
  });

  it("PS006 counts only the registry's own failures: a missing tag or credential does not make a registry unreliable", () => {
    const own = {
      pulls: 20,
      failures: 80,
      failuresByCause: { "not-found": 60, unauthorized: 20 },
      p95Seconds: 2,
    };
    quiet("PS006", facts({ imagePullPolicy: "Always", registryHealth: own }));
    const theirs = { pulls: 20, failures: 80, failuresByCause: { timeout: 50, tls: 30 }, p95Seconds: 2 };
    fires("PS006", facts({ imagePullPolicy: "Always", registryHealth: theirs }));
  });

  it("runtime rules without their inputs are unevaluated, not absent: no pods, no statistics, no placement", () => {
    const bare = facts({ imagePullPolicy: "Always", runtime: { running: [], waiting: [] } });
    const { results, unevaluated } = assessContainer(bare, everything);
    assert.deepEqual(unevaluated.sort(), ["PS004", "PS006", "PS009", "PS010", "PS013", "PS014"]);
    assert.ok(!results.some((r) => unevaluated.includes(r.ruleId)));
    const read = facts({
      imagePullPolicy: "Always",
      runtime: { running: [{ digest: DIGEST, nodes: ["n1"], pods: 1 }], waiting: [] },
      registryHealth: { pulls: 100, failures: 0, failuresByCause: {}, p95Seconds: 1 },
      pulls: { pulls: 100, p50Seconds: 1, p95Seconds: 1, failures: 0, failuresByCause: {} },
      sharedNodes: false,
    });
    assert.deepEqual(assessContainer(read, everything).unevaluated, []);
    // Spec rules always have their inputs; rules a profile turns off are not listed.
    assert.deepEqual(assessContainer(bare, development).unevaluated.includes("PS014"), false);
  });

  it("PS007 private image without a pull secret; public images and node credentials are fine", () => {
    fires("PS007", facts({ pullSecrets: [] }));
    quiet("PS007", facts({ pullSecrets: [], image: "nginx:1.27.3" }));
    quiet(
      "PS007",
      facts({ pullSecrets: [], image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.0.0" }),
    );
  });

  it("PS008 referenced secret missing, naming where it was referenced", () => {
    const r = evaluateContainer(
      facts({
        pullSecrets: [
          { name: "gone", source: "pod", exists: false },
          { name: "ok", source: "serviceAccount", exists: true },
        ],
      }),
      everything,
    ).find((x) => x.ruleId === "PS008");
    assert.match(r?.message ?? "", /gone \(pod spec\)/);
    quiet("PS008", facts({ pullSecrets: [{ name: "unknown", source: "pod", exists: null }] }));
  });

  it("PS010 tag drift: several digests for one tag, not for digest-pinned images", () => {
    const running = [
      { digest: `sha256:${"1".repeat(64)}`, nodes: ["n1"], pods: 2 },
      { digest: `sha256:${"2".repeat(64)}`, nodes: ["n2", "n3"], pods: 3 },
    ];
    fires("PS010", facts({ runtime: { running, waiting: [] } }));
    quiet("PS010", facts({ runtime: { running: [running[0] as (typeof running)[0]], waiting: [] } }));
    quiet("PS010", facts({ image: `app@${DIGEST}`, runtime: { running, waiting: [] } }));
  });

  it("PS011 explicit policy equal to the default; PS012 leftover default", () => {
    fires(
      "PS011",
      facts({ policySource: { source: "explicit", evidence: "" }, imagePullPolicy: "IfNotPresent" }),
    );
    quiet("PS011", facts({ policySource: { source: "explicit", evidence: "" }, imagePullPolicy: "Always" }));
    fires("PS012", facts({ policySource: { source: "defaulted", evidence: "" }, imagePullPolicy: "Always" }));
    quiet("PS012", facts({ policySource: { source: "unknown", evidence: "" }, imagePullPolicy: "Always" }));
  });

  it("PS013 slow pulls above the budget", () => {
    fires(
      "PS013",
      facts({ pulls: { pulls: 20, p50Seconds: 10, p95Seconds: 45, failures: 0, failuresByCause: {} } }),
    );
    quiet(
      "PS013",
      facts({ pulls: { pulls: 20, p50Seconds: 10, p95Seconds: 12, failures: 0, failuresByCause: {} } }),
    );
    quiet(
      "PS013",
      facts({ pulls: { pulls: 2, p50Seconds: 10, p95Seconds: 99, failures: 0, failuresByCause: {} } }),
    );
  });

  it("PS014 private image cached on shared nodes", () => {
    fires("PS014", facts({ sharedNodes: true }));
    quiet("PS014", facts({ sharedNodes: false }));
    quiet("PS014", facts({ sharedNodes: true, imagePullPolicy: "Always" }));
    quiet("PS014", facts({ sharedNodes: true, image: "nginx:1.27.3" }));
  });

  it("PS015 invalid reference, with distribution's reason", () => {
    const r = evaluateContainer(facts({ image: "Registry.Example.com/App:1" }), everything).find(
      (x) => x.ruleId === "PS015",
    );
    assert.match(r?.message ?? "", /must be lowercase/);
  });

  it("profiles set severity and switch rules off", () => {
    const f = facts({ image: "app:latest", imagePullPolicy: "Always" });
    assert.equal(evaluateContainer(f, production).find((r) => r.ruleId === "PS001")?.severity, "high");
    assert.equal(evaluateContainer(f, development).find((r) => r.ruleId === "PS001")?.severity, "info");
    assert.equal(
      evaluateContainer(facts(), development).find((r) => r.ruleId === "PS005"),
      undefined,
    );
  });

  it("results carry a stable fingerprint and the subject a waiver matches", () => {
    const [r] = evaluateContainer(facts({ image: "app:latest" }), production);
    assert.equal(r?.fingerprint, "prod-eu/shop/Deployment/api/app/PS001");
    assert.equal(r?.subject.namespace, "shop");
    assert.equal(r?.image, "app:latest");
  });

  it("every rule has an id, why, fix, YAML and references", () => {
    const seen = new Set<string>();
    for (const r of RULES) {
      assert.match(r.id, /^PS\d{3}$/);
      assert.ok(!seen.has(r.id), `duplicate ${r.id}`);
      seen.add(r.id);
      assert.ok(
        r.why.length > 40 && r.fix.length > 20 && r.fixYaml.length > 10 && r.references.length > 0,
        r.id,
      );
    }
  });
});
