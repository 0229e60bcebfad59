import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { poolOf } from "../client.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
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
});
