// Trend and weekly-review arithmetic on rollups built for the purpose: every expected number is
// derived here from the rows the test writes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BUCKET_RESOLUTION, histogramOf, isoWeekOf, isoWeekRange, type ReviewScope } from "@pullsight/core";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import { getReviewRows, getWeeklyReview, type ReviewSection, reviewWindow } from "./review.ts";
import { getLatencyTrend, getPostureTrend } from "./trends.ts";

const DAY = 86_400_000;

describe("trends and weekly reviews", () => {
  let t: TestDatabase;
  const monday = new Date("2026-11-09T00:00:00Z"); // 2026-W46
  const clusters: number[] = [];
  before(async () => {
    t = await createTestDatabase("trends");
    for (const name of ["a", "b"]) {
      const c = await t.db.cluster.create({ data: { name, labels: { env: name === "a" ? "prod" : "dev" } } });
      clusters.push(c.id);
    }
    // Two weeks of rollups, two per day per cluster: containers 100, compliant grows by 1 a day
    // (the later rollup of a day counts: +0.5 in the morning, the evening value is the day's).
    let snapshotId = 1n;
    for (const [ci, clusterId] of clusters.entries()) {
      for (let d = -7; d < 7; d++) {
        for (const [h, extra] of [
          [6, 0],
          [18, 1],
        ] as const) {
          const compliant = 50 + ci * 10 + d + extra;
          await t.db.postureRollup.create({
            data: {
              snapshotId: snapshotId++,
              clusterId,
              namespace: "",
              takenAt: new Date(monday.getTime() + d * DAY + h * 3_600_000),
              workloads: 10,
              containers: 100,
              compliant,
              score: compliant,
              byPolicy: { Always: 40, IfNotPresent: 60 },
              byTagKind: { digest: 20 + d, "full-version": 10, mutable: 70 - d },
            },
          });
        }
      }
    }
    for (const [ci, clusterId] of clusters.entries())
      for (let d = 0; d < 2; d++)
        await t.db.pullLatencyDaily.create({
          data: {
            clusterId,
            day: new Date(monday.getTime() + d * DAY),
            registry: "docker.io",
            pulls: 10 * (ci + 1),
            alreadyPresent: 0,
            failures: ci,
            p50Ms: 1000 * (ci + 1),
            p95Ms: 5000 * (ci + 1),
            maxMs: 9000 * (ci + 1),
            failuresByCause: ci ? { "rate-limited": ci } : {},
            updatedAt: monday,
          },
        });
  });
  after(() => t.drop());

  it("posture by day: each cluster's last rollup of the day, added up across clusters", async () => {
    const points = await getPostureTrend(t.db, { from: monday, to: new Date(monday.getTime() + 2 * DAY) });
    assert.equal(points.length, 2);
    for (const [d, p] of points.entries()) {
      assert.equal(p.clusters, 2);
      assert.equal(p.containers, 200);
      assert.equal(p.compliant, 50 + d + 1 + 60 + d + 1);
      assert.equal(p.score, Math.round((p.compliant / 200) * 1000) / 10);
      assert.deepEqual(p.byPolicy, { Always: 80, IfNotPresent: 120 });
      assert.equal(p.digestShare, ((20 + d) * 2 * 100) / 200);
      assert.equal(p.pinnedShare, ((30 + d) * 2 * 100) / 200);
    }
    const prod = await getPostureTrend(t.db, {
      scope: { labels: { env: "prod" } },
      from: monday,
      to: new Date(monday.getTime() + DAY),
    });
    assert.deepEqual(
      prod.map((p) => [p.clusters, p.compliant]),
      [[1, 51]],
    );
  });

  it("posture by ISO week: the week's last rollup per cluster", async () => {
    const weeks = await getPostureTrend(t.db, {
      bucket: "week",
      from: new Date(monday.getTime() - 7 * DAY),
      to: new Date(monday.getTime() + 7 * DAY),
    });
    assert.deepEqual(
      weeks.map((w) => [w.bucket.toISOString(), w.compliant]),
      [
        [new Date(monday.getTime() - 7 * DAY).toISOString(), 50 - 1 + 1 + 60 - 1 + 1],
        [monday.toISOString(), 50 + 6 + 1 + 60 + 6 + 1],
      ],
    );
  });

  it("latency: exact per cluster and day; pull-weighted across days without histograms, and said to be a mean", async () => {
    const perCluster = await getLatencyTrend(t.db, {
      from: monday,
      to: new Date(monday.getTime() + DAY),
      byCluster: true,
    });
    assert.deepEqual(
      perCluster.map((p) => [p.cluster, p.pulls, p.p50Ms, p.p95Ms, p.percentiles]),
      [
        ["a", 10, 1000, 5000, "exact"],
        ["b", 20, 2000, 10000, "exact"],
      ],
    );
    const [fleetWeek] = await getLatencyTrend(t.db, {
      bucket: "week",
      from: monday,
      to: new Date(monday.getTime() + 7 * DAY),
    });
    assert.ok(fleetWeek);
    assert.equal(fleetWeek.pulls, 60);
    assert.equal(fleetWeek.failures, 2);
    assert.equal(fleetWeek.p50Ms, (1000 * 20 + 2000 * 40) / 60);
    assert.equal(fleetWeek.maxMs, 18000);
    // These days were recorded without histograms: a mean, and said to be one.
    assert.equal(fleetWeek.percentiles, "mean");
    assert.deepEqual(fleetWeek.failuresByCause, { "rate-limited": 2 });
  });

  it("latency with histograms: merged across days, never above the slowest pull; one day that pulled stays exact", async () => {
    const { id: clusterId } = await t.db.cluster.create({ data: { name: "h" } });
    const row = (d: number, pulls: number[], registry = "quay.io") => {
      const sorted = [...pulls].sort((x, y) => x - y);
      return t.db.pullLatencyDaily.create({
        data: {
          clusterId,
          day: new Date(monday.getTime() + d * DAY),
          registry,
          pulls: pulls.length,
          alreadyPresent: 3,
          failures: 0,
          p50Ms: sorted.length ? (sorted[Math.floor(sorted.length / 2)] as number) : null,
          p95Ms: sorted.at(-1) ?? null,
          maxMs: sorted.at(-1) ?? null,
          histogram: histogramOf(pulls),
          updatedAt: monday,
        },
      });
    };
    await row(0, [4360]);
    await row(1, []);
    await row(0, [4360], "ghcr.io");
    await row(2, [4361], "ghcr.io");
    const week = await getLatencyTrend(t.db, {
      bucket: "week",
      from: monday,
      to: new Date(monday.getTime() + 7 * DAY),
      scope: { cluster: "h" },
    });
    const quay = week.find((p) => p.registry === "quay.io");
    assert.deepEqual([quay?.percentiles, quay?.p50Ms, quay?.p95Ms], ["exact", 4360, 4360]);
    const ghcr = week.find((p) => p.registry === "ghcr.io");
    assert.equal(ghcr?.percentiles, "histogram");
    // Both pulls fall in one bucket whose middle lies above them: the slowest pull bounds the answer.
    assert.ok((ghcr?.p95Ms as number) <= 4361 && (ghcr?.p95Ms as number) >= 4361 / (1 + BUCKET_RESOLUTION));
  });

  it("ISO weeks: ranges, names and bad weeks", () => {
    assert.deepEqual(isoWeekRange("2026-W46"), { start: monday, end: new Date(monday.getTime() + 7 * DAY) });
    assert.equal(isoWeekOf(new Date("2026-11-15T23:59:59Z")), "2026-W46");
    assert.equal(isoWeekOf(new Date("2027-01-01T00:00:00Z")), "2026-W53", "2026 has 53 ISO weeks");
    assert.equal(isoWeekRange("2026-W53").start.toISOString(), "2026-12-28T00:00:00.000Z");
    assert.throws(() => isoWeekRange("2025-W53"), RangeError);
    assert.throws(() => isoWeekRange("2026-W00"), RangeError);
  });

  it("weekly review: score against the week before, findings new, resolved and ageing", async () => {
    const [a] = clusters;
    const base = {
      clusterId: a as number,
      namespace: "n",
      severity: "high" as const,
      openedSnapshotId: 1n,
      lastSeenSnapshotId: 1n,
    };
    const at = (d: number) => new Date(monday.getTime() + d * DAY);
    await t.db.finding.createMany({
      data: [
        { ...base, ruleId: "PS001", fingerprint: "new", openedAt: at(2) },
        {
          ...base,
          ruleId: "PS001",
          fingerprint: "new-resolved",
          openedAt: at(1),
          resolvedAt: at(3),
          resolvedSnapshotId: 2n,
        },
        { ...base, ruleId: "PS002", fingerprint: "old", openedAt: at(-40), severity: "critical" },
        { ...base, ruleId: "PS002", fingerprint: "recent", openedAt: at(-10) },
        {
          ...base,
          ruleId: "PS003",
          fingerprint: "before",
          openedAt: at(-3),
          resolvedAt: at(-1),
          resolvedSnapshotId: 2n,
        },
      ],
    });
    const scope = { kind: "cluster", cluster: "a" } as const;
    const r = await getWeeklyReview(t.db, "2026-W46", scope, at(30));
    const rows = (section: ReviewSection, s: ReviewScope = scope) =>
      getReviewRows(t.db, reviewWindow("2026-W46", at(30)), s, { section, limit: 100 });
    assert.equal(r.inProgress, false);
    assert.deepEqual([r.score.current, r.score.previous, r.score.delta], [57, 50, 7]);
    assert.deepEqual((await rows("new")).map((f) => f.ruleId + f.resolvedAt?.toISOString()).sort(), [
      `PS001${at(3).toISOString()}`,
      "PS001undefined",
    ]);
    assert.deepEqual(
      (await rows("resolved")).map((f) => f.openedAt),
      [at(1)],
    );
    assert.equal(r.counts.openAtEnd, 3, "new, old and recent are open at the end of the week");
    assert.deepEqual(
      (await rows("ageing")).map((f) => [f.severity, f.ageDays]),
      [["critical", 47]],
      "open more than 30 days at the week's end",
    );
    assert.deepEqual(
      r.groups.new.map((g) => [g.team, g.findings, g.rules.map((x) => x.ruleId)]),
      [["(unowned)", 2, ["PS001"]]],
    );
    assert.equal((await rows("new", { kind: "cluster", cluster: "b" })).length, 0, "scoped to the cluster");
  });
});

describe("a team's trend across clusters", () => {
  let t: TestDatabase;
  const day0 = Date.parse("2026-11-09T00:00:00Z");
  before(async () => {
    t = await createTestDatabase("team_trend");
    const [x, y] = [
      (await t.db.cluster.create({ data: { name: "x" } })).id,
      (await t.db.cluster.create({ data: { name: "y" } })).id,
    ];
    const seen = new Date(day0);
    await t.db.namespace.createMany({
      data: [
        {
          clusterId: x,
          name: "shop",
          profile: "default",
          owner: "payments",
          firstSeenAt: seen,
          lastSeenAt: seen,
        },
        {
          clusterId: y,
          name: "pay",
          profile: "default",
          owner: "payments",
          firstSeenAt: seen,
          lastSeenAt: seen,
        },
        {
          clusterId: y,
          name: "web",
          profile: "default",
          owner: "storefront",
          firstSeenAt: seen,
          lastSeenAt: seen,
        },
      ],
    });
    // x is collected every day (its day-2 snapshot no longer has "shop"); y only on day 0.
    const snapshots: Array<[number, number, Array<[string, number, number]>]> = [
      [x, 0, [["shop", 10, 5]]],
      [
        y,
        0,
        [
          ["pay", 20, 20],
          ["web", 7, 1],
        ],
      ],
      [x, 1, [["shop", 10, 8]]],
      [x, 2, []],
    ];
    for (const [i, [clusterId, day, namespaces]] of snapshots.entries())
      for (const [namespace, containers, compliant] of [["", 0, 0] as const, ...namespaces])
        await t.db.postureRollup.create({
          data: {
            snapshotId: BigInt(i + 1),
            clusterId,
            namespace,
            takenAt: new Date(day0 + day * DAY + 3_600_000),
            workloads: 1,
            containers,
            compliant,
            score: 0,
          },
        });
  });
  after(() => t.drop());

  const trend = async (fromDay: number) =>
    (
      await getPostureTrend(t.db, {
        scope: { team: "payments" },
        from: new Date(day0 + fromDay * DAY),
        to: new Date(day0 + 3 * DAY),
      })
    ).map((p) => [(p.bucket.getTime() - day0) / DAY, p.clusters, p.carried, p.containers, p.compliant]);

  it("counts a cluster not collected in a day at its last snapshot before, and a namespace the team no longer has nowhere", async () => {
    const expected = [
      [0, 2, 0, 30, 25],
      [1, 2, 1, 30, 28],
      [2, 1, 1, 20, 20],
    ];
    assert.deepEqual(await trend(0), expected);
    // From day 1 on, y's day-0 snapshot is before the range and still carried.
    assert.deepEqual(await trend(1), expected.slice(1));
  });
});
