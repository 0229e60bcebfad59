// The product's sessions: parallel workers off on every connection of its pool, alongside any
// settings the operator's URL brings in `options`.
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
});
