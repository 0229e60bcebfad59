// Recalling an unchanged workload (FactsMemory) must never change what a snapshot says: on random
// sequences of the changes a cluster and its stored evidence go through, a workload the memory
// recalls is one whose records, built from scratch (the reference model), are exactly those built
// the snapshot before, and what it carries of them equals what they give; every other workload is
// built as from scratch. (facts-memory-writes.test.ts checks what is stored.)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DEFAULT_PROFILES } from "@pullsight/core";
import { unchangedOf } from "@pullsight/db";
import { Simulator } from "@pullsight/k8s-sim";
import fc from "fast-check";
import { buildClusterFacts } from "./facts.ts";
import { FactsMemory } from "./facts-memory.ts";
import { apply, change, clone, factsOf, newWorld } from "./facts-memory-world.ts";
import type { RawObject, RawSnapshot } from "./k8s/reader.ts";
import { readCluster } from "./k8s/reader.ts";
import { simClients, writeSimKubeconfig } from "./testing.ts";

const identityOf = (w: { namespace: string; kind: string; name: string }) =>
  `${w.namespace}/${w.kind}/${w.name}`;
const byIdentity = (
  ws: ReadonlyArray<{ namespace: string; kind: string; name: string; containers: unknown }>,
) => new Map(ws.map((w) => [identityOf(w), w.containers]));

describe("facts memory", () => {
  let sim: Simulator;
  let base: RawSnapshot;
  before(async () => {
    sim = await Simulator.start({ clusters: 1, podsPerCluster: 120, seed: 31 });
    const [client] = simClients(sim, writeSimKubeconfig(sim, "facts-memory-"));
    base = await readCluster(client as NonNullable<typeof client>, {});
    // A version whose kubelets call ServiceAccount-token providers (PROFILES declares some).
    base.gitVersion = "v1.34.2";
  });
  after(() => sim.stop());

  it("a recalled workload's records are unchanged since the snapshot before, lists read or watched (reference model: no memory)", () => {
    assert.deepEqual(base.failures, []);
    assert.ok((base.objects.pods ?? []).every((p) => typeof p.metadata.resourceVersion === "string"));
    let reused = 0;
    let byObjects = 0;
    fc.assert(
      // Listed: every snapshot's objects are new; watched: those no change touched are the same.
      fc.property(fc.array(change, { minLength: 1, maxLength: 10 }), fc.boolean(), (changes, watched) => {
        const w = newWorld(base);
        const memory = new FactsMemory();
        factsOf(w, memory, watched);
        memory.written("1");
        let before = byIdentity(factsOf(w).workloads);
        changes.forEach((c, step) => {
          apply(w, c);
          const recalled = factsOf(w, memory, watched);
          memory.written(String(step + 2));
          byObjects += memory.reusedByObjects;
          if (!watched) assert.equal(memory.reusedByObjects, 0);
          const full = factsOf(w);
          const now = byIdentity(full.workloads);
          assert.equal(recalled.workloads.length, full.workloads.length);
          full.workloads.forEach((fw, i) => {
            const mw = recalled.workloads[i];
            const id = identityOf(fw);
            const { containers: _m, unchanged: _u, ...mRest } = mw ?? fw;
            const { containers: _f, ...fRest } = fw;
            assert.deepEqual(mRest, fRest, id);
            if (mw?.unchanged) {
              assert.deepEqual(now.get(id), before.get(id), `${id} recalled after ${JSON.stringify(c)}`);
              assert.deepEqual(mw.unchanged, fw.containers.map(unchangedOf), id);
            } else assert.deepEqual(mw?.containers, fw.containers, id);
          });
          assert.equal(recalled.basedOn, memory.reused > 0 ? String(step + 1) : null);
          reused += memory.reused;
          before = now;
        });
      }),
      { numRuns: 60 },
    );
    assert.ok(reused > 0, "the memory was used");
    assert.ok(byObjects > 0, "watched workloads were recalled by their objects");
  });

  it("recalls nothing after a snapshot that was not written", () => {
    const w = newWorld(base);
    const memory = new FactsMemory();
    factsOf(w, memory);
    memory.written("1");
    factsOf(w, memory);
    assert.ok(memory.reused > 0);
    memory.forget();
    const again = factsOf(w, memory);
    assert.equal(memory.reused, 0);
    assert.equal(again.basedOn, null);
    // Built but never written: the next snapshot builds everything again too.
    factsOf(w, memory);
    assert.equal(memory.reused, 0);
  });

  it("reuses every workload of an unchanged cluster and rebuilds only what a change touched", () => {
    const memory = new FactsMemory();
    const w = { raw: clone(base) };
    const first = buildClusterFacts(w.raw, DEFAULT_PROFILES, {}, undefined, [], memory);
    memory.written("1");
    assert.equal(memory.reused, 0);
    buildClusterFacts(clone(w.raw), DEFAULT_PROFILES, {}, undefined, [], memory);
    memory.written("2");
    assert.equal(memory.reused, first.workloads.length);
    assert.equal(memory.built, 0);
    // One pod changes: its workload alone is built again.
    const pods = w.raw.objects.pods ?? [];
    const pod = clone(pods[0] as RawObject);
    pod.metadata.resourceVersion = "changed";
    w.raw.objects.pods = [pod, ...pods.slice(1)];
    buildClusterFacts(w.raw, DEFAULT_PROFILES, {}, undefined, [], memory);
    assert.equal(memory.built, 1);
    assert.equal(memory.reused, first.workloads.length - 1);
  });
});
