// A collector that keeps its memory writes only what changed: unchanged workloads are neither built
// nor written, and their stored rows stand. What it stores must be exactly what a collector
// without memory stores (the reference model), after every step of random sequences of changes to
// the cluster and its evidence, hours passing and pods recovering (runtime findings clear, then
// resolve), pods deleted, and another collector writing the cluster in between, having seen it otherwise (the
// memory's base goes stale).
// Both write into one real PostgreSQL, as two clusters; every row they own is compared.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Db, poolOf, type SnapshotInput, writeSnapshot } from "@pullsight/db";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import fc from "fast-check";
import { snapshotInput, storeFacts } from "./collect.ts";
import type { ClusterFactsResult } from "./facts.ts";
import { FactsMemory } from "./facts-memory.ts";
import { apply, change, factsOf, newWorld, type World } from "./facts-memory-world.ts";
import { type RawObject, type RawSnapshot, readCluster } from "./k8s/reader.ts";
import { simClients, writeSimKubeconfig } from "./testing.ts";

const step = fc.oneof(
  { arbitrary: change, weight: 6 },
  // A runtime finding resolves after a week without its condition (core's RUNTIME_RESOLVE_HOURS).
  {
    arbitrary: fc.record({ t: fc.constant("hours" as const), h: fc.constantFrom(1, 6, 30, 170) }),
    weight: 2,
  },
  { arbitrary: fc.constant({ t: "podsRunning" as const }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant("deletePod" as const), i: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant("otherWriter" as const), saw: change }), weight: 1 },
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

const T0 = Date.UTC(2026, 0, 1);

/** Every container waiting in every pod starts running (its pod rewritten): runtime findings start clearing. */
function recover(w: World) {
  type Status = { state?: object };
  const lists = ["containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"];
  const waiting = (p: RawObject) =>
    lists.flatMap((l) => ((p.status as Record<string, Status[]> | undefined)?.[l] ?? []) as Status[]);
  w.raw.objects.pods = (w.raw.objects.pods ?? []).map((p) => {
    if (!waiting(p).some((s) => s.state && "waiting" in s.state)) return p;
    const copy = structuredClone(p);
    for (const s of waiting(copy)) s.state = { running: { startedAt: "2026-01-01T00:00:00Z" } };
    w.rv++;
    copy.metadata.resourceVersion = String(w.rv);
    return copy;
  });
}

/** The snapshot of `cluster` taken at `at`, as the collector hands it to the writer. */
function inputOf(cluster: string, facts: ClusterFactsResult, at: number, raw: RawSnapshot): SnapshotInput {
  const taken = { ...raw, startedAt: new Date(at - 1000), finishedAt: new Date(at) };
  return snapshotInput({ name: cluster, server: "https://sim.invalid" }, taken, facts, {});
}

const named = (w: World, cluster: string): World => ({ ...w, raw: { ...w.raw, cluster } });

/** Every row the cluster owns, without ids or names that differ between the two clusters. */
async function stateOf(db: Db, cluster: string) {
  const pool = poolOf(db);
  const q = async (sql: string) =>
    (
      await pool.query(
        `WITH c AS (SELECT id FROM "Cluster" WHERE name = $1),
       o AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM "Snapshot" WHERE "clusterId" = (SELECT id FROM c)),
       wl AS (SELECT id, namespace || '/' || kind || '/' || name AS w FROM "Workload" WHERE "clusterId" = (SELECT id FROM c))
       ${sql}`,
        [cluster],
      )
    ).rows;
  const ord = (col: string) => `(SELECT n FROM o WHERE o.id = ${col}) AS "${col.replace(/\W/g, "")}"`;
  const state = {
    workloads:
      await q(`SELECT namespace, kind, name, uid, "serviceAccount", labels, "deletedAt", "firstSeenAt"
      FROM "Workload" WHERE "clusterId" = (SELECT id FROM c) ORDER BY 1, 2, 3`),
    facts: await q(`SELECT wl.w, f."containerName", f."factHash", f."validFrom", f."validTo",
      ${ord('f."validFromSnapshot"')}, ${ord('f."validToSnapshot"')}
      FROM "ContainerFact" f JOIN wl ON wl.id = f."workloadId" ORDER BY 1, 2, 4, 3`),
    running:
      await q(`SELECT wl.w, r."containerName", r."nodeName", r.digest, r.pods, r."validFrom", r."validTo"
      FROM "RunningImage" r JOIN wl ON wl.id = r."workloadId" ORDER BY 1, 2, 3, 4, 6`),
    findings:
      await q(`SELECT wl.w, f."containerName", f."ruleId", f.severity, f.fingerprint, f.image, f.evidence,
      f."evidenceHash", f."openedAt", f."firstSeenAt", f."evidenceSince", f."versionSince", f."clearingSince",
      f."resolvedAt", f."unverifiedSince", ${ord('f."openedSnapshotId"')}, ${ord('f."lastSeenSnapshotId"')},
      ${ord('f."resolvedSnapshotId"')}, ${ord('f."evidenceSnapshotId"')},
      (SELECT json_agg(json_build_object('from', e."validFrom", 'to', e."validTo", 'evidence', e.evidence,
         'clearing', e."clearingSince") ORDER BY e."validFrom", e.id) FROM "FindingEvidence" e WHERE e."findingId" = f.id) AS history
      FROM "Finding" f LEFT JOIN wl ON wl.id = f."workloadId" WHERE f."clusterId" = (SELECT id FROM c)
      ORDER BY f.fingerprint, f."openedAt"`),
    rollups:
      await q(`SELECT ${ord('r."snapshotId"')}, r.namespace, r.workloads, r.containers, r.compliant, r.score,
      r."byPolicy", r."byPolicySource", r."byTagKind", r."byRegistry", r."findingsByRule", r."findingsBySeverity"
      FROM "PostureRollup" r WHERE r."clusterId" = (SELECT id FROM c) ORDER BY 1, 2`),
    images:
      await q(`SELECT image, registry, tag, "tagKind", workloads, containers, policies, "credentialSources"
      FROM "ImageUse" WHERE "clusterId" = (SELECT id FROM c) ORDER BY 1`),
    changes: await q(`SELECT wl.w, i."containerName", i."fromImage", i."toImage", i.at
      FROM "ImageChange" i JOIN wl ON wl.id = i."workloadId" ORDER BY 1, 2, 5`),
  };
  return JSON.parse(JSON.stringify(state).replaceAll(cluster, "CLUSTER"));
}

describe("facts memory: what is stored", () => {
  let sim: Simulator;
  let base: RawSnapshot;
  let t: TestDatabase;
  before(async () => {
    sim = await Simulator.start({ clusters: 1, podsPerCluster: 120, seed: 31 });
    const [client] = simClients(sim, writeSimKubeconfig(sim, "facts-memory-writes-"));
    base = await readCluster(client as NonNullable<typeof client>, {});
    base.gitVersion = "v1.34.2";
    t = await createTestDatabase("facts_memory_writes");
  });
  after(async () => {
    await t.drop();
    await sim.stop();
  });

  it("a collector with memory stores exactly what one without stores, after every step", async () => {
    let run = 0;
    let recalled = 0;
    let byObjects = 0;
    let stale = 0;
    const log = {
      debug() {},
      info() {},
      error() {},
      warn(msg: string) {
        if (msg.startsWith("stored snapshot is not")) stale++;
      },
      child: () => log,
    };
    await fc.assert(
      // watched: the memory's collector keeps its lists by watches (unchanged objects stay the same).
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (steps: Step[], watched: boolean) => {
          run++;
          const [mem, full] = [`mem-${run}`, `full-${run}`];
          const w = newWorld(base);
          const memory = new FactsMemory();
          let at = T0;
          const write = async () => {
            await storeFacts(
              t.db,
              memory,
              () => factsOf(named(w, mem), memory, watched),
              (f) => inputOf(mem, f, at, w.raw),
              log,
            );
            recalled += memory.reused;
            byObjects += memory.reusedByObjects;
            await writeSnapshot(t.db, inputOf(full, factsOf(named(w, full)), at, w.raw));
          };
          await write();
          for (const s of steps) {
            at += 10 * 60_000;
            if (s.t === "hours") at += s.h * 3_600_000;
            else if (s.t === "podsRunning") recover(w);
            else if (s.t === "deletePod") {
              const pods = w.raw.objects.pods ?? [];
              w.raw.objects.pods = pods.filter((_, j) => j !== s.i % Math.max(1, pods.length));
            } else if (s.t === "otherWriter") {
              // Another collector writes both clusters, having seen one more change than this one will.
              const seen = structuredClone(w);
              apply(seen, s.saw);
              for (const cluster of [mem, full])
                await writeSnapshot(t.db, inputOf(cluster, factsOf(named(seen, cluster)), at, seen.raw));
              at += 60_000;
            } else apply(w, s);
            await write();
            assert.deepEqual(await stateOf(t.db, mem), await stateOf(t.db, full), JSON.stringify(s));
          }
        },
      ),
      { numRuns: 30 },
    );
    assert.ok(recalled > 0, "unchanged workloads were recalled");
    assert.ok(byObjects > 0, "watched workloads were recalled by their objects");
    assert.ok(stale > 0, "a stale memory was met and rebuilt");
  });
});
