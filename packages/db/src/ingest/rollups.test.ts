// Rollup compaction against its ground truth: the same history written twice through
// writeSnapshot, once into a cluster that never compacts, once into one that does. Every trend a
// reader can ask for (day and week buckets, cluster and namespace scope, any day-aligned range)
// must be the same for both; the compacted cluster keeps every rollup newer than its cutoff and
// exactly the last one of each older UTC day.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { poolOf } from "../client.ts";
import { getPostureTrend } from "../queries/trends.ts";
import { containerInput, snapshotInput, workloadInput } from "../test-fixtures/snapshot-input.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import {
  compactRollups,
  HOURLY_ROLLUP_DAYS,
  type SnapshotInput,
  type WorkloadInput,
  writeSnapshot,
} from "./snapshot.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const START = Date.parse("2026-10-01T00:00:00Z");

function workload(namespace: string, name: string, digest: boolean): WorkloadInput {
  const image = digest ? `nginx@sha256:${"a".repeat(64)}` : "nginx:1.2.3";
  return workloadInput(namespace, name, [
    containerInput(image, {
      tag: digest ? null : "1.2.3",
      digest: digest ? `sha256:${"a".repeat(64)}` : null,
      tagKind: digest ? "digest" : "full-version",
      factHash: digest ? "d" : "t",
      compliant: digest,
    }),
  ]);
}

function snapshotOf(
  cluster: string,
  at: number,
  pinned: boolean[],
  hourlyRollupDays?: number,
): SnapshotInput {
  return snapshotInput(
    cluster,
    at,
    pinned.map((p, i) => workload(i % 2 ? "ns-b" : "ns-a", `w${i}`, p)),
    hourlyRollupDays === undefined ? {} : { hourlyRollupDays },
  );
}

describe("rollup compaction", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("rollups");
  });
  after(() => t.drop());

  const rollupsOf = async (cluster: string) =>
    (
      await poolOf(t.db).query<{ namespace: string; takenAt: Date; compliant: number }>(
        `SELECT r.namespace, r."takenAt", r.compliant FROM "PostureRollup" r JOIN "Cluster" c ON c.id = r."clusterId"
         WHERE c.name = $1 ORDER BY r.namespace, r."takenAt"`,
        [cluster],
      )
    ).rows;

  it("keeps every trend answer and the last rollup of each compacted day, for any history (fast-check)", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            gapMinutes: fc.integer({ min: 10, max: 36 * 60 }),
            pinned: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
          }),
          { minLength: 1, maxLength: 24 },
        ),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.tuple(fc.nat(40), fc.nat(40)), { minLength: 1, maxLength: 4 }),
        async (steps, hourlyDays, ranges) => {
          run += 1;
          const full = `full-${run}`;
          const compact = `compact-${run}`;
          let at = START;
          let compacted = 0;
          for (const step of steps) {
            at += step.gapMinutes * 60_000;
            await writeSnapshot(t.db, snapshotOf(full, at, step.pinned, 100_000));
            compacted += (await writeSnapshot(t.db, snapshotOf(compact, at, step.pinned, hourlyDays))).rows
              .rollupsCompacted;
          }
          const all = await rollupsOf(full);
          const kept = await rollupsOf(compact);
          assert.equal(all.length - kept.length, compacted, "rows reported compacted were deleted");

          const cutoff = Math.floor((at - hourlyDays * DAY) / DAY) * DAY;
          const dayOf = (d: Date) => Math.floor(d.getTime() / DAY);
          const expected = all.filter(
            (r, i) =>
              r.takenAt.getTime() >= cutoff ||
              !all
                .slice(i + 1)
                .some((n) => n.namespace === r.namespace && dayOf(n.takenAt) === dayOf(r.takenAt)),
          );
          assert.deepEqual(kept, expected);

          for (const [a, b] of ranges) {
            const from = new Date(START + Math.min(a, b) * DAY);
            const to = new Date(START + (Math.max(a, b) + 1) * DAY);
            for (const bucket of ["day", "week"] as const)
              for (const namespace of [undefined, "ns-a", "ns-b"]) {
                const trend = (cluster: string) =>
                  getPostureTrend(t.db, { from, to, bucket, scope: { cluster, namespace } });
                assert.deepEqual(
                  await trend(compact),
                  await trend(full),
                  `${bucket} ${namespace ?? "cluster"}`,
                );
              }
          }
          // The watermark makes a second pass a no-op.
          const id = (await t.db.cluster.findUniqueOrThrow({ where: { name: compact } })).id;
          assert.equal(await compactRollups(poolOf(t.db), id, new Date(at), hourlyDays), 0);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("a collector snapshotting hourly keeps a week of hourly rollups and one per day before it", async () => {
    const hours = (HOURLY_ROLLUP_DAYS + 5) * 24;
    for (let h = 0; h < hours; h++)
      await writeSnapshot(t.db, snapshotOf("hourly", START + h * HOUR, [h % 3 === 0]));
    const rows = await rollupsOf("hourly");
    const last = START + (hours - 1) * HOUR;
    const cutoff = Math.floor((last - HOURLY_ROLLUP_DAYS * DAY) / DAY) * DAY;
    const newer = rows.filter((r) => r.takenAt.getTime() >= cutoff);
    const older = rows.filter((r) => r.takenAt.getTime() < cutoff);
    // Two rollups per snapshot: the cluster ("") and ns-a, its one namespace.
    assert.equal(newer.length, ((last - cutoff) / HOUR + 1) * 2);
    assert.equal(older.length, ((cutoff - START) / DAY) * 2);
    for (const r of older) assert.equal(r.takenAt.getUTCHours(), 23, "the day's last snapshot stays");
  });
});
