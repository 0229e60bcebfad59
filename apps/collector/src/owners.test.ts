// Every namespace gets the team that owns it: from a `team` label, an `owner` annotation written the
// way people write names, or an override in the profiles file, compared against the simulator's
// own record of each namespace's team. Namespaces that name nobody are unowned, not blank.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DEFAULT_PROFILES, type ProfilesFile } from "@pullsight/core";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import { collectFleet } from "./collect.ts";
import type { ClusterClient } from "./k8s/client.ts";
import { simClients, writeSimKubeconfig } from "./testing.ts";

const withOverride = (cluster: string): ProfilesFile => ({
  ...DEFAULT_PROFILES,
  owners: {
    keys: DEFAULT_PROFILES.owners.keys,
    assignments: [
      { owner: "Platform", namespaces: { names: ["kube-*"] } },
      { owner: "ledger", clusters: { names: [cluster] }, namespaces: { names: ["payments-*"] } },
    ],
  },
});

describe("namespace owners from labels, annotations and overrides", () => {
  let sim: Simulator;
  let t: TestDatabase;
  let clients: ClusterClient[];
  const owners = async () =>
    new Map(
      (await t.db.namespace.findMany({ include: { cluster: { select: { name: true } } } })).map((n) => [
        `${n.cluster.name}/${n.name}`,
        { owner: n.owner, source: n.ownerSource },
      ]),
    );

  before(async () => {
    sim = await Simulator.start({ clusters: 2, podsPerCluster: 250, seed: 16 });
    t = await createTestDatabase("owners");
    clients = simClients(sim, writeSimKubeconfig(sim, "owners-"));
  });
  after(async () => {
    await sim.stop();
    await t.drop();
  });

  it("reads each namespace's team from its label or annotation; kube-system names none", async () => {
    await collectFleet(t.db, clients, { read: { now: () => new Date(sim.now) } });
    const stored = await owners();
    let annotated = 0;
    for (const { name, sim: cluster } of sim.clusters)
      for (const ns of cluster.namespaces) {
        const got = stored.get(`${name}/${ns.name}`);
        if (ns.name === "kube-system") {
          assert.deepEqual(got, { owner: null, source: null });
          continue;
        }
        assert.equal(got?.owner, ns.team, `${name}/${ns.name}`);
        if (got?.source === "annotation:owner") annotated++;
        else assert.equal(got?.source, "label:team");
      }
    assert.ok(annotated > 0, "some namespaces name their owner in an annotation, in other case and spacing");
  });

  it("lets overrides win, per cluster and namespace, on the next snapshot", async () => {
    const [first] = sim.clusters;
    assert.ok(first);
    await collectFleet(t.db, clients, {
      profiles: withOverride(first.name),
      read: { now: () => new Date(sim.now) },
    });
    const stored = await owners();
    for (const { name, sim: cluster } of sim.clusters)
      for (const ns of cluster.namespaces) {
        const got = stored.get(`${name}/${ns.name}`);
        const expected: string = ns.name.startsWith("kube-")
          ? "platform"
          : name === first.name && ns.name.startsWith("payments-")
            ? "ledger"
            : ns.team;
        assert.equal(got?.owner, expected, `${name}/${ns.name}`);
        if (expected !== ns.team || ns.name.startsWith("kube-")) assert.equal(got?.source, "override");
      }
  });
});
