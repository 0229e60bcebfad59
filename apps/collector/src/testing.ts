// Shared by the collector's tests and the demo: clients for a running simulator, and the database's current
// container counts in the shape of the simulator's ground truth.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Db } from "@pullsight/db";
import type { Simulator } from "@pullsight/k8s-sim";
import { type ClusterClient, createClusterClient, loadKubeConfig } from "./k8s/client.ts";

/** Writes the simulator's kubeconfig to a fresh temporary directory and returns its path. */
export function writeSimKubeconfig(sim: Simulator, prefix = "collector-"): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), prefix)), "kubeconfig");
  writeFileSync(file, sim.kubeconfig());
  return file;
}

/** One client per simulated cluster (or the named ones), through the kubeconfig. */
export function simClients(sim: Simulator, kubeconfig: string, names?: string[]): ClusterClient[] {
  return (names ?? sim.clusters.map((c) => c.name)).map((name) =>
    createClusterClient(name, loadKubeConfig({ kind: "kubeconfig", path: kubeconfig, context: name })),
  );
}

/** Current containers of live workloads, counted the way the simulator's truth counts them. */
export async function currentCounts(db: Db, cluster: string) {
  const facts = await db.containerFact.findMany({
    where: { validTo: null, workload: { deletedAt: null, cluster: { name: cluster } } },
    select: { imagePullPolicy: true, policySource: true, tagKind: true, registry: true },
  });
  const count = (k: keyof (typeof facts)[number]) => {
    const m: Record<string, number> = {};
    for (const f of facts) m[f[k]] = (m[f[k]] ?? 0) + 1;
    return m;
  };
  return {
    total: facts.length,
    byPolicy: count("imagePullPolicy"),
    byPolicySource: count("policySource"),
    byTagKind: count("tagKind"),
    byRegistry: count("registry"),
  };
}

/** Polls `cond` every 100 ms until it holds; throws after `ms`. */
export async function waitFor(cond: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("timed out waiting");
}
