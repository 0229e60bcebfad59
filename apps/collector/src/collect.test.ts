import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import { collectFleet } from "./collect.ts";
import { FleetFactsMemory } from "./facts-memory.ts";
import { createClusterClient, loadKubeConfig } from "./k8s/client.ts";
import { KINDS } from "./k8s/kinds.ts";
import { FleetMirror } from "./k8s/mirror.ts";
import { readCluster } from "./k8s/reader.ts";
import { CollectorMetrics } from "./metrics.ts";
import { currentCounts, waitFor } from "./testing.ts";

describe("collector against the simulator and PostgreSQL", () => {
  let sim: Simulator;
  let t: TestDatabase;
  let kubeconfig: string;
  const clients = () =>
    sim.clusters.map((c) =>
      createClusterClient(c.name, loadKubeConfig({ kind: "kubeconfig", path: kubeconfig, context: c.name })),
    );

  before(async () => {
    sim = await Simulator.start({ clusters: 3, podsPerCluster: 400, seed: 11 });
    t = await createTestDatabase("collector");
    const dir = mkdtempSync(path.join(tmpdir(), "collector-"));
    kubeconfig = path.join(dir, "kubeconfig");
    writeFileSync(kubeconfig, sim.kubeconfig());
  });
  after(async () => {
    await sim.stop();
    await t.drop();
  });

  it("stores exactly what the simulator knows: containers by policy, source, tag kind and registry; drift", async () => {
    const outcomes = await collectFleet(t.db, clients(), { read: { pageSize: 100 } });
    assert.deepEqual(
      outcomes.map((o) => [o.cluster, o.status]),
      sim.clusters.map((c) => [c.name, "complete"]).sort(),
    );
    for (const c of sim.clusters) {
      const truth = c.sim.truth();
      const stored = await currentCounts(t.db, c.name);
      assert.equal(stored.total, truth.containers.total, `${c.name} containers`);
      assert.deepEqual(stored.byPolicy, truth.containers.byPolicy, `${c.name} by policy`);
      assert.deepEqual(stored.byPolicySource, truth.containers.byPolicySource, `${c.name} by policy source`);
      assert.deepEqual(stored.byTagKind, truth.containers.byTagKind, `${c.name} by tag kind`);
      assert.deepEqual(stored.byRegistry, truth.containers.byRegistry, `${c.name} by registry`);
      const drift = await t.db.finding.findMany({
        where: { cluster: { name: c.name }, ruleId: "PS010", resolvedAt: null },
        select: { fingerprint: true },
      });
      assert.deepEqual(
        drift.map((f) => f.fingerprint.split("/").slice(1, 5).join("/")).sort(),
        truth.drift.map((d) => `${d.namespace}/${d.kind}/${d.name}/${d.container}`).sort(),
        `${c.name} drift`,
      );
      const waiting = await t.db.finding.count({
        where: { cluster: { name: c.name }, ruleId: { in: ["PS009", "PS004"] }, resolvedAt: null },
      });
      assert.ok(
        Object.keys(truth.waiting).length > 0 === waiting > 0,
        `${c.name} failing pulls are findings`,
      );
      const rollup = await t.db.postureRollup.findFirst({
        where: {
          clusterId: (await t.db.cluster.findUniqueOrThrow({ where: { name: c.name } })).id,
          namespace: "",
        },
        orderBy: { takenAt: "desc" },
      });
      assert.equal(rollup?.containers, truth.containers.total);
      assert.deepEqual(rollup?.byTagKind, truth.containers.byTagKind);
    }
  });

  it("stamps snapshots with the clock it is given (backfills use the cluster's simulated time)", async () => {
    const [outcome] = await collectFleet(
      t.db,
      clients().filter((c) => c.name === "stage-eu-1"),
      { read: { now: () => new Date(sim.now) } },
    );
    const snap = await t.db.snapshot.findUniqueOrThrow({ where: { id: outcome?.snapshotId as bigint } });
    assert.equal(snap.finishedAt?.getTime(), sim.now);
    assert.equal(snap.startedAt.getTime(), sim.now);
  });

  it("an unchanged cluster's second snapshot writes no container, running-image or finding rows", async () => {
    const before = await t.db.containerFact.count();
    const outcomes = await collectFleet(t.db, clients());
    for (const o of outcomes) {
      assert.equal(o.status, "complete");
      assert.deepEqual(
        { ...o.rows, rollups: 0 },
        {
          workloads: 0,
          containerFacts: 0,
          runningImages: 0,
          inventory: 0,
          findingsOpened: 0,
          findingsResolved: 0,
          findingsUpdated: 0,
          findingsClearing: 0,
          rollups: 0,
          rollupsCompacted: 0, // nothing is older than a week
        },
        o.cluster,
      );
      assert.ok((o.rows?.rollups ?? 0) > 0, "rollups are written every snapshot");
    }
    assert.equal(await t.db.containerFact.count(), before);
  });

  it("changes over time become new rows, and the stored state still matches the truth", async () => {
    sim.advanceBy(3 * 24 * 60 * 60_000);
    const outcomes = await collectFleet(t.db, clients());
    assert.ok(outcomes.every((o) => o.status === "complete"));
    assert.ok(
      outcomes.some((o) => (o.rows?.containerFacts ?? 0) > 0),
      "rollouts changed some containers",
    );
    for (const c of sim.clusters) {
      const truth = c.sim.truth();
      const stored = await currentCounts(t.db, c.name);
      assert.deepEqual(stored.byTagKind, truth.containers.byTagKind, c.name);
      assert.deepEqual(stored.byPolicySource, truth.containers.byPolicySource, c.name);
      const history = await t.db.containerFact.count({
        where: { validTo: { not: null }, workload: { cluster: { name: c.name } } },
      });
      assert.ok(history > 0, `${c.name} keeps the replaced facts as history`);
    }
  });

  it("a collector that keeps its lists by watches lists nothing again and still stores the truth", async () => {
    const mirror = new FleetMirror();
    const memory = new FleetFactsMemory();
    try {
      await collectFleet(t.db, clients(), { mirror, memory });
      sim.advanceBy(2 * 24 * 60 * 60_000);
      // Watch events arrive asynchronously and a snapshot takes what has arrived: the truth is
      // compared once every change has (each kind as a fresh list has it).
      await waitFor(async () => {
        for (const c of clients()) {
          const listed = await readCluster(c);
          for (const k of KINDS)
            if (JSON.stringify(mirror.of(c).current(k.key)) !== JSON.stringify(listed.objects[k.key]))
              return false;
        }
        return true;
      });
      const outcomes = await collectFleet(t.db, clients(), { mirror, memory });
      assert.ok(outcomes.every((o) => o.status === "complete"));
      assert.ok(
        outcomes.some((o) => (o.rows?.containerFacts ?? 0) > 0),
        "time changed some containers",
      );
      assert.deepEqual(
        outcomes.map((o) => o.kinds),
        outcomes.map(() => ({ listed: 0, watched: KINDS.length })),
      );
      for (const c of sim.clusters) {
        const truth = c.sim.truth();
        const stored = await currentCounts(t.db, c.name);
        assert.equal(stored.total, truth.containers.total, c.name);
        assert.deepEqual(stored.byPolicy, truth.containers.byPolicy, c.name);
        assert.deepEqual(stored.byTagKind, truth.containers.byTagKind, c.name);
        assert.deepEqual(stored.byPolicySource, truth.containers.byPolicySource, c.name);
        const latest = await t.db.snapshot.findFirst({
          where: { cluster: { name: c.name } },
          orderBy: { id: "desc" },
          select: { stats: true },
        });
        const stats = latest?.stats as { requests: number; mirrored?: string[] };
        assert.deepEqual(
          stats.mirrored,
          KINDS.map((k) => k.key),
          `${c.name}: every kind from its watch`,
        );
        assert.equal(stats.requests, 1, `${c.name}: only /version was asked`);
      }
    } finally {
      mirror.stop();
    }
  });

  it("one cluster unreachable, one forbidden a kind: the others stay complete, failures are recorded with reasons", async () => {
    await sim.setFaults("prod-eu-1", { unreachable: true });
    await sim.setFaults("prod-us-1", { forbidResources: ["secrets"] });
    try {
      const outcomes = await collectFleet(t.db, clients(), { read: { retries: 1, requestTimeoutMs: 5_000 } });
      const by = Object.fromEntries(outcomes.map((o) => [o.cluster, o]));
      assert.equal(by["stage-eu-1"]?.status, "complete");
      assert.equal(by["prod-eu-1"]?.status, "failed");
      assert.ok(by["prod-eu-1"]?.failures.every((f) => f.reason === "ECONNREFUSED"));
      assert.equal(by["prod-us-1"]?.status, "partial");
      assert.deepEqual(
        by["prod-us-1"]?.failures.map((f) => [f.kind, f.status, f.reason]),
        [["secrets", 403, "Forbidden"]],
      );
      const snap = await t.db.snapshot.findFirstOrThrow({
        where: { cluster: { name: "prod-us-1" } },
        orderBy: { id: "desc" },
      });
      assert.equal(snap.status, "partial");
      assert.match(JSON.stringify(snap.failures), /secrets is forbidden/);
      // Findings about missing secrets are not resolved by a snapshot that could not read secrets.
      const missing = await t.db.finding.count({
        where: { cluster: { name: "prod-us-1" }, ruleId: "PS008", resolvedAt: { not: null } },
      });
      assert.equal(missing, 0);
      const failed = await t.db.cluster.findUniqueOrThrow({
        where: { name: "prod-eu-1" },
        select: { lastSnapshotId: true },
      });
      const last = await t.db.snapshot.findUniqueOrThrow({ where: { id: failed.lastSnapshotId as bigint } });
      assert.equal(last.status, "failed");
      // The failed cluster's workloads are not marked deleted.
      assert.equal(
        await t.db.workload.count({ where: { cluster: { name: "prod-eu-1" }, deletedAt: { not: null } } }),
        0,
      );
    } finally {
      await sim.clearFaults("prod-eu-1");
      await sim.clearFaults("prod-us-1");
    }
  });

  it("records a cluster slower than its deadline as failed with the reason, without waiting forever", async () => {
    await sim.setFaults("stage-eu-1", { latencyMs: 1_500 });
    try {
      const started = Date.now();
      const [outcome] = await collectFleet(
        t.db,
        clients().filter((c) => c.name === "stage-eu-1"),
        { read: { requestTimeoutMs: 300, retries: 1, budgetMs: 5_000 } },
      );
      assert.ok(Date.now() - started < 10_000, "deadlines bound the time spent");
      assert.equal(outcome?.status, "failed");
      assert.ok(
        outcome?.failures.length &&
          outcome.failures.every((f) => f.reason === "timeout" || f.reason === "BudgetExceeded"),
        JSON.stringify(outcome?.failures),
      );
      // Nothing of the slow cluster's workloads was marked deleted by the failed snapshot.
      assert.equal(
        await t.db.workload.count({ where: { cluster: { name: "stage-eu-1" }, deletedAt: { not: null } } }),
        0,
      );
    } finally {
      await sim.clearFaults("stage-eu-1");
    }
  });

  it("restarts a list whose continue token expired, and records it when it keeps expiring", async () => {
    await sim.setFaults("stage-eu-1", { expireContinue: true });
    try {
      const [outcome] = await collectFleet(
        t.db,
        clients().filter((c) => c.name === "stage-eu-1"),
        { read: { pageSize: 100, retries: 0 } },
      );
      assert.equal(outcome?.status, "partial");
      assert.ok(
        outcome?.failures.some((f) => f.kind === "pods" && f.status === 410 && f.reason === "Expired"),
      );
    } finally {
      await sim.clearFaults("stage-eu-1");
    }
  });

  it("records malformed JSON and 5xx answers as failures of the kind, with the path", async () => {
    await sim.setFaults("stage-eu-1", {
      malformedResources: ["deployments"],
      errorResources: { nodes: 503 },
    });
    try {
      const [outcome] = await collectFleet(
        t.db,
        clients().filter((c) => c.name === "stage-eu-1"),
        { read: { retries: 1 } },
      );
      assert.equal(outcome?.status, "partial");
      const kinds = Object.fromEntries((outcome?.failures ?? []).map((f) => [f.kind, f]));
      assert.equal(kinds.deployments?.reason, "MalformedResponse");
      assert.equal(kinds.nodes?.status, 503);
      // Deployments were not read: none of them is marked deleted.
      assert.equal(
        await t.db.workload.count({
          where: { cluster: { name: "stage-eu-1" }, kind: "Deployment", deletedAt: { not: null } },
        }),
        0,
      );
    } finally {
      await sim.clearFaults("stage-eu-1");
    }
  });

  it("exports Prometheus metrics labelled by cluster, status and kind only", async () => {
    const metrics = new CollectorMetrics();
    for (const o of await collectFleet(t.db, clients())) metrics.record(o);
    const served = await metrics.serve(0, "127.0.0.1");
    try {
      const text = await (await fetch(`${served.url}/metrics`)).text();
      assert.match(text, /pullsight_snapshots_total\{cluster="prod-eu-1",status="complete"\} 1/);
      assert.match(text, /pullsight_snapshot_duration_seconds_bucket\{/);
      // Without watches every kind is listed.
      assert.match(text, /pullsight_kinds_read_total\{cluster="prod-eu-1",source="list"\} 11/);
      assert.match(text, /pullsight_kinds_read_total\{cluster="prod-eu-1",source="watch"\} 0/);
      const labels = new Set(
        [...text.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
          (m[1] as string).split(",").map((kv) => kv.split("=")[0]),
        ),
      );
      for (const label of labels)
        assert.ok(
          [
            "cluster",
            "status",
            "kind",
            "reason",
            "table",
            "source",
            "le",
            "version",
            "major",
            "minor",
            "patch",
            "type",
            "space",
            "kind",
          ].includes(label as string),
          `unexpected label ${label}`,
        );
    } finally {
      await served.close();
    }
  });

  it("opt-in kubelet configuration: counted per setting as the nodes report it; a 403 is a recorded failure", async () => {
    const [c] = clients().filter((x) => x.name === "stage-eu-1");
    assert.ok(c);
    const [plain] = await collectFleet(t.db, [c]);
    const plainSnap = await t.db.snapshot.findUniqueOrThrow({ where: { id: plain?.snapshotId as bigint } });
    assert.equal((plainSnap.stats as { kubelet?: unknown }).kubelet, undefined, "not read unless asked");

    const [read] = await collectFleet(t.db, [c], { read: { kubeletConfig: true } });
    assert.equal(read?.status, "complete");
    const snap = await t.db.snapshot.findUniqueOrThrow({ where: { id: read?.snapshotId as bigint } });
    const truth = sim.cluster("stage-eu-1").sim.truth();
    const kubelet = (snap.stats as { kubelet: { nodes: number; read: number; serializeImagePulls: unknown } })
      .kubelet;
    assert.equal(kubelet.nodes, truth.kubelet.nodes);
    assert.equal(kubelet.read, truth.kubelet.nodes);
    assert.deepEqual(kubelet.serializeImagePulls, truth.kubelet.serializeImagePulls);

    await sim.setFaults("stage-eu-1", { forbidResources: ["nodes/proxy"] });
    try {
      const [denied] = await collectFleet(t.db, [c], { read: { kubeletConfig: true, retries: 0 } });
      assert.equal(denied?.status, "partial");
      assert.deepEqual(
        denied?.failures.map((f) => [f.kind, f.status, f.reason]),
        [["kubeletconfig", 403, "Forbidden"]],
      );
      assert.match(
        denied?.failures[0]?.message ?? "",
        new RegExp(`^${truth.kubelet.nodes} of ${truth.kubelet.nodes} nodes: `),
      );
    } finally {
      await sim.clearFaults("stage-eu-1");
    }
  });

  it("reads Secrets as metadata only", async () => {
    const since = Date.now() - 60_000;
    await collectFleet(
      t.db,
      clients().filter((c) => c.name === "stage-eu-1"),
    );
    const secretReads = sim
      .cluster("stage-eu-1")
      .requests.filter((r) => r.at >= since && r.path.includes("/secrets"));
    assert.ok(secretReads.length > 0);
    // Lists ask for PartialObjectMetadataList; a watch's events are single PartialObjectMetadata.
    assert.ok(
      secretReads.every((r) =>
        r.accept.includes(
          r.path.includes("watch=") ? "as=PartialObjectMetadata;" : "as=PartialObjectMetadataList",
        ),
      ),
      "every Secret request asked for metadata only",
    );
  });
});
