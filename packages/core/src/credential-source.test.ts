import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fromProvider, PULL_CREDENTIAL_SOURCES, pullCredentialSourcesOf } from "./credential-source.ts";
import { evaluateContainer } from "./rules/evaluate.ts";
import { parseProfiles, resolveProfile } from "./rules/profiles.ts";
import type { ContainerFacts } from "./rules/types.ts";

const ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const settings = {
  nodeCredentialRegistries: ["*.dkr.ecr.*.amazonaws.com"],
  serviceAccountTokenRegistries: ["registry.acme.internal", "ghcr.io/acme"],
  serviceAccountTokenAnnotations: [] as string[],
};
const KEYS = ["acme.example/role", "acme.example/audience", "unrelated.example/x"];

describe("pullCredentialSourcesOf", () => {
  it("lists the sources in the kubelet's order, each exactly when it applies, and none only alone (property)", () => {
    const secret = fc.record({ source: fc.constantFrom("pod" as const, "serviceAccount" as const) });
    const registry = fc.constantFrom(
      { domain: ECR, path: "team/worker" },
      { domain: "registry.acme.internal", path: "payments/ledger" },
      { domain: "ghcr.io", path: "acme/api" },
      { domain: "ghcr.io", path: "other/api" },
      { domain: "", path: "library/nginx" },
    );
    const version = fc.option(
      fc.integer({ min: 25, max: 37 }).map((m) => `v1.${m}.2`),
      { nil: null },
    );
    const keys = fc.subarray(KEYS);
    fc.assert(
      fc.property(
        fc.array(secret, { maxLength: 3 }),
        fc.option(registry, { nil: null }),
        version,
        keys,
        fc.option(keys, { nil: null }),
        (secrets, ref, v, required, annotations) => {
          const s = { ...settings, serviceAccountTokenAnnotations: required };
          const got = pullCredentialSourcesOf(secrets, ref, s, v, annotations);
          // The reference model: each source's own condition, in the kubelet's order. A
          // ServiceAccount that was not read (null) is assumed to carry what the provider needs.
          const minor = v === null ? Number.POSITIVE_INFINITY : Number(v.split(".")[1]);
          const annotated = annotations === null || required.every((k) => annotations.includes(k));
          const token =
            ref !== null &&
            minor >= 34 &&
            annotated &&
            (ref.domain === "registry.acme.internal" ||
              (ref.domain === "ghcr.io" && ref.path.startsWith("acme/")));
          const expected = [
            secrets.some((s) => s.source === "pod") && "pod-secret",
            secrets.some((s) => s.source === "serviceAccount") && "service-account-secret",
            ref?.domain === ECR && "node-provider",
            token && "service-account-token",
          ].filter((s): s is string => typeof s === "string");
          assert.deepEqual(got, expected.length ? expected : ["none"]);
          assert.deepEqual(
            got,
            PULL_CREDENTIAL_SOURCES.filter((s) => got.includes(s)),
            "in the kubelet's order",
          );
          assert.equal(
            fromProvider(got),
            got.includes("node-provider") || got.includes("service-account-token"),
          );
        },
      ),
    );
  });
});

/** A profile that knows registry.acme.internal is private and served by a token provider. */
const identityProfile = (extra = "") =>
  resolveProfile(
    parseProfiles(`
apiVersion: pullsight.dev/v1
kind: Profiles
profiles:
  - name: identity
    settings:
      privateRegistries: [registry.acme.internal]
      serviceAccountTokenRegistries: [registry.acme.internal]${extra}
defaultProfile: identity
`),
    "identity",
  );

describe("PS007 and the credential sources it assumes", () => {
  const profile = identityProfile();
  const evaluate = (
    kubernetesVersion: string,
    pullSecrets: ContainerFacts["pullSecrets"] = [],
    serviceAccountAnnotations: string[] | null = null,
    p = profile,
  ) =>
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
        image: "registry.acme.internal/payments/ledger:1.4.2",
        imagePullPolicy: "IfNotPresent",
        policySource: { source: "defaulted", evidence: "" },
        pullSecrets,
        kubernetesVersion,
        serviceAccountAnnotations,
      },
      p,
    ).find((r) => r.ruleId === "PS007");

  it("stays quiet where a ServiceAccount-token provider serves the registry (1.34 on) or a pull secret is configured", () => {
    assert.equal(evaluate("v1.34.1"), undefined);
    assert.equal(evaluate("v1.36.0"), undefined);
    assert.equal(
      evaluate("v1.33.5", [{ name: "regcred", source: "serviceAccount", exists: false }]),
      undefined,
    );
  });

  it("fires where nothing supplies credentials, and says what it assumed", () => {
    // Kubelets of 1.33 do not run ServiceAccount-token providers unless a feature gate is turned on.
    const found = evaluate("v1.33.5");
    assert.ok(found, "PS007 on 1.33");
    assert.match(found.message, /assumed credential source none/);
    assert.match(
      found.message,
      /does not run by default before Kubernetes 1\.34 \(this cluster runs v1\.33\.5\)/,
    );
    assert.deepEqual(found.evidence.credentialSources, ["none"]);
  });

  it("fires where the ServiceAccount lacks an annotation the token provider requires, naming it", () => {
    const annotated = identityProfile("\n      serviceAccountTokenAnnotations: [acme.example/role]");
    assert.equal(evaluate("v1.36.0", [], ["acme.example/role"], annotated), undefined);
    assert.equal(
      evaluate("v1.36.0", [], null, annotated),
      undefined,
      "a ServiceAccount not read is assumed annotated",
    );
    const found = evaluate("v1.36.0", [], ["other.example/x"], annotated);
    assert.ok(found, "PS007 where the annotation is missing");
    assert.match(found.message, /lacks the annotation acme\.example\/role the provider requires/);
  });
});
