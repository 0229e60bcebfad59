// Kubernetes 1.32+ keeps a failed pull's cause in pod status; before, only kubelet events tell it,
// and events are lossy. Against the simulator at two versions and a real PostgreSQL: every
// container failing to pull is classified with the cause the simulator made it fail with, from
// the source the version allows; event coverage counts exactly the container starts and failures
// whose events reached the API server and were still there when the collector listened.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { countFailingNow, FAILING_SORTS, type FailingNowRow, listFailingNow } from "@pullsight/db";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import { collectFleet } from "./collect.ts";
import { EventWatcher } from "./event-watch.ts";
import type { ClusterClient } from "./k8s/client.ts";
import { simClients, writeSimKubeconfig } from "./testing.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const VERSIONS = ["v1.31.4", "v1.34.1"];
const FAILURE_EVENT_REASONS = new Set(["Failed", "BackOff", "ErrImageNeverPull", "InspectFailed"]);

type SimCluster = Simulator["clusters"][number]["sim"];
type SimWorkload = SimCluster["workloads"][number];
type Tally = Record<string, number>;

const add = (m: Tally, k: string, n = 1) => {
  m[k] = (m[k] ?? 0) + n;
};

const SEVERITY_RANK: Record<string, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
/** The reference order of each sort: a comparable value, or null (listed last either way). */
const SORT_VALUE: Record<(typeof FAILING_SORTS)[number], (r: FailingNowRow) => number | string | null> = {
  since: (r) => r.first_failure?.getTime() ?? null,
  severity: (r) => SEVERITY_RANK[r.severity] ?? null,
  attempts: (r) => r.attempts,
  cause: (r) => r.cause,
};

/** Every sort, both ways, lists the same rows, each in its order with rows lacking a value last. */
async function assertSorts(t: TestDatabase, cluster: string, now: Date, expected: string[]) {
  for (const by of FAILING_SORTS)
    for (const order of ["asc", "desc"] as const) {
      const { rows } = await listFailingNow(t.db, { cluster }, { now, limit: 1000, sort: { by, order } });
      const what = `${cluster} by ${by} ${order}`;
      assert.deepEqual(
        rows
          .map(
            (r) =>
              `${r.namespace}/${r.pod}/${r.container} on ${r.node}: ${r.reason}, ${r.cause} from ${r.cause_source}`,
          )
          .sort(),
        expected,
        what,
      );
      const values = rows.map(SORT_VALUE[by]);
      for (let i = 1; i < values.length; i++) {
        const [a, b] = [values[i - 1] ?? null, values[i] ?? null];
        if (b === null) continue;
        assert.notEqual(a, null, `${what}: a row without a value before one with`);
        if (a !== null) assert.ok(order === "asc" ? a <= b : a >= b, `${what}: ${a} then ${b}`);
      }
    }
}

describe("failure causes and event coverage, per Kubernetes version", () => {
  let sim: Simulator;
  let t: TestDatabase;
  let clients: ClusterClient[];
  let watchers: EventWatcher[] = [];
  const watch = async () => {
    watchers = clients.map((c) => new EventWatcher(t.db, c, { flushMs: 100 }));
    await Promise.all(watchers.map((w) => w.start()));
  };
  const caughtUp = async () => {
    for (const [i, w] of watchers.entries()) {
      const rv = String((sim.clusters[i] as Simulator["clusters"][number]).sim.store.resourceVersion);
      assert.ok(await w.reached(rv), "the watch caught up");
    }
  };
  const collect = async () => {
    const outcomes = await collectFleet(t.db, clients, { read: { now: () => new Date(sim.now) } });
    for (const o of outcomes) assert.ok(o.snapshotId, `${o.cluster}: ${o.status}`);
  };

  before(async () => {
    sim = await Simulator.start({
      clusters: 2,
      podsPerCluster: 300,
      seed: 41,
      versions: VERSIONS,
      bookmarkIntervalMs: 200,
    });
    t = await createTestDatabase("failure_causes");
    clients = simClients(sim, writeSimKubeconfig(sim, "causes-"));
    await watch();
  });
  after(async () => {
    await Promise.all(watchers.map((w) => w.stop()));
    await sim.stop();
    await t.drop();
  });

  /** Makes one workload per cause fail: a tag that does not exist, and registry incidents. */
  function breakWorkloads(cluster: SimCluster) {
    const used = new Set<string>();
    const pick = (ok: (w: SimWorkload) => boolean) => {
      const w = cluster.workloads.find(
        (x) =>
          (x.kind === "StatefulSet" || x.kind === "Deployment") &&
          !used.has(x.uid) &&
          x.containers.length === 1 &&
          x.containers.every((c) => c.repo && !c.digest && c.policy !== "Never") &&
          ok(x),
      );
      assert.ok(w, "a workload to break");
      used.add(w.uid);
      return w;
    };
    const missing = pick(() => true);
    cluster.rollout(
      missing,
      (c) => {
        c.tag = "9.9.9-gone";
        c.missingTag = true;
        c.image = `${c.repo?.written}:9.9.9-gone`;
      },
      sim.now,
    );
    const registries = new Set<string>();
    for (const failure of ["policy-refused", "kubelet-throttled", "signature"] as const) {
      const w = pick((x) => !registries.has(x.containers[0]?.repo?.registry ?? ""));
      const registry = w.containers[0]?.repo?.registry as string;
      registries.add(registry);
      cluster.incidents.push({ registry, from: sim.now, to: sim.now + 3 * HOUR, failure });
      cluster.rollout(
        w,
        (c) => {
          c.tag = `${c.tag}-${failure}`;
          c.image = `${c.repo?.written}:${c.tag}`;
        },
        sim.now,
      );
    }
  }

  /** Per failing container: pods by "cause|source", from the simulator's state. */
  function expectedCauses(cluster: SimCluster): Map<string, Tally> {
    const out = new Map<string, Tally>();
    for (const f of cluster.failingContainers()) {
      if (f.reason === "ErrImageNeverPull") continue;
      // Before 1.32 a back-off's waiting message names no cause: only events can.
      const source = f.reason === "ImagePullBackOff" && cluster.minor < 32 ? "events" : "status";
      const key = `${f.namespace}/${f.workload.kind}/${f.workload.name}/${f.container}`;
      const tally = out.get(key) ?? {};
      add(tally, `${f.cause}|${source}`);
      out.set(key, tally);
    }
    return out;
  }

  async function storedCauses(cluster: string): Promise<Map<string, Tally>> {
    const findings = await t.db.finding.findMany({
      where: { ruleId: "PS009", resolvedAt: null, cluster: { name: cluster } },
      include: { workload: true },
    });
    const out = new Map<string, Tally>();
    for (const f of findings) {
      const key = `${f.workload?.namespace}/${f.workload?.kind}/${f.workload?.name}/${f.containerName}`;
      const tally: Tally = {};
      const sources = (f.evidence as { causeSources: Array<{ cause: string; source: string; pods: number }> })
        .causeSources;
      for (const s of sources) add(tally, `${s.cause}|${s.source}`, s.pods);
      out.set(key, tally);
    }
    return out;
  }

  it("classifies every failing container with the simulator's cause, from pod status where the version keeps it, else from events", async () => {
    for (const c of sim.clusters) breakWorkloads(c.sim);
    sim.advanceBy(12 * MINUTE);
    await caughtUp();
    await collect();
    for (const c of sim.clusters) {
      const expected = expectedCauses(c.sim);
      const stored = await storedCauses(c.name);
      assert.deepEqual(
        Object.fromEntries([...stored].sort()),
        Object.fromEntries([...expected].sort()),
        `${c.name} (${c.gitVersion})`,
      );
      const all = [...expected.values()].flatMap((x) => Object.keys(x));
      for (const cause of ["not-found", "policy-refused", "kubelet-throttled", "signature"])
        assert.ok(
          all.some((k) => k.startsWith(`${cause}|`)),
          `${c.name}: ${cause} seen`,
        );
      const fromEvents = all.filter((k) => k.endsWith("|events"));
      if (c.sim.minor < 32) assert.ok(fromEvents.length > 0, `${c.name}: some causes only events tell`);
      else assert.deepEqual(fromEvents, [], `${c.name}: status tells every cause`);
    }
  });

  it("failing now lists exactly the pods the simulator has failing, on their nodes, with cause and source", async () => {
    for (const c of sim.clusters) {
      const expected = c.sim
        .failingContainers()
        .filter((f) => f.reason !== "ErrImageNeverPull")
        .map((f) => {
          const source = f.reason === "ImagePullBackOff" && c.sim.minor < 32 ? "events" : "status";
          return `${f.namespace}/${f.pod}/${f.container} on ${f.node}: ${f.reason}, ${f.cause} from ${source}`;
        })
        .sort();
      const { rows, total } = await listFailingNow(
        t.db,
        { cluster: c.name },
        { now: new Date(sim.now), limit: 1000 },
      );
      const listed = rows
        .map(
          (r) =>
            `${r.namespace}/${r.pod}/${r.container} on ${r.node}: ${r.reason}, ${r.cause} from ${r.cause_source}`,
        )
        .sort();
      assert.deepEqual(listed, expected, `${c.name} (${c.gitVersion})`);
      assert.equal(total, expected.length);
      assert.equal(await countFailingNow(t.db, { cluster: c.name }), expected.length, "the count alone");
      for (const r of rows) {
        assert.ok(r.workload && r.confirmed_snapshot_id, `${r.pod}: workload and provenance`);
        assert.ok(r.first_failure, `${r.pod}: the first failure is known (the watch heard it)`);
        // A name that does not parse is refused before any pull: there is no attempt to count.
        if (r.cause === "invalid-name") assert.equal(r.attempts, null, `${r.pod}: no pull attempted`);
        else assert.ok((r.attempts ?? 0) >= 1, `${r.pod}: failed attempts counted from events`);
      }
      await assertSorts(t, c.name, new Date(sim.now), listed);
    }
  });

  /** Coverage stored for a cluster, summed over days. */
  async function storedCoverage(cluster: string) {
    const { id } = await t.db.cluster.findUniqueOrThrow({ where: { name: cluster } });
    const rows = await t.db.eventCoverageDaily.findMany({
      where: { clusterId: id },
      orderBy: { day: "asc" },
    });
    const last = rows.at(-1);
    return {
      starts: rows.reduce((n, r) => n + r.containerStarts, 0),
      covered: rows.reduce((n, r) => n + r.startsWithPullEvent, 0),
      failing: last?.failingContainers ?? -1,
      failingWithEvent: last?.failingWithEvent ?? -1,
    };
  }

  /** Whether the collector, listening in these periods, could store an event the API server held from `from` to `last` + TTL. */
  const heard = (listening: Array<[number, number]>, from: number | undefined, last: number) =>
    listening.some(([a, b]) => (from ?? Number.POSITIVE_INFINITY) <= b && last + HOUR > a);

  /** Starts in (from, until] and how many a Pulled event the collector could have stored covers. */
  function expectedStarts(
    cluster: SimCluster,
    from: number,
    until: number,
    listening: Array<[number, number]>,
  ) {
    const starts = cluster.containerStarts(from, until);
    // The kubelet emits Pulled at the moment the container starts (the simulator's clock has minutes).
    const covered = starts.filter((s) => s.pulledEvent && heard(listening, s.startedAt, s.startedAt));
    return { starts: starts.length, covered: covered.length };
  }

  /**
   * Failing containers, and those with a failure event of the last hour: one the API server holds at
   * the snapshot, which the listening collector has stored with its latest occurrence.
   */
  function expectedFailing(cluster: SimCluster, at: number) {
    const failing = cluster.failingContainers();
    const withEvent = new Set(
      cluster
        .events(at - HOUR + 1)
        .filter((e) => FAILURE_EVENT_REASONS.has(e.reason))
        .map((e) => `${e.namespace}/${e.pod}/${e.container}`),
    );
    return {
      failing: failing.length,
      failingWithEvent: failing.filter((f) => withEvent.has(`${f.namespace}/${f.pod}/${f.container}`)).length,
    };
  }

  it("event coverage counts the starts and failures whose events reached the collector, through a watch outage longer than the event TTL", async () => {
    const lag = 2 * MINUTE;
    const first = sim.now; // the first snapshot, taken by the test above
    const start = first - 12 * MINUTE; // when the watch first listed
    const totals = new Map<string, { starts: number; covered: number }>();
    const expectWindow = (c: SimCluster, from: number, until: number, listening: Array<[number, number]>) => {
      const e = expectedStarts(c, from, until, listening);
      const sum = totals.get(c.spec.name) ?? { starts: 0, covered: 0 };
      totals.set(c.spec.name, { starts: sum.starts + e.starts, covered: sum.covered + e.covered });
    };
    // The clock has not moved since the first snapshot: its window is what the simulator says now.
    for (const c of sim.clusters) {
      expectWindow(c.sim, first - lag - HOUR, first - lag, [[start, first]]);
      const s = await storedCoverage(c.name);
      assert.deepEqual(
        { starts: s.starts, covered: s.covered },
        totals.get(c.name),
        `${c.name}: first window`,
      );
      assert.ok(s.starts > 0, `${c.name}: starts counted`);
      assert.deepEqual(
        { failing: s.failing, failingWithEvent: s.failingWithEvent },
        expectedFailing(c.sim, first),
        `${c.name}: failing containers at the first snapshot`,
      );
    }

    sim.advanceBy(40 * MINUTE);
    await caughtUp();
    const second = sim.now;
    for (const c of sim.clusters) expectWindow(c.sim, first - lag, second - lag, [[start, second]]);
    await collect();

    // The collector is away for 90 minutes: events of the first half hour expire unseen.
    await Promise.all(watchers.map((w) => w.stop()));
    sim.advanceBy(90 * MINUTE);
    const back = sim.now;
    await watch();
    sim.advanceBy(4 * MINUTE);
    await caughtUp();
    const third = sim.now;
    for (const c of sim.clusters)
      expectWindow(c.sim, second - lag, third - lag, [
        [start, second],
        [back, third],
      ]);
    await collect();

    for (const c of sim.clusters) {
      const s = await storedCoverage(c.name);
      const e = totals.get(c.name) as { starts: number; covered: number };
      assert.deepEqual({ starts: s.starts, covered: s.covered }, e, `${c.name}: starts and their events`);
      assert.ok(e.covered < e.starts, `${c.name}: the outage lost events (${e.covered} of ${e.starts})`);
      assert.deepEqual(
        { failing: s.failing, failingWithEvent: s.failingWithEvent },
        expectedFailing(c.sim, third),
        `${c.name}: failing containers at the last snapshot`,
      );
    }
  });
});
