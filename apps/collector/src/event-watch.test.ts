import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { BUCKET_RESOLUTION, histogramOf, PULL_EVENT_REASONS } from "@pullsight/core";
import { getClusterPullStats, getLatencyTrend, refreshPullLatencyDaily } from "@pullsight/db";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import { EventWatcher } from "./event-watch.ts";
import { createClusterClient, loadKubeConfig } from "./k8s/client.ts";
import { waitFor } from "./testing.ts";

const PULL_REASONS = new Set<string>(PULL_EVENT_REASONS);

describe("event watch against the simulator", () => {
  let sim: Simulator;
  let t: TestDatabase;
  let kubeconfig: string;
  const client = () =>
    createClusterClient(
      "prod-eu-1",
      loadKubeConfig({ kind: "kubeconfig", path: kubeconfig, context: "prod-eu-1" }),
    );

  before(async () => {
    sim = await Simulator.start({ clusters: 1, podsPerCluster: 500, seed: 21, bookmarkIntervalMs: 200 });
    t = await createTestDatabase("events");
    kubeconfig = path.join(mkdtempSync(path.join(tmpdir(), "events-")), "kubeconfig");
    writeFileSync(kubeconfig, sim.kubeconfig());
  });
  after(async () => {
    await sim.stop();
    await t.drop();
  });

  /** Every pull event the simulator emitted that was live at or after `since`, keyed by uid. */
  const emittedSince = (since: number) =>
    new Map(
      sim
        .cluster("prod-eu-1")
        .sim.events(since)
        .filter((e) => PULL_REASONS.has(e.reason))
        .map((e) => [e.uid, e]),
    );

  /** Every event emitted since `since` is stored with its latest count. */
  async function caughtUp(watcher: EventWatcher, since: number): Promise<boolean> {
    await watcher.flush();
    const stored = await t.db.pullEvent.findMany({ select: { uid: true, count: true } });
    const byUid = new Map(stored.map((s) => [s.uid, s.count]));
    return [...emittedSince(since + 1).values()].every((e) => byUid.get(e.uid) === e.count);
  }

  async function assertStoredExactly(
    expected: Map<string, ReturnType<typeof emittedSince> extends Map<string, infer V> ? V : never>,
  ) {
    const stored = await t.db.pullEvent.findMany({
      select: { uid: true, count: true, pullDurationMs: true, reason: true },
    });
    const byUid = new Map(stored.map((s) => [s.uid, s]));
    assert.equal(new Set(stored.map((s) => s.uid)).size, stored.length, "no event stored twice");
    for (const [uid, e] of expected) {
      const s = byUid.get(uid);
      assert.ok(s, `event ${e.name} (${e.reason}) was stored`);
      assert.equal(s.count, e.count, `count of ${e.name}`);
      if (e.pullNs !== null) assert.equal(s.pullDurationMs, e.pullNs / 1e6, `duration of ${e.name}`);
    }
  }

  /** Every registry's days of a week merged: percentiles of all its pulls, from merged histograms. */
  async function assertMergedPercentiles(
    emitted: ReturnType<typeof emittedSince>,
    where: ReadonlyMap<string, { registry: string | null; lastTimestamp: Date }>,
  ) {
    const trend = await getLatencyTrend(t.db, {
      bucket: "week",
      from: new Date("2025-01-01T00:00:00Z"),
      to: new Date("2027-01-01T00:00:00Z"),
    });
    for (const point of trend.filter((p) => p.percentiles === "histogram")) {
      const inWeek = (d: Date | undefined) =>
        !!d && d >= point.bucket && d.getTime() < point.bucket.getTime() + 7 * 86_400_000;
      const exact = [...emitted.values()]
        .filter(
          (e) =>
            e.reason === "Pulled" &&
            e.pullNs !== null &&
            where.get(e.uid)?.registry === point.registry &&
            inWeek(where.get(e.uid)?.lastTimestamp),
        )
        .map((e) => (e.pullNs as number) / 1e6)
        .sort((a, b) => a - b);
      assert.equal(point.pulls, exact.length, `${point.registry} pulls`);
      const rank = 0.95 * (exact.length - 1);
      const lo = (exact[Math.floor(rank)] as number) / (1 + BUCKET_RESOLUTION);
      const hi = (exact[Math.ceil(rank)] as number) * (1 + BUCKET_RESOLUTION);
      const p95 = point.p95Ms as number;
      assert.ok(p95 >= lo && p95 <= hi, `${point.registry}: p95 ${p95} from histograms, in [${lo}, ${hi}]`);
    }
    assert.ok(
      trend.some((p) => p.percentiles === "histogram"),
      "some registry spans several days",
    );
  }

  it("stores every pull event, with counts and exact durations, through drops, a 410 and a restart", async () => {
    const startedAt = sim.now - 60 * 60_000; // what is live at start
    let watcher = new EventWatcher(t.db, client(), { flushMs: 100 });
    try {
      await watcher.start();
      await assertStoredExactly(emittedSince(startedAt + 1));

      // The clock moves: new pulls, aggregated back-offs, expiring events.
      sim.advanceBy(40 * 60_000);
      await waitFor(async () => (await t.db.pullEvent.count()) >= emittedSince(startedAt + 1).size);
      await watcher.flush();

      // Watches dropped mid-stream, repeatedly.
      await sim.setFaults("prod-eu-1", { dropWatchesAfter: 25 });
      sim.advanceBy(20 * 60_000);
      await new Promise((r) => setTimeout(r, 300));
      await sim.clearFaults("prod-eu-1");
      sim.advanceBy(60_000);
      await waitFor(() => caughtUp(watcher, startedAt));
      assert.ok(watcher.stats.resumes >= 1, "the watch was dropped and resumed");

      // History compacted while the watch is down: the resume answers 410, the watcher lists again.
      await sim.setFaults("prod-eu-1", { dropWatchesAfter: 0 });
      await new Promise((r) => setTimeout(r, 300));
      sim.advanceBy(5 * 60_000);
      sim.cluster("prod-eu-1").sim.store.compact();
      const relists = watcher.stats.relists;
      await sim.clearFaults("prod-eu-1");
      sim.advanceBy(60_000);
      await waitFor(() => watcher.stats.relists > relists);

      // The collector restarts after a 20-minute outage: events emitted meanwhile are still live.
      await watcher.stop();
      sim.advanceBy(20 * 60_000);
      watcher = new EventWatcher(t.db, client(), { flushMs: 100 });
      await watcher.start();
      sim.advanceBy(60_000);
      await waitFor(() => caughtUp(watcher, startedAt));
      await watcher.stop();
      await assertStoredExactly(emittedSince(startedAt + 1));
      const total = await t.db.pullEvent.count();
      assert.ok(total > 100, `the scenario produced a real volume of events (${total})`);

      // Daily latency rollups agree with the simulator: pulls per registry, exact percentiles.
      const cluster = await t.db.cluster.findUniqueOrThrow({ where: { name: "prod-eu-1" } });
      await refreshPullLatencyDaily(t.db, cluster.id, 2);
      const rows = await t.db.pullLatencyDaily.findMany({ where: { clusterId: cluster.id } });
      assert.ok(rows.length > 0);
      const stored = await t.db.pullEvent.findMany({
        where: { clusterId: cluster.id },
        select: { uid: true, registry: true, lastTimestamp: true },
      });
      const where = new Map(stored.map((s) => [s.uid, s]));
      for (const row of rows) {
        const day = row.day.toISOString().slice(0, 10);
        const pulls = [...emittedSince(0).values()]
          .filter(
            (e) =>
              e.reason === "Pulled" &&
              e.pullNs !== null &&
              where.get(e.uid)?.registry === row.registry &&
              where.get(e.uid)?.lastTimestamp.toISOString().slice(0, 10) === day,
          )
          .map((e) => (e.pullNs as number) / 1e6)
          .sort((a, b) => a - b);
        assert.equal(row.pulls, pulls.length, `${day} ${row.registry} pulls`);
        if (!pulls.length) continue;
        // percentile_cont: linear interpolation between closest ranks.
        const cont = (p: number) => {
          const x = p * (pulls.length - 1);
          const lo = Math.floor(x);
          return (
            (pulls[lo] as number) +
            ((pulls[Math.min(lo + 1, pulls.length - 1)] as number) - (pulls[lo] as number)) * (x - lo)
          );
        };
        assert.ok(Math.abs((row.p50Ms ?? -1) - cont(0.5)) < 1e-6, `${day} ${row.registry} p50`);
        assert.ok(Math.abs((row.p95Ms ?? -1) - cont(0.95)) < 1e-6, `${day} ${row.registry} p95`);
        assert.equal(row.maxMs, pulls[pulls.length - 1]);
        assert.deepEqual(row.histogram, histogramOf(pulls), `${day} ${row.registry} histogram`);
      }

      await assertMergedPercentiles(emittedSince(0), where);

      // Rule inputs: pulls per registry over the last 24 h of the cluster's clock.
      const stats = await getClusterPullStats(t.db, "prod-eu-1", 24);
      const newest = Math.max(...stored.map((x) => x.lastTimestamp.getTime()));
      const expectedPulls = new Map<string, number>();
      // Events that expired before the watcher first started could never be seen: not expected.
      for (const e of emittedSince(Math.max(newest - 24 * 3_600_000, startedAt + 1))) {
        if (e[1].reason !== "Pulled" || e[1].pullNs === null) continue;
        const registry = where.get(e[0])?.registry ?? "unknown";
        expectedPulls.set(registry, (expectedPulls.get(registry) ?? 0) + 1);
      }
      assert.deepEqual(
        Object.fromEntries([...stats.byRegistry].map(([k, v]) => [k, v.pulls]).filter(([, n]) => n !== 0)),
        Object.fromEntries(expectedPulls),
      );
    } finally {
      await watcher.stop();
    }
  });
});
