// The product's sessions: parallel workers off on every connection of its pool, alongside any
// settings the operator's URL brings in `options`; and a client's pool found from any copy of the module.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createDb, poolOf } from "./client.ts";
import { createTestDatabase, type TestDatabase } from "./testing.ts";

describe("session settings", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("client");
  });
  after(() => t.drop());

  it("turns parallel workers off and keeps the URL's own options", async () => {
    const url = new URL(t.url);
    url.searchParams.set("options", "-c statement_timeout=4321");
    const db = createDb(url.toString(), { max: 2 });
    try {
      const show = async (name: string) =>
        (await poolOf(db).query<{ v: string }>("SELECT current_setting($1) AS v", [name])).rows[0]?.v;
      assert.equal(await show("max_parallel_workers_per_gather"), "0");
      assert.equal(await show("statement_timeout"), "4321ms");
      const [viaPrisma] = await db.$queryRaw<Array<{ v: string }>>`
        SELECT current_setting('max_parallel_workers_per_gather') AS v`;
      assert.equal(viaPrisma?.v, "0", "queries through Prisma use the same sessions");
    } finally {
      await db.$disconnect();
    }
  });

  it("finds a client's pool through another copy of the module, as a bundler may load it twice", async () => {
    const copy = (await import(`./client.ts?copy=${Date.now()}`)) as typeof import("./client.ts");
    assert.notEqual(copy.createDb, createDb, "a second evaluation of the module");
    const db = copy.createDb(t.url, { max: 1 });
    try {
      assert.equal((await poolOf(db).query<{ n: number }>("SELECT 1 AS n")).rows[0]?.n, 1);
    } finally {
      await db.$disconnect();
    }
  });
});
