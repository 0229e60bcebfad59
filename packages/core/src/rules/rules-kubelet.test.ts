import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assessContainer, evaluateContainer } from "./evaluate.ts";
import { facts, ids, production } from "./fixtures.ts";
import type { NodePullFacts } from "./types.ts";

const window = (over: Partial<NodePullFacts> = {}): NodePullFacts => ({
  nodes: 3,
  measured: 3,
  since: "2026-12-02T00:00:00.000Z",
  cached: 40,
  pulled: 20,
  pulledByAlways: 15,
  ...over,
});
const always = (nodePulls: NodePullFacts | null, over = {}) =>
  facts({ imagePullPolicy: "Always", image: "nginx:1.27.3", nodePulls, ...over });

describe("PS021: Always causes most registry pulls on the workload's nodes (kubelet metrics)", () => {
  it("fires above alwaysPullShare with enough pulls, and says what the kubelets counted", () => {
    const [hit] = evaluateContainer(always(window()), production).filter((r) => r.ruleId === "PS021");
    assert.ok(hit);
    assert.equal(hit.severity, "low");
    assert.match(
      hit.message,
      /on the 3 nodes running it, Always caused 75% of the 20 registry pulls since 2026-12-02/,
    );
    assert.equal((hit.evidence as { alwaysShare: number }).alwaysShare, 0.75);
  });

  it("is quiet at or below the share, below minPullsForStats, and for other policies", () => {
    assert.ok(!ids(always(window({ pulledByAlways: 10 }))).includes("PS021"), "exactly half is not most");
    assert.ok(!ids(always(window({ pulled: 4, pulledByAlways: 4 }))).includes("PS021"));
    assert.ok(!ids(facts({ nodePulls: window() })).includes("PS021"), "IfNotPresent");
  });

  it("is quiet where Always keeps a private image's credentials checked on shared nodes that do not verify", () => {
    const unverified = { nodes: 2, always: 0, pulled: 1, never: 1, assumed: 0, fromMetrics: 0 };
    const privateImage = {
      image: "registry.acme.internal/team/api:1.4.2",
      sharedNodeVerification: unverified,
    };
    assert.ok(!ids(always(window(), privateImage)).includes("PS021"));
    const verified = { ...unverified, pulled: 2, never: 0 };
    assert.ok(ids(always(window(), { ...privateImage, sharedNodeVerification: verified })).includes("PS021"));
    assert.ok(
      ids(always(window(), { sharedNodeVerification: unverified })).includes("PS021"),
      "public image",
    );
  });

  it("is held, not cleared, where no node of the workload was measured", () => {
    for (const nodePulls of [null, window({ measured: 0, pulled: 0, pulledByAlways: 0, cached: 0 })])
      assert.ok(assessContainer(always(nodePulls), production).unevaluated.includes("PS021"));
  });
});
