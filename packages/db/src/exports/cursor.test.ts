// Export cursors hand timestamps over as ISO 8601 UTC text without building a Date: checked
// against the instant that went in, through PostgreSQL, from a session in an odd time zone.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import pg from "pg";
import { Prisma } from "../generated/prisma/client.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import { pgTimestamptzToIso, readWithCursor } from "./cursor.ts";

describe("export cursor", () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  before(async () => {
    t = await createTestDatabase("cursor");
    // A server whose sessions default to UTC+12:45 (+13:45 in summer): the cursor sets its own.
    pool = new pg.Pool({ connectionString: t.url, max: 2, options: "-c TimeZone=Pacific/Chatham" });
  });
  after(async () => {
    await pool.end();
    await t.drop();
  });

  const read = async (query: Prisma.Sql) => {
    const rows: Array<Record<string, unknown>> = [];
    for await (const batch of readWithCursor<Record<string, unknown>>(pool, query, 500)) rows.push(...batch);
    return rows;
  };

  it("a timestamptz(3) reads as Date#toISOString of the instant stored, for any instant (fast-check)", async () => {
    const instant = fc.date({
      min: new Date("1000-01-01T00:00:00Z"),
      max: new Date("9999-12-31T23:59:59.999Z"),
      noInvalidDate: true,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(instant, { minLength: 1, maxLength: 50 }), async (dates) => {
        const rows = await read(
          Prisma.sql`SELECT t::timestamptz(3) AS t, ord FROM unnest(${dates}::timestamptz[]) WITH ORDINALITY AS u(t, ord) ORDER BY ord`,
        );
        assert.deepEqual(
          rows.map((r) => r.t),
          dates.map((d) => d.toISOString()),
        );
      }),
      { numRuns: 100 },
    );
  });

  it("microseconds, whole seconds and values Date cannot hold keep their meaning", async () => {
    const [row] = await read(Prisma.sql`
      SELECT '2026-11-21 19:34:38.123456+00'::timestamptz AS micro, '2026-11-21 19:34:38+00'::timestamptz AS whole,
        '2026-11-21 19:34:38.1+05:30'::timestamptz AS offset, 'infinity'::timestamptz AS inf, NULL::timestamptz AS none,
        '2026-11-21'::date AS day`);
    assert.equal(row?.micro, "2026-11-21T19:34:38.123Z");
    assert.equal(row?.whole, "2026-11-21T19:34:38.000Z");
    assert.equal(row?.offset, "2026-11-21T14:04:38.100Z");
    assert.equal(row?.inf, "infinity");
    assert.equal(row?.none, null);
    assert.ok(row?.day instanceof Date, "other types are parsed as everywhere else");
    assert.equal(pgTimestamptzToIso("2026-11-21 19:34:38.5+00"), "2026-11-21T19:34:38.500Z");
  });
});
