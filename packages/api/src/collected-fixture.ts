// A simulated fleet collected once, through the real collector and kubeconfig, into a fresh test
// database: what the API tests that compare answers with the simulator's truth start from.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ClusterClient, collectFleet, createClusterClient, loadKubeConfig } from "@pullsight/collector";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";

export interface CollectedFleet {
  sim: Simulator;
  t: TestDatabase;
  clients: ClusterClient[];
  stop: () => Promise<void>;
}

export async function collectedFleet(
  name: string,
  fleet: { clusters: number; podsPerCluster: number; seed: number },
): Promise<CollectedFleet> {
  const sim = await Simulator.start(fleet);
  const t = await createTestDatabase(name);
  const kubeconfig = path.join(mkdtempSync(path.join(tmpdir(), `${name}-`)), "kubeconfig");
  writeFileSync(kubeconfig, sim.kubeconfig());
  const clients = sim.clusters.map((c) =>
    createClusterClient(c.name, loadKubeConfig({ kind: "kubeconfig", path: kubeconfig, context: c.name })),
  );
  const outcomes = await collectFleet(t.db, clients);
  assert.ok(outcomes.every((o) => o.status === "complete"));
  return {
    sim,
    t,
    clients,
    stop: async () => {
      await sim.stop();
      await t.drop();
    },
  };
}
