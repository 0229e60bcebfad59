// KEP-2535 against the simulator at 1.36 and a real PostgreSQL: PS014 (a private image cached with
// IfNotPresent on nodes shared with other namespaces) first without the opt-in configz read, where
// every node is assumed to check only the images its kubelet pulled (the 1.35+ default) and the
// finding says so; then with configz, where the simulator's every fourth node checks every cached
// image (AlwaysVerify): PS014's condition goes (the finding is clearing) for exactly the workloads
// whose shared nodes all do.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import { collectFleet } from "./collect.ts";
import type { ClusterClient } from "./k8s/client.ts";
import { simClients, writeSimKubeconfig } from "./testing.ts";

type SimEntry = Simulator["clusters"][number];

/** Each workload's nodes that also run other namespaces' pods (DaemonSets' pods do not count), from the served pods. */
function sharedNodesOf(c: SimEntry): Map<string, string[]> {
  const pods = c.sim.store.collection("/pods").list();
  const nodeOf = new Map(
    pods.map((p) => [
      `${p.metadata.namespace}/${p.metadata.name}`,
      String((p.spec as { nodeName?: string }).nodeName),
    ]),
  );
  const namespacesOn = new Map<string, Set<string>>();
  for (const w of c.sim.workloads)
    if (w.kind !== "DaemonSet")
      for (const pod of w.pods) {
        const node = nodeOf.get(`${w.namespace}/${pod}`) as string;
        namespacesOn.set(node, (namespacesOn.get(node) ?? new Set()).add(w.namespace));
      }
  const out = new Map<string, string[]>();
  for (const w of c.sim.workloads) {
    const nodes = [...w.pods].map((p) => nodeOf.get(`${w.namespace}/${p}`) as string);
    out.set(
      `${w.namespace}/${w.kind}/${w.name}`,
      [...new Set(nodes)].filter((n) => (namespacesOn.get(n)?.size ?? 0) > 1),
    );
  }
  return out;
}

describe("KEP-2535: nodes that check credentials of cached images", () => {
  let sim: Simulator;
  let t: TestDatabase;
  let clients: ClusterClient[];

  before(async () => {
    sim = await Simulator.start({ clusters: 1, podsPerCluster: 500, seed: 2535, versions: ["v1.36.0"] });
    t = await createTestDatabase("credential_verification");
    clients = simClients(sim, writeSimKubeconfig(sim, "verification-"));
  });
  after(async () => {
    await sim.stop();
    await t.drop();
  });

  /** PS014 where the condition holds now: a runtime finding whose condition went away is clearing first. */
  const openPs014 = async () => {
    const findings = await t.db.finding.findMany({
      where: { ruleId: "PS014", resolvedAt: null, clearingSince: null },
      include: { workload: true },
    });
    return new Map(
      findings.map((f) => [
        `${f.workload?.namespace}/${f.workload?.kind}/${f.workload?.name}`,
        String((f.evidence as { message?: string }).message),
      ]),
    );
  };

  it("without configz, assumes the version's default and says so; with it, clears where every shared node checks every image", async () => {
    const c = sim.clusters[0] as SimEntry;
    const now = () => new Date(sim.now);
    await collectFleet(t.db, clients, { read: { now } });
    const assumed = await openPs014();
    assert.ok(assumed.size > 5, "PS014 fires on private images on shared nodes");
    for (const [key, message] of assumed)
      assert.match(
        message,
        /check the credentials of images their kubelet pulled .* \(assumed from the cluster's version/,
        key,
      );

    sim.advanceBy(60_000);
    await collectFleet(t.db, clients, { read: { now, kubeletConfig: true } });
    const read = await openPs014();
    const shared = sharedNodesOf(c);
    const alwaysVerify = (node: string) =>
      c.sim.kubeletConfig(node)?.imagePullCredentialsVerificationPolicy === "AlwaysVerify";
    const expected = [...assumed.keys()].filter((k) => !(shared.get(k) ?? []).every(alwaysVerify)).sort();
    assert.deepEqual([...read.keys()].sort(), expected);
    assert.ok(expected.length < assumed.size, "some workloads run only on nodes that check every image");
    assert.ok(expected.length > 0, "others still run on nodes that serve pre-loaded images");
    for (const [key, message] of read) {
      const nodes = shared.get(key) ?? [];
      const pulled = nodes.filter((n) => !alwaysVerify(n)).length;
      assert.match(message, new RegExp(`; ${pulled} of ${nodes.length} check the credentials`), key);
      assert.doesNotMatch(message, /assumed from the cluster's version/, key);
    }
  });
});
