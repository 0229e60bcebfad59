// The image inventory against the simulator's truth: every image its live workloads run, in which
// clusters, by how many workloads, the digests its pods run on which nodes, drift (more than one
// digest) found by its filter, and the CSV's rows are the page's.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { getWorkloadFacets, imagesQuery, listImages } from "@pullsight/db";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import { collectFleet } from "./collect.ts";
import { simClients, writeSimKubeconfig } from "./testing.ts";

interface Truth {
  clusters: Set<string>;
  workloads: Set<string>;
  pods: Map<string, number>;
  nodes: Map<string, Set<string>>;
}

describe("image inventory", () => {
  let sim: Simulator;
  let t: TestDatabase;
  const truth = new Map<string, Truth>();

  let clients: ReturnType<typeof simClients>;
  before(async () => {
    sim = await Simulator.start({ clusters: 2, podsPerCluster: 300, seed: 31 });
    t = await createTestDatabase("images");
    clients = simClients(sim, writeSimKubeconfig(sim, "images-"));
    await collectFleet(t.db, clients, {});
    readTruth();
  });
  after(async () => {
    await sim.stop();
    await t.drop();
  });

  /** What the simulator's live workloads run now, by image. */
  function readTruth() {
    truth.clear();
    for (const c of sim.clusters)
      for (const u of c.sim.truth().images) {
        const x = truth.get(u.image) ?? {
          clusters: new Set(),
          workloads: new Set(),
          pods: new Map(),
          nodes: new Map(),
        };
        x.clusters.add(c.name);
        x.workloads.add(`${c.name}/${u.namespace}/${u.kind}/${u.name}`);
        for (const [digest, nodes] of Object.entries(u.nodesByDigest)) {
          const set = x.nodes.get(digest) ?? new Set();
          for (const n of nodes) set.add(n);
          x.nodes.set(digest, set);
        }
        truth.set(u.image, x);
      }
  }

  /** The inventory's every image equals the truth: clusters, workloads, digests and their nodes. */
  async function checkAgainstTruth() {
    const { rows, total } = await listImages(t.db, {}, { limit: 500 });
    assert.equal(total, truth.size);
    assert.equal(rows.length, truth.size, "one page holds them all");
    for (const r of rows) {
      const x = truth.get(r.image);
      assert.ok(x, r.image);
      assert.deepEqual(r.clusters, [...x.clusters].sort(), `${r.image} clusters`);
      assert.equal(r.workloads, x.workloads.size, `${r.image} workloads`);
      const digests = r.digests.filter((d) => d.digest !== null);
      assert.deepEqual(digests.map((d) => d.digest).sort(), [...x.nodes.keys()].sort(), `${r.image} digests`);
      for (const d of digests)
        assert.deepEqual(
          d.nodes,
          [...(x.nodes.get(d.digest as string) ?? [])].sort(),
          `${r.image} ${d.digest} nodes`,
        );
    }
    // Drifting references come first.
    const drifting = rows.map((r) => r.digests.filter((d) => d.digest).length > 1);
    assert.deepEqual(
      drifting,
      [...drifting].sort((a, b) => Number(b) - Number(a)),
    );
    return rows;
  }

  it("lists every image the fleet runs with its clusters, workloads, and the nodes running each digest", async () => {
    await checkAgainstTruth();
  });

  it("counts each image's containers by where their pulls get credentials, as their facts record it", async () => {
    const { rows } = await listImages(t.db, {}, { limit: 500 });
    const facts = await t.db.containerFact.findMany({
      where: { validTo: null, workload: { deletedAt: null } },
      select: { image: true, credentialSources: true },
    });
    const expected = new Map<string, Record<string, number>>();
    for (const f of facts) {
      const counts = expected.get(f.image) ?? {};
      for (const s of f.credentialSources) counts[s] = (counts[s] ?? 0) + 1;
      expected.set(f.image, counts);
    }
    for (const r of rows) assert.deepEqual(r.credentialSources, expected.get(r.image), r.image);
    const sources = new Set(rows.flatMap((r) => Object.keys(r.credentialSources)));
    assert.ok(sources.size >= 3, `several sources occur: ${[...sources]}`);
    assert.ok(!sources.has("not-recorded"), "every fact of this snapshot records its sources");
  });

  it("the drift filter finds exactly the references running as more than one digest; a cluster filter its own", async () => {
    const drift = await listImages(t.db, { drift: true }, { limit: 500 });
    const expected = [...truth].filter(([, x]) => x.nodes.size > 1).map(([image]) => image);
    assert.ok(expected.length > 0, "the simulated fleet drifts");
    assert.deepEqual(drift.rows.map((r) => r.image).sort(), expected.sort());
    const name = sim.clusters[0]?.name as string;
    const own = await listImages(t.db, { cluster: name }, { limit: 500 });
    assert.deepEqual(
      own.rows.map((r) => r.image).sort(),
      [...truth]
        .filter(([, x]) => x.clusters.has(name))
        .map(([image]) => image)
        .sort(),
    );
    for (const r of own.rows) assert.deepEqual(r.clusters, [name]);
  });

  it("the CSV's rows are the page's: one per image and running digest, in the same order", async () => {
    const csv = await t.db.$queryRaw<Array<{ image: string; digest: string | null; pods: number | null }>>(
      imagesQuery({}),
    );
    const { rows } = await listImages(t.db, {}, { limit: 500 });
    const fromPage = rows.flatMap((r) =>
      r.digests.length ? r.digests.map((d) => `${r.image} ${d.digest} ${d.pods}`) : [`${r.image} null null`],
    );
    assert.deepEqual(
      csv.map((c) => `${c.image} ${c.digest} ${c.pods}`),
      fromPage,
    );
  });

  /**
   * The inventory equals what the stored current rows say, computed here from them: a snapshot taken
   * mid-rollout records the pods as their status showed them, which the simulator's truth (what
   * will run) does not.
   */
  async function checkAgainstStored() {
    const live = { validTo: null, workload: { deletedAt: null } };
    const facts = await t.db.containerFact.findMany({
      where: live,
      select: { image: true, workloadId: true, workload: { select: { clusterId: true, cluster: true } } },
    });
    const running = await t.db.runningImage.findMany({
      where: live,
      select: {
        image: true,
        digest: true,
        pods: true,
        nodeName: true,
        workload: { select: { clusterId: true } },
      },
    });
    const { rows } = await listImages(t.db, {}, { limit: 500 });
    assert.equal(rows.length, new Set(facts.map((f) => f.image)).size, "one row per image");
    for (const r of rows) {
      const mine = facts.filter((f) => f.image === r.image);
      const clusterIds = new Set(mine.map((f) => f.workload.clusterId));
      assert.deepEqual(r.clusters, [...new Set(mine.map((f) => f.workload.cluster.name))].sort(), r.image);
      assert.deepEqual(
        [r.workloads, r.containers],
        [new Set(mine.map((f) => f.workloadId)).size, mine.length],
      );
      const digests = new Map<string | null, { pods: number; nodes: Set<string> }>();
      for (const x of running.filter((x) => x.image === r.image && clusterIds.has(x.workload.clusterId))) {
        const d = digests.get(x.digest) ?? { pods: 0, nodes: new Set<string>() };
        d.pods += x.pods;
        d.nodes.add(x.nodeName);
        digests.set(x.digest, d);
      }
      assert.deepEqual(
        r.digests.map((d) => [d.digest, d.pods, d.nodes]).sort(),
        [...digests].map(([digest, d]) => [digest, d.pods, [...d.nodes].sort()]).sort(),
        `${r.image} digests`,
      );
    }
    return rows;
  }

  it("follows the fleet: after rollouts to a new tag, the next snapshot's inventory equals the stored rows", async () => {
    const [cluster] = sim.clusters;
    assert.ok(cluster);
    const chosen = cluster.sim.workloads
      .filter((w) => w.containers.every((c) => c.repo && !c.digest))
      .slice(0, 4);
    assert.equal(chosen.length, 4, "four workloads to roll out");
    for (const w of chosen)
      cluster.sim.rollout(
        w,
        (c) => {
          c.tag = "7.7.7";
          c.image = `${c.repo?.written}:7.7.7`;
        },
        sim.now,
      );
    sim.advanceBy(10 * 60_000);
    const [outcome] = await collectFleet(t.db, clients, {});
    assert.ok((outcome?.rows?.inventory ?? 0) > 0, "the inventory changed and was rewritten in part");
    const rows = await checkAgainstStored();
    // The workload list's facet counts are kept by the same step: they follow the rollout too.
    const facts = await t.db.containerFact.findMany({
      where: { validTo: null, workload: { deletedAt: null } },
      select: { tagKind: true, registry: true, imagePullPolicy: true },
    });
    const facets = await getWorkloadFacets(t.db);
    for (const [facet, of] of [
      ["tagKind", (f: (typeof facts)[number]) => f.tagKind],
      ["registry", (f: (typeof facts)[number]) => f.registry],
      ["policy", (f: (typeof facts)[number]) => f.imagePullPolicy],
    ] as const) {
      const expected = new Map<string, number>();
      for (const f of facts) expected.set(of(f), (expected.get(of(f)) ?? 0) + 1);
      assert.deepEqual(
        Object.fromEntries((facets[facet] ?? []).map((v) => [v.value, v.containers])),
        Object.fromEntries(expected),
        facet,
      );
    }
    readTruth();
    const rolled = rows.filter((r) => r.image.endsWith(":7.7.7"));
    assert.ok(rolled.length > 0, "the new tag is listed");
    for (const r of rolled) {
      assert.deepEqual(r.clusters, [...(truth.get(r.image)?.clusters ?? [])].sort(), r.image);
      assert.equal(r.workloads, truth.get(r.image)?.workloads.size, r.image);
    }
    // A digest's sample workloads run it: each is a live workload of a cluster that runs the image.
    const kinds = new Map(
      (await t.db.workload.findMany({ select: { id: true, kind: true } })).map((w) => [w.id, w.kind]),
    );
    for (const r of rows)
      for (const d of r.digests)
        for (const w of d.workloads)
          assert.ok(
            truth.get(r.image)?.workloads.has(`${w.cluster}/${w.namespace}/${kinds.get(w.id)}/${w.name}`),
            `${w.cluster}/${w.namespace}/${w.name} runs ${r.image}`,
          );
  });
});
