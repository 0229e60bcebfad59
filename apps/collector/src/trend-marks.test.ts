// Marks on the trends come from stored history: a rollout the simulator made is an ImageChange
// with both images and a rollout mark on its day, a waiver is a waiver mark, and a day's failed
// pulls are an incident only when they stand out.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { getTrendMarks, INCIDENT_MIN_FAILURES, incidents } from "@pullsight/db";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import { collectFleet } from "./collect.ts";
import { simClients, writeSimKubeconfig } from "./testing.ts";

type SimCluster = Simulator["clusters"][number]["sim"];
const DAY = 86_400_000;

describe("trend marks from stored history", () => {
  let sim: Simulator;
  let t: TestDatabase;
  let cluster: SimCluster;
  const collect = async () => {
    const [outcome] = await collectFleet(t.db, simClients(sim, writeSimKubeconfig(sim, "marks-")), {
      read: { now: () => new Date(sim.now) },
    });
    assert.ok(outcome?.snapshotId, `snapshot stored: ${outcome?.status}`);
  };

  before(async () => {
    sim = await Simulator.start({ clusters: 1, podsPerCluster: 300, seed: 29 });
    cluster = sim.clusters[0]?.sim as SimCluster;
    t = await createTestDatabase("trend_marks");
    await collect();
  });
  after(async () => {
    await sim.stop();
    await t.drop();
  });

  it("a rollout is an ImageChange with both images, and a mark on its day counting its workloads", async () => {
    // StatefulSets: the simulator's own daily rollouts touch Deployments only.
    const chosen = cluster.workloads
      .filter((w) => w.kind === "StatefulSet" && w.containers.every((c) => c.repo && !c.digest))
      .slice(0, 3);
    assert.equal(chosen.length, 3, "three StatefulSets to roll out");
    const before = new Map(chosen.map((w) => [w, w.containers.map((c) => c.image)]));
    for (const w of chosen)
      cluster.rollout(
        w,
        (c) => {
          c.tag = "9.9.9";
          c.image = `${c.repo?.written}:9.9.9`;
        },
        sim.now,
      );
    sim.advanceBy(10 * 60_000);
    await collect();

    const key = (w: { namespace: string; name: string }) => `${w.namespace}/${w.name}`;
    const changes = await t.db.imageChange.findMany({ include: { workload: true } });
    for (const w of chosen) {
      const mine = changes.filter((x) => x.workload.kind === "StatefulSet" && key(x.workload) === key(w));
      assert.deepEqual(
        mine.map((x) => [x.containerName, x.fromImage, x.toImage]).sort(),
        w.containers.map((c, i) => [c.name, before.get(w)?.[i], c.image]).sort(),
        key(w),
      );
    }
    const now = new Date(sim.now);
    const marks = await getTrendMarks(t.db, {
      cluster: sim.clusters[0]?.name as string,
      from: new Date(now.getTime() - 2 * DAY),
      to: new Date(now.getTime() + DAY),
    });
    const rollouts = marks.filter((m) => m.kind === "rollout");
    const day = new Date(Math.floor(changes[0]?.at.getTime() ?? 0) - ((changes[0]?.at.getTime() ?? 0) % DAY));
    const onDay = rollouts.find((m) => m.day.getTime() === day.getTime());
    const workloads = new Set(
      changes.filter((x) => x.at.getTime() - day.getTime() < DAY).map((x) => x.workloadId),
    );
    assert.equal(onDay?.count, workloads.size, "the mark counts the workloads that changed image that day");
    const named = new Set(changes.map((x) => key(x.workload)));
    for (const e of onDay?.examples ?? []) assert.ok(named.has(e), `${e} rolled out`);
    // Drift the first snapshot found was there before history began: it is not a tag that moved that day.
    const first = await t.db.snapshot.findFirstOrThrow({ orderBy: { startedAt: "asc" } });
    const drift = await t.db.finding.findMany({ where: { ruleId: { in: ["PS010", "PS020"] } } });
    assert.ok(
      drift.some((f) => f.openedSnapshotId === first.id),
      "the first snapshot found drift",
    );
    const later = drift.filter((f) => f.openedSnapshotId !== first.id).length;
    assert.equal(
      marks.filter((m) => m.kind === "tag-moved").reduce((n, m) => n + m.count, 0),
      later,
    );
  });

  it("a waiver created is a mark naming its rule; another cluster's is not", async () => {
    const name = sim.clusters[0]?.name as string;
    const at = new Date(sim.now);
    const waiver = (cluster: string | null) => ({
      ruleId: "PS005",
      cluster,
      reason: "Vendor images are pinned by the vendor.",
      owner: "platform",
      createdBy: "test",
      createdAt: at,
      expiresAt: new Date(at.getTime() + 30 * DAY),
    });
    await t.db.waiver.createMany({ data: [waiver(name), waiver("elsewhere")] });
    const marks = await getTrendMarks(t.db, {
      cluster: name,
      from: new Date(at.getTime() - DAY),
      to: new Date(at.getTime() + DAY),
    });
    const waivers = marks.filter((m) => m.kind === "waiver");
    assert.deepEqual(
      waivers.map((m) => [m.count, m.examples]),
      [[1, ["PS005"]]],
    );
  });

  it("a day of failed pulls is an incident from the minimum and three times the median day, heaviest first", () => {
    const day = (n: number) => new Date(Date.UTC(2026, 10, 1 + n));
    const rows = [
      ...Array.from({ length: 10 }, (_, i) => ({ day: day(i), cause: "not-found", n: 4 })),
      { day: day(3), cause: "unauthorized", n: 30 },
      { day: day(7), cause: "registry-unavailable", n: INCIDENT_MIN_FAILURES + 2 },
      { day: day(8), cause: "not-found", n: 5 },
    ];
    const found = incidents(rows);
    assert.deepEqual(
      found.map((m) => [m.day.toISOString().slice(0, 10), m.count, m.ref]),
      [
        ["2026-11-04", 34, "unauthorized"],
        ["2026-11-08", INCIDENT_MIN_FAILURES + 6, "registry-unavailable"],
      ],
    );
    assert.deepEqual(incidents(rows.map((r) => ({ ...r, n: Math.min(r.n, 3) }))), [], "no day stands out");
  });
});
