import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { RULES } from "./catalog.ts";
import { assessContainer, EXCLUSIVE_RULE_PAIRS, evaluateContainer } from "./evaluate.ts";
import { DIGEST, development, everything, facts, ids, production, registryAnswer } from "./fixtures.ts";
import type { ContainerFacts, RuntimeFacts } from "./types.ts";

const fires = (id: string, f: ContainerFacts) =>
  assert.ok(ids(f).includes(id), `${id} should fire: ${ids(f).join(",")}`);
const quiet = (id: string, f: ContainerFacts) => assert.ok(!ids(f).includes(id), `${id} should not fire`);

describe("rules", () => {
  it("a well-pinned private image with a pull secret raises nothing but the digest reminder", () => {
    assert.deepEqual(ids(facts()), ["PS005"]);
    assert.deepEqual(ids(facts({ image: `registry.acme.internal/team/api:1.4.2@${DIGEST}` })), []);
  });

  it("PS001 mutable reference: latest, untagged, mutable names; not versions or digests", () => {
    for (const image of ["nginx", "nginx:latest", "ghcr.io/org/app:main", "app:stable"])
      fires("PS001", facts({ image }));
    for (const image of ["nginx:1.27.3", "nginx:1.27", `nginx:latest@${DIGEST}`])
      quiet("PS001", facts({ image }));
  });

  it("PS002 stale cache: moving tag with IfNotPresent; Always or a digest is fine", () => {
    fires("PS002", facts({ image: "app:latest", imagePullPolicy: "IfNotPresent" }));
    fires("PS002", facts({ image: "app:alpine", imagePullPolicy: "IfNotPresent" }));
    // Floating versions have their own, lower rule unless the profile judges them like `latest`.
    quiet("PS002", facts({ image: "app:1.27", imagePullPolicy: "IfNotPresent" }));
    quiet("PS002", facts({ image: "app:latest", imagePullPolicy: "Always" }));
    quiet("PS002", facts({ image: "app:1.27.3", imagePullPolicy: "IfNotPresent" }));
    // A digest-pinned image is never flagged for its pull policy.
    quiet("PS002", facts({ image: `app:latest@${DIGEST}`, imagePullPolicy: "IfNotPresent" }));
    quiet("PS003", facts({ image: `app:latest@${DIGEST}`, imagePullPolicy: "Never" }));
    const floating = { ...everything, settings: { ...everything.settings, floatingIsMutable: true } };
    const floatingIds = evaluateContainer(facts({ image: "app:1.27" }), floating).map((r) => r.ruleId);
    assert.ok(floatingIds.includes("PS002") && !floatingIds.includes("PS016"), floatingIds.join());
  });

  it("PS016 floating version cached, at a lower severity of its own", () => {
    fires("PS016", facts({ image: "redis:7.2", imagePullPolicy: "IfNotPresent" }));
    fires("PS016", facts({ image: "node:20-alpine", imagePullPolicy: "Never" }));
    quiet("PS016", facts({ image: "redis:7.2", imagePullPolicy: "Always" }));
    quiet("PS016", facts({ image: "redis:7.2.5", imagePullPolicy: "IfNotPresent" }));
    const f = facts({ image: "redis:7.2", imagePullPolicy: "IfNotPresent" });
    const severity = (id: string) => evaluateContainer(f, production).find((r) => r.ruleId === id)?.severity;
    assert.equal(severity("PS016"), "low");
    assert.equal(severity("PS002"), undefined);
  });

  it("PS017 full version only where the profile says the registry lets tags be overwritten", () => {
    const f = facts({ image: "registry.acme.internal/team/api:1.4.2", imagePullPolicy: "IfNotPresent" });
    quiet("PS017", f);
    const declared = {
      ...everything,
      settings: { ...everything.settings, overwritableTagRegistries: ["registry.acme.internal"] },
    };
    assert.ok(evaluateContainer(f, declared).some((r) => r.ruleId === "PS017"));
    const pinned = facts({ image: `registry.acme.internal/team/api:1.4.2@${DIGEST}` });
    assert.ok(!evaluateContainer(pinned, declared).some((r) => r.ruleId === "PS017"));
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
    assert.match(result?.message ?? "", /from pod status/);
  });

  it("PS009: the status's cause first, the events' where the status names none, and which", () => {
    const waiting = (w: Partial<RuntimeFacts["waiting"][number]>) =>
      facts({
        image: "registry.example.com/app:1",
        runtime: {
          running: [],
          waiting: [{ reason: "ImagePullBackOff", message: 'Back-off pulling image "x"', pods: 1, ...w }],
        },
      });
    const ps009 = (f: ContainerFacts, s = everything) =>
      evaluateContainer(f, s).find((r) => r.ruleId === "PS009");
    const fromEvents = ps009(waiting({ cause: "not-found", causeSource: "events" }));
    assert.deepEqual(fromEvents?.evidence.causeSources, [{ cause: "not-found", source: "events", pods: 1 }]);
    assert.match(fromEvents?.message ?? "", /cause: not-found, from kubelet events/);
    const unknown = ps009(waiting({}));
    assert.deepEqual(unknown?.evidence.causes, ["unknown"]);
    assert.match(unknown?.message ?? "", /nowhere yet/);
    for (const reason of ["RegistryUnavailable", "SignatureValidationFailed", "ImageInspectError"])
      assert.ok(ps009(waiting({ reason, message: "" })), reason);
    // A node credential provider serves the registry: a 401 is that provider's failure.
    const settings = { ...everything.settings, nodeCredentialRegistries: ["registry.example.com"] };
    const provided = { ...everything, settings };
    const refused = ps009(
      waiting({ message: 'Back-off pulling image "x": ErrImagePull: 401 Unauthorized' }),
      provided,
    );
    assert.deepEqual(refused?.evidence.causes, ["credential-provider"]);
    assert.equal(refused?.evidence.nodeCredentialProvider, true);
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
    assert.deepEqual(unevaluated.sort(), [
      "PS004",
      "PS006",
      "PS009",
      "PS010",
      "PS013",
      "PS014",
      "PS019",
      "PS020",
      "PS021",
    ]);
    assert.ok(!results.some((r) => unevaluated.includes(r.ruleId)));
    const read = facts({
      imagePullPolicy: "Always",
      runtime: { running: [{ digest: DIGEST, nodes: ["n1"], pods: 1 }], waiting: [] },
      registryHealth: { pulls: 100, failures: 0, failuresByCause: {}, p95Seconds: 1 },
      pulls: { pulls: 100, p50Seconds: 1, p95Seconds: 1, failures: 0, failuresByCause: {} },
      sharedNodes: false,
      registryAnswer: registryAnswer(),
      nodePulls: {
        nodes: 1,
        measured: 1,
        since: "2026-12-02T00:00:00.000Z",
        cached: 9,
        pulled: 3,
        pulledByAlways: 1,
      },
    });
    assert.deepEqual(assessContainer(read, everything).unevaluated, []);
    // Spec rules always have their inputs; rules a profile turns off are not listed.
    assert.deepEqual(assessContainer(bare, development).unevaluated.includes("PS014"), false);
  });

  it("PS007 private image without a pull secret; public images and node credentials are fine", () => {
    fires("PS007", facts({ pullSecrets: [] }));
    quiet("PS007", facts({ pullSecrets: [], image: "registry.istio.io/release/pilot:1.24.1" }));
    quiet("PS007", facts({ pullSecrets: [], image: "registry.example.com/team/api:1.0.0" }));
    quiet("PS007", facts({ pullSecrets: [], image: "nginx:1.27.3" }));
    quiet(
      "PS007",
      facts({ pullSecrets: [], image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.0.0" }),
    );
  });

  it("PS018 unknown visibility without a pull secret says how to declare the registry", () => {
    const unknown = facts({ pullSecrets: [], image: "registry.example.com/team/api:1.0.0" });
    const r = evaluateContainer(unknown, production).find((x) => x.ruleId === "PS018");
    assert.equal(r?.severity, "low");
    assert.match(r?.message ?? "", /publicRegistries or privateRegistries/);
    quiet("PS018", facts({ image: "registry.example.com/team/api:1.0.0" }));
    quiet("PS018", facts({ pullSecrets: [] }));
    const declared = {
      ...everything,
      settings: { ...everything.settings, privateRegistries: ["registry.example.com"] },
    };
    const ids = evaluateContainer(unknown, declared).map((x) => x.ruleId);
    assert.ok(ids.includes("PS007") && !ids.includes("PS018"), ids.join());
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
    // Harmless is not said of a policy another rule calls risky, even where that rule is off.
    const risky = facts({
      image: "redis:alpine",
      policySource: { source: "explicit", evidence: "" },
      imagePullPolicy: "IfNotPresent",
    });
    quiet("PS011", risky);
    const ps002Off = { ...production, levels: { ...production.levels, PS002: "off" as const } };
    assert.ok(!evaluateContainer(risky, ps002Off).some((r) => r.ruleId === "PS011"));
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
      assert.ok(r.severityWhy.length > 40, `${r.id} states why its severities are what they are`);
      assert.equal(r.needsRuntime, r.inputs.includes("pods") || r.inputs.includes("pullEvents"), r.id);
      for (const id of r.quietWhen ?? [])
        assert.ok(
          RULES.some((o) => o.id === id),
          `${r.id}: ${id}`,
        );
    }
  });
});

describe("rules that may not fire together", () => {
  const image = fc.constantFrom(
    "nginx",
    "nginx:latest",
    "redis:alpine",
    "redis:7.2",
    "redis:7.2.5",
    "app:main-latest",
    "registry.acme.internal/team/api:1.4.2",
    "registry.example.com/team/api:main",
    `nginx:1.27.3@${DIGEST}`,
    "Not/Valid",
  );
  const containerFacts = fc.record({
    image,
    imagePullPolicy: fc.constantFrom("Always", "IfNotPresent", "Never" as const),
    source: fc.constantFrom("explicit", "defaulted", "unknown" as const),
    secrets: fc.boolean(),
    sharedNodes: fc.constantFrom(true, false, null),
    registryFailures: fc.nat(50),
  });

  it("declares the contradictions the catalogue names", () => {
    const pairs = EXCLUSIVE_RULE_PAIRS.map(([a, b]) => `${a}/${b}`);
    for (const pair of ["PS011/PS002", "PS011/PS003", "PS011/PS016"]) assert.ok(pairs.includes(pair), pair);
  });

  it("no container carries both rules of an exclusive pair, under any profile", () => {
    fc.assert(
      fc.property(containerFacts, fc.constantFrom(everything, production, development), (g, profile) => {
        const f = facts({
          image: g.image,
          imagePullPolicy: g.imagePullPolicy,
          policySource: { source: g.source, evidence: "" },
          pullSecrets: g.secrets ? [{ name: "regcred", source: "pod", exists: true }] : [],
          sharedNodes: g.sharedNodes,
          runtime: { running: [{ digest: DIGEST, nodes: ["n1"], pods: 1 }], waiting: [] },
          registryHealth: {
            pulls: 50,
            failures: g.registryFailures,
            failuresByCause: { timeout: g.registryFailures },
            p95Seconds: 2,
          },
        });
        const fired = new Set(evaluateContainer(f, profile).map((r) => r.ruleId));
        for (const [a, b] of EXCLUSIVE_RULE_PAIRS)
          assert.ok(!(fired.has(a) && fired.has(b)), `${a} with ${b}`);
      }),
      { numRuns: 500 },
    );
  });
});
