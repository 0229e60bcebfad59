// Kubelet metrics through the node proxy, against the simulator at three versions and a real
// PostgreSQL: each node's ensure-image requests (1.35+) and successful pulls (1.30+) as the
// simulator's kubelets counted them, absent (not zero) where the version has no such metric; a
// refused nodes/proxy is a recorded failure of the read, never a partial number.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import { collectFleet } from "./collect.ts";
import type { ClusterClient } from "./k8s/client.ts";
import type { summarizeKubeletMetrics } from "./kubelet.ts";
import { simClients, writeSimKubeconfig } from "./testing.ts";

type SimEntry = Simulator["clusters"][number];
type Stats = ReturnType<typeof summarizeKubeletMetrics>;

/** What the simulator's kubelets counted, per node, in the summary's terms. */
function expectedPerNode(c: SimEntry): Stats["perNode"] {
  const minor = c.sim.minor;
  return c.sim.nodes
    .map((n) => {
      let requests = 0;
      let cached = 0;
      let pulled = 0;
      let pulledByAlways = 0;
      for (const [key, count] of n.metrics.ensure) {
        const [policy, present, required] = key.split("|");
        requests += count;
        if (required === "true") pulled += count;
        if (required === "true" && policy === "always") pulledByAlways += count;
        if (required === "false" && present === "true") cached += count;
      }
      const seconds = [...n.metrics.pulls.values()].flat();
      return {
        node: n.name,
        ensure: minor >= 35 ? { requests, cached, pulled, pulledByAlways } : null,
        pulls:
          minor >= 30 && seconds.length
            ? { count: seconds.length, sumSeconds: seconds.reduce((a, b) => a + b, 0) }
            : null,
      };
    })
    .sort((a, b) => a.node.localeCompare(b.node));
}

describe("kubelet metrics through the node proxy, per Kubernetes version", () => {
  let sim: Simulator;
  let t: TestDatabase;
  let clients: ClusterClient[];

  before(async () => {
    sim = await Simulator.start({
      clusters: 3,
      podsPerCluster: 300,
      seed: 1035,
      versions: ["v1.29.8", "v1.34.1", "v1.36.0"],
    });
    t = await createTestDatabase("kubelet_metrics");
    clients = simClients(sim, writeSimKubeconfig(sim, "kubelet-metrics-"));
  });
  after(async () => {
    await sim.stop();
    await t.drop();
  });

  it("stores each node's ensure-image requests and pulls as its kubelet counted them", async () => {
    const outcomes = await collectFleet(t.db, clients, {
      read: { now: () => new Date(sim.now), kubeletMetrics: true },
    });
    for (const o of outcomes) {
      assert.equal(o.status, "complete", o.cluster);
      const c = sim.cluster(o.cluster);
      const snap = await t.db.snapshot.findUniqueOrThrow({ where: { id: o.snapshotId as bigint } });
      const stats = (snap.stats as { kubeletMetrics: Stats }).kubeletMetrics;
      assert.equal(stats.read, c.sim.nodes.length, `${o.cluster}: every node read`);
      const expected = expectedPerNode(c);
      assert.equal(stats.perNode.length, expected.length);
      for (const [i, node] of stats.perNode.entries()) {
        const want = expected[i] as (typeof expected)[number];
        assert.equal(node.node, want.node);
        assert.deepEqual(node.ensure, want.ensure, `${node.node} ensure`);
        assert.equal(node.pulls?.count, want.pulls?.count, `${node.node} pulls`);
        if (want.pulls) assert.ok(Math.abs((node.pulls?.sumSeconds ?? 0) - want.pulls.sumSeconds) < 1e-6);
      }
      const minor = c.sim.minor;
      if (minor >= 35) {
        assert.ok((stats.ensure?.pulledByAlways ?? 0) > 0, `${o.cluster}: Always causes pulls`);
        assert.ok((stats.ensure?.cached ?? 0) > 0, `${o.cluster}: the cache answers some`);
        assert.equal(stats.ensureSecretPulledImages, c.sim.nodes.length, "the gate is on on every node");
      } else assert.equal(stats.ensure, null, `${o.cluster}: no ensure-image metric before 1.35`);
      if (minor < 30) assert.equal(stats.pulls, null, `${o.cluster}: no pull-duration metric before 1.30`);
      else assert.ok((stats.pulls?.count ?? 0) > 0, `${o.cluster}: pulls counted`);
    }
  });

  it("a refused nodes/proxy is a recorded failure of the read, and no number", async () => {
    const c = sim.clusters[2] as SimEntry;
    await sim.setFaults(c.name, { forbidResources: ["nodes/proxy"] });
    try {
      const [o] = await collectFleet(t.db, [clients[2] as ClusterClient], {
        read: { now: () => new Date(sim.now), kubeletMetrics: true, retries: 0 },
      });
      const snap = await t.db.snapshot.findUniqueOrThrow({ where: { id: o?.snapshotId as bigint } });
      const stats = (snap.stats as { kubeletMetrics: Stats }).kubeletMetrics;
      assert.equal(stats.read, 0);
      assert.equal(stats.ensure, null, "nothing read is not zero requests");
      const failure = (snap.failures as Array<{ kind: string; status: number | null }>).find(
        (f) => f.kind === "kubeletmetrics",
      );
      assert.equal(failure?.status, 403);
    } finally {
      await sim.setFaults(c.name, {});
    }
  });
});
