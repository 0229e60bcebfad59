import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { poolOf } from "../client.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import { type Column, insertRows } from "./rows.ts";
import { pgTextArray } from "./snapshot.ts";

describe("bulk writes", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("bulk");
  });
  after(() => t.drop());

  it("a text[] literal reads back as the same strings in PostgreSQL, for any strings (fast-check)", async () => {
    const pool = poolOf(t.db);
    // Any text PostgreSQL can store (no NUL), including quotes, backslashes, commas, braces, "NULL".
    const text = fc.oneof(fc.string(), fc.constantFrom("NULL", "null", '"', "\\", "{a,b}", " ", ""));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          text.filter((s) => !s.includes("\u0000")),
          { maxLength: 6 },
        ),
        async (values) => {
          const { rows } = await pool.query<{ a: string[] }>("SELECT $1::text::text[] AS a", [
            pgTextArray(values),
          ]);
          assert.deepEqual(rows[0]?.a, values);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("insertRows stores what one INSERT per row stores, constant columns and NULLs included (fast-check)", async () => {
    const pool = poolOf(t.db);
    await pool.query(`CREATE TABLE bulk_rows (id bigserial PRIMARY KEY, k int NOT NULL, s text, n int, b boolean,
      at timestamptz, j jsonb, tags text[])`);
    type Row = {
      k: number;
      s: string | null;
      n: number | null;
      b: boolean | null;
      at: Date | null;
      j: string;
      tags: string[];
    };
    const text = fc.oneof(fc.string(), fc.constantFrom("NULL", '"', "\\", "{a,b}", "", " x "));
    const clean = text.filter((x) => !x.includes("\u0000"));
    const date = fc.date({ min: new Date("1990-01-01"), max: new Date("2100-01-01"), noInvalidDate: true });
    // Few distinct values so that whole columns are often one value (sent as a scalar).
    const row = fc.record({
      k: fc.constant(0),
      s: fc.option(fc.oneof(clean, fc.constant("same")), { nil: null }),
      n: fc.option(fc.integer(), { nil: null }),
      b: fc.option(fc.boolean(), { nil: null }),
      at: fc.option(fc.oneof(date, fc.constant(new Date("2026-12-04T12:00:00.123Z"))), { nil: null }),
      j: fc.jsonValue().map((v) => JSON.stringify(v)),
      tags: fc.array(clean, { maxLength: 3 }),
    });
    const columns: Array<Column<Row>> = [
      ["k", "int", (r) => r.k],
      ["s", "text", (r) => r.s],
      ["n", "int", (r) => r.n],
      ["b", "boolean", (r) => r.b],
      ["at", "timestamptz", (r) => r.at],
      ["j", "text", (r) => r.j, "jsonb"],
      ["tags", "text", (r) => pgTextArray(r.tags), "text[]"],
    ];
    const read = async (k: number) =>
      (await pool.query(`SELECT s, n, b, at, j, tags FROM bulk_rows WHERE k = $1 ORDER BY id`, [k])).rows;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 8 }), async (rows) => {
        run += 2;
        const bulk = rows.map((r) => ({ ...r, k: run }));
        const c = await pool.connect();
        const ids = await insertRows<Row, { id: string }>(c, "bulk_rows", columns, bulk, "id").finally(() =>
          c.release(),
        );
        assert.equal(ids.length, rows.length);
        for (const r of rows)
          await pool.query(
            `INSERT INTO bulk_rows (k, s, n, b, at, j, tags) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::text[])`,
            [run + 1, r.s, r.n, r.b, r.at, r.j, r.tags],
          );
        assert.deepEqual(await read(run), await read(run + 1));
      }),
      { numRuns: 200 },
    );
  });
});
