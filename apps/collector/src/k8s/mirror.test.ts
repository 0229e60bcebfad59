// The mirror against the simulator's ground truth: on random sequences of what a cluster goes
// through (time passing: rollouts, restarts, new and deleted pods; watches dropped mid-stream;
// history compacted while a watch is away), every kind a read takes from the mirror equals what a
// fresh list of the same kind says, and a kind the mirror cannot vouch for is listed instead.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { DEFAULT_PROFILES } from "@pullsight/core";
import { Simulator } from "@pullsight/k8s-sim";
import fc from "fast-check";
import { buildClusterFacts } from "../facts.ts";
import { simClients, writeSimKubeconfig } from "../testing.ts";
import type { ClusterClient } from "./client.ts";
import { KINDS } from "./kinds.ts";
import { FleetMirror } from "./mirror.ts";
import { type RawSnapshot, readCluster } from "./reader.ts";

const NAME = "prod-eu-1";

function writeSimKubeconfigWith(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "mirror-")), "kubeconfig");
  writeFileSync(file, text);
  return file;
}

/**
 * Until every kind the mirror vouches for equals a fresh list (watch delivery is asynchronous),
 * after giving its watches a moment to open (a kind read before its watch opened is listed).
 */
async function agreed(client: ClusterClient, mirror: FleetMirror, ms = 5000) {
  const opening = Date.now() + Math.min(ms, 1000);
  while (mirror.of(client).vouched().length < KINDS.length && Date.now() < opening)
    await new Promise((r) => setTimeout(r, 20));
  const deadline = Date.now() + ms;
  for (;;) {
    const truth = await readCluster(client);
    const kept = await readCluster(client, { mirror: mirror.of(client) });
    const differing = KINDS.map((k) => k.key).filter(
      (k) => JSON.stringify(kept.objects[k]) !== JSON.stringify(truth.objects[k]),
    );
    if (!differing.length || Date.now() > deadline) return { truth, kept, differing };
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("object mirror (watches between snapshots)", () => {
  let sim: Simulator;
  let client: ClusterClient;
  before(async () => {
    sim = await Simulator.start({ clusters: 1, podsPerCluster: 400, seed: 23, bookmarkIntervalMs: 100 });
    [client] = simClients(sim, writeSimKubeconfig(sim, "mirror-"), [NAME]) as [ClusterClient];
  });
  after(() => sim.stop());

  it("reads every kind from the mirror as a fresh list has it, through random changes, drops and compactions", async () => {
    const step = fc.oneof(
      fc.record({ advanceMinutes: fc.integer({ min: 1, max: 240 }) }),
      fc.record({
        dropAfter: fc.integer({ min: 1, max: 5 }),
        advanceMinutes: fc.integer({ min: 1, max: 60 }),
      }),
      fc.record({ compactWhileAway: fc.constant(true), advanceMinutes: fc.integer({ min: 1, max: 60 }) }),
    );
    let fromMirror = 0;
    let relisted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 4 }), async (steps) => {
        const mirror = new FleetMirror();
        try {
          const first = await readCluster(client, { mirror: mirror.of(client) });
          assert.equal(first.mirrored, undefined, "a new mirror vouches for nothing");
          for (const s of steps) {
            if ("dropAfter" in s) await sim.setFaults(NAME, { dropWatchesAfter: s.dropAfter });
            if ("compactWhileAway" in s) await sim.setFaults(NAME, { dropWatchesAfter: 0 });
            sim.advanceBy(s.advanceMinutes * 60_000);
            if ("compactWhileAway" in s) sim.cluster(NAME).sim.store.compact();
            await sim.clearFaults(NAME);
            const { truth, kept, differing } = await agreed(client, mirror);
            assert.deepEqual(differing, [], `kinds differing from a fresh list after ${JSON.stringify(s)}`);
            assert.deepEqual(truth.failures, []);
            fromMirror += kept.mirrored?.length ?? 0;
            relisted += KINDS.length - (kept.mirrored?.length ?? 0);
            // Facts are built from the mirror's own arrays: they must come out as from the list's,
            // and leave the mirror's objects as they were.
            assertSameFacts(kept, truth);
          }
          const { differing } = await agreed(client, mirror, 0);
          assert.deepEqual(differing, [], "building facts changed no mirrored object");
        } finally {
          mirror.stop();
          await sim.clearFaults(NAME);
        }
      }),
      { numRuns: 12 },
    );
    assert.ok(fromMirror > 0, "kinds were read from the mirror");
    assert.ok(relisted > 0, "kinds the mirror could not vouch for were listed");
  });

  it("an unchanged cluster is read with no list at all; Secrets arrive as metadata only", async () => {
    const mirror = new FleetMirror();
    try {
      await readCluster(client, { mirror: mirror.of(client) });
      const { kept, differing } = await agreed(client, mirror);
      assert.deepEqual(differing, []);
      assert.deepEqual(
        kept.mirrored,
        KINDS.map((k) => k.key),
      );
      assert.equal(kept.requests, 1, "only /version was asked");
      // A change to a Secret reaches the mirror as PartialObjectMetadata: no data, no type.
      sim.advanceBy(24 * 3_600_000);
      const after = await agreed(client, mirror);
      assert.deepEqual(after.differing, []);
      for (const s of after.kept.objects.secrets ?? []) {
        assert.equal("data" in s || "stringData" in s || "type" in s, false, s.metadata.name);
      }
    } finally {
      mirror.stop();
    }
  });

  it("watches the server ends on time are resumed from the last version seen, losing nothing", async () => {
    const mirror = new FleetMirror({ watchSeconds: 1 });
    const since = Date.now();
    try {
      await readCluster(client, { mirror: mirror.of(client) });
      const podWatches = () =>
        sim
          .cluster(NAME)
          .requests.filter(
            (r) => r.at >= since && r.path.startsWith("/api/v1/pods?") && r.path.includes("watch="),
          ).length;
      // Changes while watches end and are resumed, until the pods' watch has been resumed twice.
      for (let i = 0; i < 40 && podWatches() < 3; i++) {
        await new Promise((r) => setTimeout(r, 200));
        sim.advanceBy(5 * 60_000);
      }
      sim.advanceBy(30 * 60_000);
      // Nothing reads through the mirror after its seed, so no list re-seeds it: what it holds
      // came through watches that ended every second and were resumed.
      const deadline = Date.now() + 5000;
      let same = false;
      while (!same && Date.now() < deadline) {
        const truth = await readCluster(client);
        same = KINDS.every(
          (k) => JSON.stringify(mirror.of(client).current(k.key)) === JSON.stringify(truth.objects[k.key]),
        );
        if (!same) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(same, "the mirror holds what a fresh list says");
      assert.ok(podWatches() >= 3, `the pods' watch was resumed (${podWatches()} watches)`);
    } finally {
      mirror.stop();
    }
  });

  it("a kind that may be listed but not watched is listed at every snapshot, and its watch not asked again", async () => {
    const kubeconfig = writeSimKubeconfigWith(
      sim.kubeconfig({
        tokens: { [NAME]: sim.addToken(NAME, { user: "list-only", forbid: ["secrets:watch"] }) },
      }),
    );
    const [listOnly] = simClients(sim, kubeconfig, [NAME]) as [ClusterClient];
    const mirror = new FleetMirror();
    try {
      await readCluster(listOnly, { mirror: mirror.of(listOnly) });
      for (let i = 0; i < 3; i++) {
        const { kept, truth, differing } = await agreed(listOnly, mirror);
        assert.deepEqual(differing, []);
        assert.deepEqual(kept.failures, []);
        assert.deepEqual(
          kept.mirrored,
          KINDS.map((k) => k.key).filter((k) => k !== "secrets"),
        );
        assert.equal(kept.objects.secrets?.length, truth.objects.secrets?.length);
        sim.advanceBy(3_600_000);
      }
      const watches = sim
        .cluster(NAME)
        .requests.filter(
          (r) => r.user === "list-only" && r.path.startsWith("/api/v1/secrets?") && r.path.includes("watch="),
        );
      assert.equal(watches.length, 1, "the forbidden watch was asked once");
    } finally {
      mirror.stop();
    }
  });

  it("a refused watch leaves the kind to be listed (and its list refused visibly)", async () => {
    const mirror = new FleetMirror();
    try {
      await readCluster(client, { mirror: mirror.of(client) });
      // Every open watch breaks; when they come back, replicasets may no longer be watched.
      await sim.setFaults(NAME, { unreachable: true });
      await sim.setFaults(NAME, { unreachable: false, forbidResources: ["replicasets"] });
      await new Promise((r) => setTimeout(r, 1500));
      const read = await readCluster(client, { mirror: mirror.of(client) });
      assert.equal(read.mirrored?.includes("replicasets"), false);
      assert.deepEqual(
        read.failures.map((f) => [f.kind, f.status]),
        [["replicasets", 403]],
      );
      assert.equal(read.objects.replicasets, undefined, "nothing stale is offered for a refused kind");
    } finally {
      mirror.stop();
      await sim.clearFaults(NAME);
    }
  });
});

function assertSameFacts(kept: RawSnapshot, truth: RawSnapshot) {
  const facts = (raw: RawSnapshot) =>
    buildClusterFacts({ ...raw, startedAt: truth.startedAt, finishedAt: truth.finishedAt }, DEFAULT_PROFILES)
      .workloads;
  assert.deepEqual(facts(kept), facts(truth));
}
