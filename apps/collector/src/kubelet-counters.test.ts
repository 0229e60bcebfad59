// Kubelet counters kept per node and day, against the simulator (1.36) and a real PostgreSQL: the
// first reading is a baseline, later ones add what each kubelet counted in between — after a
// kubelet restart, what it counted since — the cluster's day is the sum of its nodes', and PS021
// fires on exactly the Always containers whose nodes' registry pulls were mostly Always's.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Counters, pullRequestsOf } from "@pullsight/core";
import { getClusterDetail } from "@pullsight/db";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { REPOSITORIES, restartKubelet, Simulator } from "@pullsight/k8s-sim";
import { collectFleet } from "./collect.ts";
import type { ClusterClient } from "./k8s/client.ts";
import { simClients, writeSimKubeconfig } from "./testing.ts";

type SimEntry = Simulator["clusters"][number];
type SimNode = SimEntry["sim"]["nodes"][number];

/** A node's ensure-image counters and pull count as its kubelet holds them now, in Pullsight's names. */
function countersNow(node: SimNode): Counters {
  const POLICY: Record<string, string> = { always: "Always", ifnotpresent: "IfNotPresent", never: "Never" };
  const out: Counters = {};
  for (const [key, n] of node.metrics.ensure) {
    const [policy, present, required] = key.split("|");
    const outcome =
      required === "true" ? "pulled" : present === "true" && required === "false" ? "cached" : "other";
    const k = `ensure/${POLICY[policy as string]}/${outcome}`;
    out[k] = (out[k] ?? 0) + n;
  }
  out["pulls/count"] = [...node.metrics.pulls.values()].reduce((a, s) => a + s.length, 0);
  return out;
}

const minus = (a: Counters, b: Counters) =>
  Object.fromEntries(
    Object.entries(a)
      .map(([k, v]) => [k, v - (b[k] ?? 0)])
      .filter(([, v]) => (v as number) > 0),
  );
const plus = (a: Counters, b: Counters) => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
};
/** Counters compared where they matter here: ensure-image requests and the pull count. */
const relevant = (c: Counters) =>
  Object.fromEntries(
    Object.entries(c).filter(([k, v]) => (k.startsWith("ensure/") || k === "pulls/count") && v > 0),
  );

describe("kubelet counters per node and day", () => {
  let sim: Simulator;
  let t: TestDatabase;
  let clients: ClusterClient[];

  before(async () => {
    sim = await Simulator.start({ clusters: 1, podsPerCluster: 400, seed: 4021, versions: ["v1.36.0"] });
    t = await createTestDatabase("kubelet_counters");
    clients = simClients(sim, writeSimKubeconfig(sim, "kubelet-counters-"));
  });
  after(async () => {
    await sim.stop();
    await t.drop();
  });

  it("adds each interval's growth, a restarted kubelet's since its restart, and judges Always by it", async () => {
    const c = sim.clusters[0] as SimEntry;
    const read = { now: () => new Date(sim.now), kubeletMetrics: true };
    const snapshot = () => new Map(c.sim.nodes.map((n) => [n.name, countersNow(n)]));

    await collectFleet(t.db, clients, { read });
    assert.equal(await t.db.kubeletNodeDay.count(), 0, "a first reading is a baseline only");
    assert.equal(await t.db.kubeletReading.count(), c.sim.nodes.length);
    const first = snapshot();

    sim.advanceBy(2 * 3_600_000);
    await collectFleet(t.db, clients, { read });
    const second = snapshot();
    const restarted = c.sim.nodes[0] as SimNode;
    restartKubelet(restarted, sim.now);
    sim.advanceBy(2 * 3_600_000);
    await collectFleet(t.db, clients, { read });
    const third = snapshot();

    const expected = new Map(
      c.sim.nodes.map((n) => {
        const a = minus(second.get(n.name) ?? {}, first.get(n.name) ?? {});
        const b =
          n === restarted
            ? (third.get(n.name) ?? {})
            : minus(third.get(n.name) ?? {}, second.get(n.name) ?? {});
        return [n.name, plus(a, b)];
      }),
    );
    const rows = await t.db.kubeletNodeDay.findMany();
    const stored = new Map<string, Counters>();
    for (const r of rows) stored.set(r.node, plus(stored.get(r.node) ?? {}, r.counters as Counters));
    for (const n of c.sim.nodes)
      assert.deepEqual(relevant(stored.get(n.name) ?? {}), relevant(expected.get(n.name) ?? {}), n.name);
    const resets = rows.filter((r) => r.resets > 0).map((r) => r.node);
    assert.deepEqual(resets, [restarted.name], "the restart is counted on its node only");

    const clusterDays = await t.db.kubeletClusterDay.findMany();
    const total = clusterDays.reduce((a, d) => plus(a, d.counters as Counters), {} as Counters);
    const sum = [...expected.values()].reduce(plus, {} as Counters);
    assert.deepEqual(relevant(total), relevant(sum), "the cluster's days are the sum of its nodes'");
    // The cluster page reads the same days, each under its own UTC date.
    const lastDay = Math.max(...clusterDays.map((d) => d.day.getTime()));
    const detail = await getClusterDetail(t.db, c.name, { now: new Date(lastDay + 12 * 3_600_000) });
    assert.deepEqual(
      detail?.kubeletDays.days.map((d) => [d.day, d.nodes]),
      clusterDays
        .map((d) => [d.day.toISOString().slice(0, 10), d.nodes])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    assert.ok(pullRequestsOf(sum).pulledByAlways > 0, "Always caused registry pulls");

    // PS021 on exactly the Always containers whose nodes' pulls were mostly Always's.
    const nodesOf = new Map<string, Set<string>>();
    for (const p of c.sim.store.collection("/pods").list()) {
      const owner = c.sim.workloads.find(
        (w) => w.namespace === p.metadata.namespace && w.pods.has(p.metadata.name),
      );
      if (!owner) continue;
      const key = `${owner.namespace}/${owner.kind}/${owner.name}`;
      nodesOf.set(
        key,
        (nodesOf.get(key) ?? new Set()).add(String((p.spec as { nodeName?: string }).nodeName)),
      );
    }
    const alwaysContainers = await t.db.containerFact.findMany({
      where: { imagePullPolicy: "Always", validTo: null, workload: { deletedAt: null } },
      include: { workload: true },
    });
    const want = new Set<string>();
    for (const f of alwaysContainers) {
      const key = `${f.workload.namespace}/${f.workload.kind}/${f.workload.name}`;
      const counts = pullRequestsOf(
        [...(nodesOf.get(key) ?? [])].reduce((a, n) => plus(a, expected.get(n) ?? {}), {} as Counters),
      );
      if (counts.pulled >= 5 && counts.pulledByAlways / counts.pulled > 0.5)
        want.add(`${key}/${f.containerName}`);
    }
    const open = await t.db.finding.findMany({
      where: { ruleId: "PS021", resolvedAt: null, clearingSince: null },
      include: { workload: true },
    });
    const got = new Set(
      open.map((f) => `${f.workload?.namespace}/${f.workload?.kind}/${f.workload?.name}/${f.containerName}`),
    );
    assert.deepEqual([...got].sort(), [...want].sort());
    assert.ok(want.size > 0, "some Always containers run where Always drives the pulls");
    assert.ok(want.size < alwaysContainers.length, "and not every Always container does");
  });

  it("counts a failing credential provider plugin's errors per node, as its kubelets did", async () => {
    const c = sim.clusters[0] as SimEntry;
    const read = { now: () => new Date(sim.now), kubeletMetrics: true };
    const before = new Map(c.sim.nodes.map((n) => [n.name, n.metrics.pluginErrors]));
    const stored = async () => {
      const out = new Map<string, number>();
      for (const r of await t.db.kubeletNodeDay.findMany())
        out.set(
          r.node,
          (out.get(r.node) ?? 0) +
            ((r.counters as Counters)["credentialProviderErrors/ecr-credential-provider"] ?? 0),
        );
      return out;
    };
    const earlier = await stored();
    // The nodes' credential provider plugin for the ECR registry fails for the next hour.
    const ecr = REPOSITORIES.find((r) => r.nodeCredentials)?.registry as string;
    c.sim.incidents.push({
      registry: ecr,
      from: sim.now,
      to: sim.now + 3_600_000,
      credentialPluginDown: true,
    });
    sim.advanceBy(3_600_000);
    await collectFleet(t.db, clients, { read });
    const now = await stored();
    let total = 0;
    for (const n of c.sim.nodes) {
      const grew = n.metrics.pluginErrors - (before.get(n.name) ?? 0);
      total += grew;
      assert.equal((now.get(n.name) ?? 0) - (earlier.get(n.name) ?? 0), grew, n.name);
    }
    assert.ok(total > 0, "pulls from the provider's registry ran the failing plugin");
    const days = await t.db.kubeletClusterDay.findMany();
    const inCluster = days.reduce(
      (a, d) => a + ((d.counters as Counters)["credentialProviderErrors/ecr-credential-provider"] ?? 0),
      0,
    );
    assert.equal(
      inCluster,
      [...now.values()].reduce((a, b) => a + b, 0),
      "the cluster's days add up its nodes'",
    );
  });
});
