// Image volumes (spec.volumes[].image) against the simulator at three versions and a real
// PostgreSQL: none before 1.35 (the ImageVolume gate is off by default until then); from 1.35 every
// image volume is stored as its own entry (volume/<name>) with the simulator's reference, policy and
// policy source, the spec rules judge it like a container, its digest is read from the mounts in
// container status only where ImageVolumeWithDigest is on, and a volume whose pull fails is
// classified from the pod's events (its containers wait in ContainerCreating, naming no cause).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { imageVolumeKey } from "@pullsight/core";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import { collectFleet } from "./collect.ts";
import { EventWatcher } from "./event-watch.ts";
import type { ClusterClient } from "./k8s/client.ts";
import { simClients, writeSimKubeconfig } from "./testing.ts";

const MINUTE = 60_000;
const VERSIONS = ["v1.34.1", "v1.35.2", "v1.36.0"];
/** The 1.35 cluster turns on ImageVolumeWithDigest (alpha): only it reports volume digests. */
const GATES = [{}, { ImageVolumeWithDigest: true }, {}];

type SimEntry = Simulator["clusters"][number];

const keyOf = (u: { namespace: string; kind: string; name: string }, entry: string) =>
  `${u.namespace}/${u.kind}/${u.name}/${entry}`;

/** Every live image volume as the simulator configured it, keyed like the stored facts. */
function expectedVolumes(c: SimEntry): Map<string, string> {
  const out = new Map<string, string>();
  for (const u of c.sim.truth().images)
    if (u.type === "volume")
      out.set(keyOf(u, imageVolumeKey(u.container)), `${u.image} ${u.policy} ${u.policySource}`);
  return out;
}

describe("image volumes, per Kubernetes version", () => {
  let sim: Simulator;
  let t: TestDatabase;
  let clients: ClusterClient[];
  let watchers: EventWatcher[] = [];

  const collect = async () => {
    for (const [i, w] of watchers.entries()) {
      const rv = String((sim.clusters[i] as SimEntry).sim.store.resourceVersion);
      assert.ok(await w.reached(rv), "the watch caught up");
    }
    const outcomes = await collectFleet(t.db, clients, { read: { now: () => new Date(sim.now) } });
    for (const o of outcomes) assert.equal(o.status, "complete", o.cluster);
  };

  before(async () => {
    sim = await Simulator.start({
      clusters: 3,
      podsPerCluster: 400,
      seed: 35,
      versions: VERSIONS,
      featureGates: GATES,
      bookmarkIntervalMs: 200,
    });
    t = await createTestDatabase("image_volumes");
    clients = simClients(sim, writeSimKubeconfig(sim, "volumes-"));
    watchers = clients.map((c) => new EventWatcher(t.db, c, { flushMs: 100 }));
    await Promise.all(watchers.map((w) => w.start()));
  });
  after(async () => {
    await Promise.all(watchers.map((w) => w.stop()));
    await sim.stop();
    await t.drop();
  });

  it("stores every image volume with its reference, policy and policy source; none before 1.35", async () => {
    await collect();
    for (const c of sim.clusters) {
      const facts = await t.db.containerFact.findMany({
        where: {
          validTo: null,
          containerType: "volume",
          workload: { deletedAt: null, cluster: { name: c.name } },
        },
        include: { workload: true },
      });
      const stored = new Map(
        facts.map((f) => [
          keyOf(f.workload, f.containerName),
          `${f.image} ${f.imagePullPolicy} ${f.policySource}`,
        ]),
      );
      const expected = expectedVolumes(c);
      assert.deepEqual(
        Object.fromEntries([...stored].sort()),
        Object.fromEntries([...expected].sort()),
        c.name,
      );
      if (c.sim.minor < 35) assert.equal(expected.size, 0, `${c.name}: no image volumes before 1.35`);
      else assert.ok(expected.size > 5, `${c.name}: workloads mount image volumes`);
    }
  });

  it("judges an image volume's reference like a container's", async () => {
    const findings = await t.db.finding.findMany({
      where: { resolvedAt: null, containerName: { startsWith: "volume/" }, ruleId: "PS001" },
    });
    const mutable = await t.db.containerFact.count({
      where: { validTo: null, containerType: "volume", tagKind: { in: ["mutable", "untagged"] } },
    });
    assert.ok(mutable > 0, "some image volume names a mutable reference");
    assert.equal(findings.length, mutable, "PS001 on exactly the volumes with mutable references");
  });

  it("reads a volume's digest from the container mounts only where ImageVolumeWithDigest is on", async () => {
    for (const c of sim.clusters) {
      const rows = await t.db.runningImage.findMany({
        where: {
          validTo: null,
          containerName: { startsWith: "volume/" },
          workload: { cluster: { name: c.name } },
        },
        include: { workload: true },
      });
      const stored = new Set(rows.map((r) => `${keyOf(r.workload, r.containerName)} ${r.digest}`));
      const expected = new Set<string>();
      if (GATES[VERSIONS.indexOf(c.gitVersion)]?.ImageVolumeWithDigest)
        for (const u of c.sim.truth().images)
          if (u.type === "volume")
            for (const digest of u.digests)
              expected.add(`${keyOf(u, imageVolumeKey(u.container))} ${digest}`);
      assert.deepEqual([...stored].sort(), [...expected].sort(), c.name);
      if (c.gitVersion === "v1.35.2") assert.ok(rows.length > 0, `${c.name}: volume digests are read`);
      else assert.equal(rows.length, 0, `${c.name}: no digest without the gate`);
    }
  });

  it("classifies a failing image volume from the pod's events, and does not blame its containers", async () => {
    const c = sim.clusters[2] as SimEntry;
    const w = c.sim.workloads.find(
      (x) =>
        (x.kind === "Deployment" || x.kind === "StatefulSet") &&
        x.pods.size > 0 &&
        x.containers.some((v) => v.type === "volume" && v.repo && !v.digest && v.policy !== "Never"),
    );
    assert.ok(w, "a workload with an image volume to break");
    const volume = w.containers.find((v) => v.type === "volume") as (typeof w.containers)[number];
    c.sim.rollout(
      w,
      (x) => {
        if (x !== volume) return;
        x.tag = "9.9.9-gone";
        x.missingTag = true;
        x.image = `${x.repo?.written}:9.9.9-gone`;
      },
      sim.now,
    );
    sim.advanceBy(6 * MINUTE);
    await collect();
    const failing = c.sim.failingContainers().filter((f) => f.workload.name === w.name);
    assert.ok(
      failing.length > 0 && failing.every((f) => f.container === volume.name && f.cause === "not-found"),
    );
    const findings = await t.db.finding.findMany({
      where: { ruleId: "PS009", resolvedAt: null, cluster: { name: c.name }, workload: { name: w.name } },
    });
    assert.deepEqual(
      findings.map((f) => f.containerName),
      [imageVolumeKey(volume.name)],
      "only the volume fails to pull; its containers wait to be created",
    );
    const evidence = findings[0]?.evidence as {
      causeSources: Array<{ cause: string; source: string; pods: number }>;
    };
    assert.deepEqual(evidence.causeSources, [{ cause: "not-found", source: "events", pods: failing.length }]);
  });
});
