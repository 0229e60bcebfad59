import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateManifest, InvalidManifestError } from "./manifest.ts";
import { parseProfiles } from "./rules/profiles.ts";

const deployment = (name: string, containers: string, extra = "") => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}${extra} }
spec:
  template:
    spec:
      containers:
${containers}`;

describe("evaluateManifest", () => {
  it("defaults the pull policy as the API server does and says it was defaulted", () => {
    const { containers } = evaluateManifest(
      deployment(
        "a",
        "        - { name: app, image: nginx }\n        - { name: side, image: nginx:1.27.3 }\n        - { name: set, image: nginx:1.27.3, imagePullPolicy: Always }",
      ),
    );
    const by = new Map(containers.map((c) => [c.facts.subject.container, c]));
    assert.equal(by.get("app")?.facts.imagePullPolicy, "Always");
    assert.equal(by.get("app")?.facts.policySource.source, "defaulted");
    assert.equal(by.get("side")?.facts.imagePullPolicy, "IfNotPresent");
    assert.equal(by.get("set")?.facts.imagePullPolicy, "Always");
    assert.equal(by.get("set")?.facts.policySource.source, "explicit");
    assert.equal(by.get("app")?.facts.subject.namespace, "default");
  });

  it("evaluates image volumes as pulled images, defaulted like containers", () => {
    const text = `${deployment("infer", "        - { name: models, image: app:1.0.0 }")}
      volumes:
        - { name: scratch, emptyDir: {} }
        - { name: models, image: { reference: "registry.example.com/models:latest" } }
        - { name: weights, image: { reference: "registry.example.com/weights:v2", pullPolicy: Never } }`;
    const { containers } = evaluateManifest(text);
    const by = new Map(containers.map((c) => [c.facts.subject.container, c.facts]));
    assert.deepEqual([...by.keys()], ["models", "volume/models", "volume/weights"]);
    const models = by.get("volume/models");
    assert.equal(models?.subject.containerType, "volume");
    assert.equal(models?.image, "registry.example.com/models:latest");
    assert.equal(models?.imagePullPolicy, "Always", "a :latest reference defaults to Always");
    assert.equal(models?.policySource.source, "defaulted");
    assert.equal(by.get("volume/weights")?.imagePullPolicy, "Never");
    const rules = (name: string) =>
      containers.find((c) => c.facts.subject.container === name)?.findings.map((r) => r.ruleId) ?? [];
    assert.ok(rules("volume/models").includes("PS001"), "a :latest image volume is a mutable reference");
  });

  it("finds pod specs in every built-in kind, List objects and configured custom resources", () => {
    const text = `
apiVersion: v1
kind: List
items:
  - apiVersion: batch/v1
    kind: CronJob
    metadata: { name: nightly, namespace: jobs }
    spec:
      jobTemplate:
        spec:
          template:
            spec:
              initContainers: [{ name: init, image: busybox:1.36 }]
              containers: [{ name: run, image: alpine:3.20 }]
  - apiVersion: v1
    kind: Pod
    metadata: { name: debug }
    spec:
      containers: [{ name: main, image: nginx:1.27.3 }]
      ephemeralContainers: [{ name: main-debug, image: busybox:1.36 }]
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: canary }
spec:
  template:
    spec:
      containers: [{ name: app, image: ghcr.io/org/app:1.2.3 }]
---
apiVersion: example.com/v1
kind: Worker
metadata: { name: custom }
spec:
  pod:
    containers: [{ name: app, image: ghcr.io/org/worker:2.0.0 }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: ignored }
`;
    const plain = evaluateManifest(text);
    assert.deepEqual(
      plain.containers.map(
        (c) => `${c.facts.subject.kind}/${c.facts.subject.container}/${c.facts.subject.containerType}`,
      ),
      [
        "CronJob/run/container",
        "CronJob/init/init",
        "Pod/main/container",
        "Pod/main-debug/ephemeral",
        "Rollout/app/container",
      ],
    );
    assert.equal(plain.kinds.ConfigMap, 1);
    const configured = evaluateManifest(text, { podSpecPaths: { Worker: ["spec", "pod"] } });
    assert.ok(configured.containers.some((c) => c.facts.subject.kind === "Worker"));
  });

  it("reads pull secrets from the pod and from ServiceAccounts the manifest creates", () => {
    const text = `
apiVersion: v1
kind: ServiceAccount
metadata: { name: builder, namespace: ci }
imagePullSecrets: [{ name: regcred }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: with-sa, namespace: ci }
spec:
  template:
    spec:
      serviceAccountName: builder
      containers: [{ name: app, image: registry.acme.internal/ci/app:1.0.0 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: without, namespace: ci }
spec:
  template:
    spec:
      containers: [{ name: app, image: registry.acme.internal/ci/app:1.0.0 }]
`;
    const { containers } = evaluateManifest(text);
    const withSa = containers.find((c) => c.facts.subject.name === "with-sa");
    const without = containers.find((c) => c.facts.subject.name === "without");
    assert.deepEqual(withSa?.facts.pullSecrets, [
      { name: "regcred", source: "serviceAccount", exists: null },
    ]);
    assert.ok(!withSa?.findings.some((f) => f.ruleId === "PS007" || f.ruleId === "PS008"));
    assert.ok(without?.findings.some((f) => f.ruleId === "PS007"));
    assert.equal(without?.visibility, "private");
  });

  it("chooses each namespace's profile from the profiles file, or the one given", () => {
    const text = `
apiVersion: v1
kind: Namespace
metadata: { name: sandbox, labels: { env: dev } }
---
${deployment("dev-app", "        - { name: app, image: nginx:latest }", ", namespace: sandbox")}
---
${deployment("prod-app", "        - { name: app, image: nginx:latest }", ", namespace: shop")}
`;
    const severity = (r: ReturnType<typeof evaluateManifest>, name: string) =>
      r.containers.find((c) => c.facts.subject.name === name)?.findings.find((f) => f.ruleId === "PS001")
        ?.severity;
    const byFile = evaluateManifest(text);
    assert.equal(severity(byFile, "dev-app"), "info");
    assert.equal(severity(byFile, "prod-app"), "high");
    const forced = evaluateManifest(text, { profile: "development" });
    assert.equal(severity(forced, "prod-app"), "info");
    const custom = parseProfiles(`
apiVersion: pullsight.dev/v1
kind: Profiles
profiles:
  - name: strict
    rules: { PS001: critical }
defaultProfile: strict
`);
    assert.equal(severity(evaluateManifest(text, { profiles: custom }), "prod-app"), "critical");
  });

  it("lists runtime rules as unevaluated: a manifest has no pods to read", () => {
    const [c] = evaluateManifest(deployment("a", "        - { name: app, image: nginx:1.27.3 }")).containers;
    assert.ok(c?.unevaluated.includes("PS009") && c.unevaluated.includes("PS010"));
    assert.ok(!c?.findings.some((f) => f.ruleId === "PS009"));
  });

  it("refuses text that is not YAML, naming the document", () => {
    assert.throws(
      () => evaluateManifest("a: 1\n---\nb: [unclosed\n"),
      (e: unknown) => {
        return e instanceof InvalidManifestError && /document 2/.test(e.message);
      },
    );
  });
});
