// The SQL side of waiver matching must agree with core's: checked against PostgreSQL's own LIKE.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { globMatches, globToLike } from "@pullsight/core";
import fc from "fast-check";
import { createTestDatabase, type TestDatabase } from "../testing.ts";

describe("waiver image patterns in SQL", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("waivers");
  });
  after(() => t.drop());

  it("PostgreSQL's LIKE on globToLike(pattern) matches exactly what globMatches does", async () => {
    const pattern = fc.stringMatching(/^[a-z0-9.*/:%_\\-]{0,10}$/);
    const image = fc.stringMatching(/^[a-z0-9./:@_%\\-]{0,20}$/);
    const cases = fc.sample(fc.tuple(pattern, image), { numRuns: 400, seed: 7 });
    // plus pairs where the image is built from the pattern, so matches are common too
    for (const [p] of cases.slice(0, 100)) cases.push([p, p.replaceAll("*", "x%_")]);
    const rows = await t.db.$queryRaw<Array<{ i: number; m: boolean }>>`
      SELECT (c.ord - 1)::int AS i, c.v ->> 1 LIKE (c.v ->> 0) AS m
      FROM jsonb_array_elements(${JSON.stringify(cases.map(([p, v]) => [globToLike(p), v]))}::jsonb) WITH ORDINALITY AS c(v, ord)`;
    for (const r of rows) {
      const [p, v] = cases[r.i] as [string, string];
      assert.equal(r.m, globMatches(p, v), `${JSON.stringify(p)} vs ${JSON.stringify(v)}`);
    }
    assert.equal(rows.length, cases.length);
  });
});
