// The daily rollup bins pull times in PostgreSQL with width_bucket over core's bounds; the trend
// query merges those histograms in TypeScript. Both sides, and the migration that filled the rows
// recorded before histograms, must cut at the same places.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { bucketOf, LATENCY_BUCKET_BOUNDS_MS } from "@pullsight/core";
import fc from "fast-check";
import { createTestDatabase, type TestDatabase } from "../testing.ts";

describe("latency histogram buckets", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("histogram");
  });
  after(async () => {
    await t.drop();
  });

  it("the migration's bounds are core's", () => {
    const sql = readFileSync(
      new URL(
        "../../../../prisma/migrations/20261202230000_latency_histogram/migration.sql",
        import.meta.url,
      ),
      "utf8",
    );
    const literal = /ARRAY\[([^\]]+)\]::float8\[\]/.exec(sql)?.[1];
    assert.ok(literal);
    assert.deepEqual(literal.split(",").map(Number), LATENCY_BUCKET_BOUNDS_MS);
  });

  it("PostgreSQL's width_bucket and core's bucketOf agree, at the bounds and between them", async () => {
    const values = fc.sample(fc.double({ min: -5, max: 2e8, noNaN: true }), 2000);
    for (const b of LATENCY_BUCKET_BOUNDS_MS) values.push(b, b * (1 - 1e-12), b * (1 + 1e-12));
    const rows = await t.db.$queryRaw<Array<{ bucket: number }>>`
      SELECT width_bucket(v, ${LATENCY_BUCKET_BOUNDS_MS as number[]}::float8[]) AS bucket
      FROM unnest(${values}::float8[]) WITH ORDINALITY AS u(v, i) ORDER BY i`;
    assert.deepEqual(
      rows.map((r) => Number(r.bucket)),
      values.map(bucketOf),
    );
  });
});
