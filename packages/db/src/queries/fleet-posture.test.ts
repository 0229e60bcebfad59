// The fleet's trend read from FleetPosture equals the trend computed from the rollups themselves:
// random sequences of rollups written (ties included), updated, deleted and compacted for three
// clusters, and after each, the fleet's trend by day and by week over random ranges equals a
// reference model that counts, in each bucket some cluster was collected in, every cluster at its
// last rollup up to the bucket's end (carried from before it when it was not collected in it). The
// same trend read per cluster (a label every cluster has) equals it too. Two clusters' snapshots
// writing the same bucket at once lose neither.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { complianceScore } from "@pullsight/core";
import fc from "fast-check";
import { poolOf } from "../client.ts";
import { compactRollups } from "../ingest/rollups.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import { getFleetOverview } from "./fleet.ts";
import { bucketStart, type PostureBucket } from "./fleet-posture.ts";
import { getPostureTrend, type TrendScope } from "./trends.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A Wednesday: the ten days from it cross an ISO week's edge. */
const ORIGIN = Date.parse("2026-11-11T00:00:00Z");
const SPAN_HOURS = 10 * 24;

interface Rollup {
  snapshotId: bigint;
  clusterId: number;
  namespace: string;
  takenAt: number;
  workloads: number;
  containers: number;
  compliant: number;
  byPolicy: Record<string, number>;
  byTagKind: Record<string, number>;
}

type Step =
  | { kind: "write"; cluster: number; hour: number; compliant: number; digest: number; namespace: boolean }
  | { kind: "update"; pick: number; compliant: number }
  | { kind: "delete"; pick: number }
  | { kind: "compact"; cluster: number; hour: number };

// Every fourth hour: two rollups of a cluster at the same instant are common (the later snapshot counts).
const hour = fc.integer({ min: 0, max: SPAN_HOURS / 4 }).map((h) => h * 4);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("write" as const),
      cluster: fc.nat(2),
      hour,
      compliant: fc.nat(50),
      digest: fc.nat(20),
      namespace: fc.nat(4).map((n) => n === 0),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("update" as const), pick: fc.nat(1000), compliant: fc.nat(50) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), pick: fc.nat(1000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("compact" as const), cluster: fc.nat(2), hour }) },
);
const rangeArb = fc
  .tuple(fc.integer({ min: -48, max: SPAN_HOURS + 48 }), fc.integer({ min: 1, max: SPAN_HOURS }), fc.nat(59))
  .map(([h, length, minute]) => {
    const from = ORIGIN + h * HOUR + minute * 60_000;
    return { from: new Date(from), to: new Date(from + length * HOUR) };
  });

const later = (a: Rollup, b: Rollup) =>
  a.takenAt > b.takenAt || (a.takenAt === b.takenAt && a.snapshotId > b.snapshotId);

/**
 * The reference: each bucket's part inside [from, to) in which some cluster was collected counts
 * every cluster at its last whole-cluster rollup taken before that part's end, added up; carried
 * are those whose rollup was taken before the part began.
 */
function reference(rollups: Rollup[], kind: PostureBucket, from: Date, to: Date) {
  const whole = rollups.filter((r) => r.namespace === "");
  const inRange = whole.filter((r) => r.takenAt >= from.getTime() && r.takenAt < to.getTime());
  const buckets = [...new Set(inRange.map((r) => bucketStart(kind, r.takenAt)))].sort((a, b) => a - b);
  return buckets.map((b) => {
    const start = Math.max(b, from.getTime());
    const end = Math.min(b + (kind === "day" ? DAY : 7 * DAY), to.getTime());
    const last = new Map<number, Rollup>();
    for (const r of whole) {
      const seen = last.get(r.clusterId);
      if (r.takenAt < end && (!seen || later(r, seen))) last.set(r.clusterId, r);
    }
    const counted = [...last.values()];
    const containers = counted.reduce((n, r) => n + r.containers, 0);
    const compliant = counted.reduce((n, r) => n + r.compliant, 0);
    return {
      bucket: new Date(b).toISOString(),
      clusters: counted.length,
      carried: counted.filter((r) => r.takenAt < start).length,
      containers,
      compliant,
      digest: counted.reduce((n, r) => n + (r.byTagKind.digest ?? 0), 0),
      score: complianceScore(compliant, containers),
    };
  });
}

describe("the fleet's posture per day and week (FleetPosture)", () => {
  let t: TestDatabase;
  const clusters: number[] = [];
  let nextSnapshot = 1n;
  before(async () => {
    t = await createTestDatabase("fleet_posture");
    for (const name of ["a", "b", "c"])
      clusters.push((await t.db.cluster.create({ data: { name, labels: { tier: "all" } } })).id);
  });
  after(() => t.drop());

  const stored = async (): Promise<Rollup[]> =>
    (
      await poolOf(t.db).query(
        `SELECT "snapshotId", "clusterId", namespace, "takenAt", workloads, containers, compliant, "byPolicy", "byTagKind"
         FROM "PostureRollup"`,
      )
    ).rows.map((r) => ({ ...r, snapshotId: BigInt(r.snapshotId), takenAt: r.takenAt.getTime() }));

  const write = async (c: { query: (sql: string, values: unknown[]) => Promise<unknown> }, r: Rollup) =>
    c.query(
      `INSERT INTO "PostureRollup" ("snapshotId", "clusterId", namespace, "takenAt", workloads, containers, compliant, score, "byPolicy", "byTagKind")
       VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)`,
      [
        r.snapshotId,
        r.clusterId,
        r.namespace,
        new Date(r.takenAt),
        r.workloads,
        r.containers,
        r.compliant,
        r.byPolicy,
        r.byTagKind,
      ],
    );

  const rollupOf = (s: Extract<Step, { kind: "write" }>): Rollup => ({
    snapshotId: nextSnapshot++,
    clusterId: clusters[s.cluster] as number,
    namespace: s.namespace ? "ns" : "",
    takenAt: ORIGIN + s.hour * HOUR,
    workloads: 5,
    containers: 50,
    compliant: s.compliant,
    byPolicy: { Always: 50 - s.digest, IfNotPresent: s.digest },
    byTagKind: { digest: s.digest, mutable: 50 - s.digest },
  });

  async function apply(step: Step) {
    const pool = poolOf(t.db);
    const all = await stored();
    const picked = all.length ? all[("pick" in step ? step.pick : 0) % all.length] : undefined;
    if (step.kind === "write") await write(pool, rollupOf(step));
    else if (step.kind === "update" && picked)
      await pool.query(
        `UPDATE "PostureRollup" SET compliant = $3 WHERE "snapshotId" = $1 AND namespace = $2`,
        [picked.snapshotId, picked.namespace, step.compliant],
      );
    else if (step.kind === "delete" && picked)
      await pool.query(`DELETE FROM "PostureRollup" WHERE "snapshotId" = $1 AND namespace = $2`, [
        picked.snapshotId,
        picked.namespace,
      ]);
    else if (step.kind === "compact")
      await compactRollups(pool, clusters[step.cluster] as number, new Date(ORIGIN + step.hour * HOUR), 1);
  }

  const served = async (bucket: PostureBucket, range: { from: Date; to: Date }, scope?: TrendScope) =>
    (await getPostureTrend(t.db, { bucket, ...range, scope })).map((p) => ({
      bucket: p.bucket.toISOString(),
      clusters: p.clusters,
      carried: p.carried,
      containers: p.containers,
      compliant: p.compliant,
      digest: p.byTagKind.digest ?? 0,
      score: p.score,
    }));

  /** The trend's latest point counts what the fleet's score card does: every cluster's newest rollup. */
  async function sameNowAsTheCard() {
    const range = { from: new Date(ORIGIN - 2 * DAY), to: new Date(ORIGIN + (SPAN_HOURS + 48) * HOUR) };
    const now = (await served("day", range)).at(-1);
    const card = (await getFleetOverview(t.db, { now: range.to })).totals;
    assert.deepEqual([now?.containers ?? 0, now?.compliant ?? 0], [card.containers, card.compliant]);
  }

  it("equals every cluster's last rollup up to each bucket, added up, after random writes, updates, deletes and compactions", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 20, maxLength: 60 }),
        fc.array(rangeArb, { minLength: 2, maxLength: 4 }),
        async (steps, ranges) => {
          await poolOf(t.db).query(`TRUNCATE "PostureRollup"`);
          await poolOf(t.db).query(`UPDATE "Cluster" SET "rollupsCompactedBefore" = NULL`);
          for (const step of steps) await apply(step);
          const rollups = await stored();
          await sameNowAsTheCard();
          for (const range of ranges)
            for (const bucket of ["day", "week"] as const) {
              const expected = reference(rollups, bucket, range.from, range.to);
              assert.deepEqual(await served(bucket, range), expected);
              assert.deepEqual(await served(bucket, range, { labels: { tier: "all" } }), expected);
            }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("keeps both of two clusters' snapshots that write the same buckets at once", async () => {
    const pool = poolOf(t.db);
    await pool.query(`TRUNCATE "PostureRollup"`);
    const [a, b] = [await pool.connect(), await pool.connect()];
    try {
      const at = ORIGIN + 30 * HOUR;
      const rollup = (cluster: number): Rollup =>
        rollupOf({
          kind: "write",
          cluster,
          hour: 30,
          compliant: 10 + cluster,
          digest: cluster,
          namespace: false,
        });
      // The buckets exist already (committed): the writers meet on the bucket's lock, not its insert.
      await write(pool, rollup(2));
      await a.query("BEGIN");
      await b.query("BEGIN");
      await write(a, rollup(0));
      // b's trigger waits for a's lock on the bucket; it sums only once a has committed.
      const second = write(b, rollup(1)).then(() => b.query("COMMIT"));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await a.query("COMMIT");
      await second;
      const range = {
        from: new Date(bucketStart("week", at)),
        to: new Date(bucketStart("week", at) + 7 * DAY),
      };
      for (const bucket of ["day", "week"] as const) {
        const points = await served(bucket, range);
        assert.deepEqual(points, reference(await stored(), bucket, range.from, range.to));
        assert.equal(points[0]?.clusters, 3);
      }
    } finally {
      a.release();
      b.release();
    }
  });

  it("starts a bucket where PostgreSQL's date_trunc in UTC does", async () => {
    const instants = fc.integer({ min: Date.parse("1990-01-01"), max: Date.parse("2090-01-01") });
    const samples = fc.sample(instants, 200);
    const { rows } = await poolOf(t.db).query<{ t: string; day: Date; week: Date }>(
      `SELECT t, date_trunc('day', to_timestamp(t::bigint / 1000.0) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day,
         date_trunc('week', to_timestamp(t::bigint / 1000.0) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS week
       FROM unnest($1::text[]) t`,
      [samples.map(String)],
    );
    for (const r of rows) {
      assert.equal(bucketStart("day", Number(r.t)), r.day.getTime());
      assert.equal(bucketStart("week", Number(r.t)), r.week.getTime());
    }
  });
});
