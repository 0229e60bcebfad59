import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  CREDENTIAL_VERIFICATION_POLICIES,
  countVerification,
  nodeCredentialVerification,
} from "./credential-verification.ts";

describe("nodeCredentialVerification (KEP-2535)", () => {
  it("follows the gate (explicit, else on from 1.35) and the policy (default NeverVerifyPreloadedImages) (property)", () => {
    const version = fc.option(
      fc.integer({ min: 28, max: 37 }).map((m) => `v1.${m}.3`),
      { nil: null },
    );
    const config = fc.option(
      fc.record(
        {
          featureGates: fc.oneof(
            fc.record({ KubeletEnsureSecretPulledImages: fc.boolean() }, { requiredKeys: [] }),
            fc.anything(),
          ),
          imagePullCredentialsVerificationPolicy: fc.oneof(
            fc.constantFrom(...CREDENTIAL_VERIFICATION_POLICIES, "", "SometimesVerify"),
            fc.anything(),
          ),
        },
        { requiredKeys: [] },
      ),
      { nil: null },
    );
    fc.assert(
      fc.property(config, version, (c, v) => {
        const got = nodeCredentialVerification(c as Record<string, unknown> | null, v);
        // Reference model, written from kubelet's defaulting (SetDefaults_KubeletConfiguration)
        // and the policy's documented meaning.
        const minor = v === null ? 99 : Number(v.split(".")[1]);
        const gates = c?.featureGates as Record<string, unknown> | undefined;
        const explicit =
          gates && typeof gates === "object" ? gates.KubeletEnsureSecretPulledImages : undefined;
        const gate = typeof explicit === "boolean" ? explicit : minor >= 35;
        const raw = c?.imagePullCredentialsVerificationPolicy;
        const policy = !gate
          ? null
          : raw === undefined || raw === ""
            ? "NeverVerifyPreloadedImages"
            : (CREDENTIAL_VERIFICATION_POLICIES as readonly unknown[]).includes(raw)
              ? raw
              : null;
        const verification =
          policy === "AlwaysVerify"
            ? "always"
            : policy === "NeverVerifyPreloadedImages" || policy === "NeverVerifyAllowlistedImages"
              ? "pulled"
              : "never";
        assert.deepEqual(got, {
          verification,
          gate,
          policy,
          source: c ? "configz" : "version-default",
        });
      }),
      { numRuns: 500 },
    );
  });

  it("assumes the version's default without configz: none before 1.35, pulled images from 1.35", () => {
    assert.equal(nodeCredentialVerification(null, "v1.34.1").verification, "never");
    assert.equal(nodeCredentialVerification(null, "v1.35.0").verification, "pulled");
    assert.equal(
      nodeCredentialVerification({ featureGates: { KubeletEnsureSecretPulledImages: true } }, "v1.33.5")
        .policy,
      "NeverVerifyPreloadedImages",
      "alpha on 1.33 when turned on",
    );
    const counts = countVerification([
      nodeCredentialVerification({ imagePullCredentialsVerificationPolicy: "AlwaysVerify" }, "v1.36.0"),
      nodeCredentialVerification(null, "v1.36.0"),
      nodeCredentialVerification({ imagePullCredentialsVerificationPolicy: "NeverVerify" }, "v1.36.0"),
    ]);
    assert.deepEqual(counts, { nodes: 3, always: 1, pulled: 1, never: 1, assumed: 1, fromMetrics: 0 });
  });

  it("reads the gate from kubelet metrics when configz is not read, and never over configz", () => {
    const off = nodeCredentialVerification(null, "v1.35.2", false);
    assert.deepEqual(off, { verification: "never", gate: false, policy: null, source: "metrics" });
    const on = nodeCredentialVerification(null, "v1.33.5", true);
    assert.deepEqual(on, {
      verification: "pulled",
      gate: true,
      policy: "NeverVerifyPreloadedImages",
      source: "metrics",
    });
    const configz = nodeCredentialVerification(
      { imagePullCredentialsVerificationPolicy: "AlwaysVerify" },
      "v1.36.0",
      false,
    );
    assert.equal(configz.verification, "always", "configz outranks the metric");
    assert.equal(countVerification([off, on, configz]).fromMetrics, 2);
  });
});
