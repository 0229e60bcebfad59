import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PULL_EVENT_REASONS } from "@pullsight/core";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator, startControlServer } from "@pullsight/k8s-sim";
import { backfill, simulatorClock } from "./backfill.ts";
import { EventWatcher } from "./event-watch.ts";
import { currentCounts, simClients, writeSimKubeconfig } from "./testing.ts";

const PULL_REASONS = new Set<string>(PULL_EVENT_REASONS);
const HOUR = 3_600_000;

describe("backfill against the simulator's clock", () => {
  let sim: Simulator;
  let control: Awaited<ReturnType<typeof startControlServer>>;
  let t: TestDatabase;
  let kubeconfig: string;

  before(async () => {
    sim = await Simulator.start({
      clusters: 2,
      podsPerCluster: 250,
      seed: 5,
      bookmarkIntervalMs: 50,
      startTime: Date.parse("2026-03-01T00:00:00Z"),
    });
    control = await startControlServer(sim);
    t = await createTestDatabase("backfill");
    kubeconfig = writeSimKubeconfig(sim, "backfill-");
  });
  after(async () => {
    await control.close();
    await sim.stop();
    await t.drop();
  });

  it("builds two days of history on simulated time, losing no event", async () => {
    const start = sim.now;
    const clients = simClients(sim, kubeconfig);
    const watchers = clients.map((c) => new EventWatcher(t.db, c, { flushMs: 100 }));
    await Promise.all(watchers.map((w) => w.start()));
    const result = await backfill(t.db, clients, {
      clock: simulatorClock(control.url),
      days: 2,
      stepMinutes: 60,
      snapshotEveryMinutes: 6 * 60,
      watchers,
    });
    await Promise.all(watchers.map((w) => w.stop()));

    assert.equal(result.steps, 48);
    assert.equal(result.snapshots, 9, "one at the start, then every 6 simulated hours");
    assert.equal(result.until.getTime(), start + 48 * HOUR);
    for (const c of sim.clusters) {
      // Snapshots are stamped with the cluster's time, 6 hours apart, all complete.
      const snaps = await t.db.snapshot.findMany({
        where: { cluster: { name: c.name } },
        orderBy: { startedAt: "asc" },
        select: { startedAt: true, status: true, stats: true },
      });
      assert.deepEqual(
        snaps.map((s) => [s.startedAt.getTime(), s.status]),
        Array.from({ length: 9 }, (_, i) => [start + i * 6 * HOUR, "complete"]),
        `${c.name} snapshots`,
      );
      // The simulated clock stands still while a snapshot reads; its read time is wall time.
      for (const s of snaps)
        assert.ok(((s.stats as { readMs?: number }).readMs ?? 0) > 0, "read time measured");
      const { id: clusterId } = await t.db.cluster.findUniqueOrThrow({ where: { name: c.name } });
      const rollups = await t.db.postureRollup.count({ where: { clusterId, namespace: "" } });
      assert.equal(rollups, 9, `${c.name} cluster rollups`);

      // The last snapshot equals the truth at the end of the backfill.
      const truth = c.sim.truth();
      const stored = await currentCounts(t.db, c.name);
      assert.equal(stored.total, truth.containers.total);
      assert.deepEqual(stored.byPolicy, truth.containers.byPolicy);
      assert.deepEqual(stored.byTagKind, truth.containers.byTagKind);

      // Every pull event live at the start or emitted since is stored once, with its final count.
      const emitted = c.sim.events(start - HOUR + 1).filter((e) => PULL_REASONS.has(e.reason));
      assert.ok(emitted.length > 100, `${c.name} emitted ${emitted.length} pull events`);
      const rows = await t.db.pullEvent.findMany({
        where: { cluster: { name: c.name } },
        select: { uid: true, count: true, pullDurationMs: true },
      });
      const byUid = new Map(rows.map((r) => [r.uid, r]));
      assert.equal(byUid.size, rows.length, "no event stored twice");
      const missing = emitted.filter((e) => byUid.get(e.uid)?.count !== e.count);
      assert.deepEqual(
        missing.map((e) => `${e.name} ${e.reason} x${e.count}`),
        [],
        `${c.name} events`,
      );

      // Daily latency rollups cover each simulated day with events (the live hour before the start too).
      const days = await t.db.pullLatencyDaily.findMany({
        where: { clusterId },
        distinct: ["day"],
        select: { day: true },
        orderBy: { day: "asc" },
      });
      assert.deepEqual(
        days.map((d) => d.day.toISOString().slice(0, 10)),
        [...new Set(emitted.map((e) => new Date(e.lastTimestamp).toISOString().slice(0, 10)))].sort(),
      );
    }
  });

  it("refuses a target before the clock", async () => {
    await assert.rejects(
      backfill(t.db, [], { clock: simulatorClock(control.url), until: new Date(sim.now - HOUR) }),
      /before the clock/,
    );
  });
});
