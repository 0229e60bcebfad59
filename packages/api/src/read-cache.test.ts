// The read cache against a real PostgreSQL: answers are kept only until a change commits, shared
// by concurrent askers, never kept when they failed, and not served at all while the cache cannot
// hear changes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { poolOf } from "@pullsight/db";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import pg from "pg";
import { handleTrpcRequest } from "./http.ts";
import type { Identity } from "./identity.ts";
import { CHANGE_CHANNEL, ReadCache } from "./read-cache.ts";
import { createCaller } from "./root.ts";
import { createContext } from "./trpc.ts";

const reviewer: Identity = { name: "rex@example.com", role: "reviewer", source: "proxy" };

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 5000) {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe("read cache", () => {
  let t: TestDatabase;
  let cache: ReadCache;
  before(async () => {
    t = await createTestDatabase("readcache");
    cache = await ReadCache.start(t.url, { reconnectMs: 50, log: () => {} });
  });
  after(async () => {
    await cache.close();
    await t.drop();
  });
  const api = () => createCaller(createContext({ db: t.db, user: reviewer, cache }));

  it("every table has the change trigger, and the notification comes at commit, not before", async () => {
    const { rows } = await poolOf(t.db).query<{ table: string; triggered: boolean }>(
      `SELECT c.relname AS table, EXISTS (
         SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'pullsight_changed') AS triggered
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'`,
    );
    assert.ok(rows.length >= 13, `tables found: ${rows.map((r) => r.table)}`);
    assert.deepEqual(
      rows.filter((r) => !r.triggered).map((r) => r.table),
      [],
    );

    const listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on("notification", (n) => heard.push(n.channel));
    await listener.query(`LISTEN ${CHANGE_CHANNEL}`);
    const writer = await poolOf(t.db).connect();
    try {
      await writer.query("BEGIN");
      await writer.query(`INSERT INTO "Cluster" (name) VALUES ('uncommitted')`);
      await writer.query(`UPDATE "Cluster" SET server = 'x' WHERE name = 'uncommitted'`);
      await sleep(100);
      assert.deepEqual(heard, [], "nothing is heard before the commit");
      await writer.query("COMMIT");
      await until("the notification", () => heard.length > 0);
      await sleep(50);
      assert.deepEqual(heard, [CHANGE_CHANNEL], "one notification per transaction");
      await writer.query(`DELETE FROM "Cluster" WHERE name = 'uncommitted'`);
    } finally {
      writer.release();
      await listener.end();
    }
  });

  it("keeps an answer until a change commits, then answers from the new data", async () => {
    await until("listening", () => cache.live);
    const first = await api().fleet.overview();
    const misses = cache.stats.misses;
    const hits = cache.stats.hits;
    assert.deepEqual(await api().fleet.overview(), first);
    assert.equal(cache.stats.misses, misses, "the second ask ran nothing");
    assert.equal(cache.stats.hits, hits + 1);

    const generation = cache.generation;
    await t.db.cluster.create({ data: { name: "arrived-later" } }); // another writer, through PostgreSQL
    await until("the change to be heard", () => cache.generation > generation);
    const next = await api().fleet.overview();
    assert.equal(next.totals.clusters, first.totals.clusters + 1);
    assert.ok(next.clusters.some((c) => c.name === "arrived-later"));
  });

  it("keys any input a server component passes (bigints, dates) and keeps refusals out", async () => {
    await until("listening", () => cache.live);
    const misses = cache.stats.misses;
    for (let i = 0; i < 2; i++)
      await assert.rejects(
        api().workloads.detail({ id: 987654321n }),
        (e: unknown) => e instanceof Error && /no workload 987654321/.test(e.message),
      );
    assert.equal(cache.stats.misses, misses + 2, "a NOT_FOUND is asked again, not kept");
    const from = new Date("2026-01-01T00:00:00Z");
    const range = { range: { from, to: new Date(from.getTime() + 7 * 86_400_000) } };
    assert.deepEqual(await api().trends.posture(range), await api().trends.posture(range));
    assert.equal(cache.stats.misses, misses + 3, "the second trend came from the cache");
  });

  it("over HTTP a GET's whole answer is kept per user until a change; refusals are not", async () => {
    await until("listening", () => cache.live);
    const get = (user: Identity | null, path = "fleet.overview") =>
      handleTrpcRequest(new Request(`http://pullsight.test/api/trpc/${path}`), {
        endpoint: "/api/trpc",
        db: t.db,
        user,
        cache,
      });
    const first = await get(reviewer);
    assert.equal(first.status, 200);
    const body = await first.text();
    const hits = cache.stats.hits;
    const again = await get(reviewer);
    assert.equal(await again.text(), body);
    assert.equal(again.headers.get("content-type"), first.headers.get("content-type"));
    assert.equal(cache.stats.hits, hits + 1, "the second GET was the kept answer");

    const misses = cache.stats.misses;
    assert.equal((await get(null)).status, 401);
    assert.equal((await get(null)).status, 401);
    assert.equal(cache.stats.misses, misses + 2, "a refusal is not kept");

    const generation = cache.generation;
    await t.db.cluster.create({ data: { name: "seen-over-http" } });
    await until("the change to be heard", () => cache.generation > generation);
    assert.match(await (await get(reviewer)).text(), /seen-over-http/);
  });

  it("a mutation through the API empties it before it returns (the writer reads its own write)", async () => {
    // A cache that hears another database's changes only: nothing but the mutation can empty it.
    const other = await createTestDatabase("readcache_other");
    const deaf = await ReadCache.start(other.url, { log: () => {} });
    try {
      assert.ok(deaf.live);
      const caller = createCaller(createContext({ db: t.db, user: reviewer, cache: deaf }));
      assert.deepEqual(await caller.waivers.list(), []);
      assert.deepEqual(await caller.waivers.list(), []);
      assert.equal(deaf.stats.hits, 1);
      const waiver = await caller.waivers.create({
        ruleId: "PS001",
        reason: "read-your-writes",
        owner: "platform",
        expiresAt: new Date(Date.now() + 86_400_000),
      });
      assert.deepEqual(
        (await caller.waivers.list()).map((w) => w.id),
        [waiver.id],
      );
    } finally {
      await deaf.close();
      await other.drop();
    }
  });

  it("concurrent askers share one answer; failed or refused answers are not kept; the TTL bounds the rest", async () => {
    await until("listening", () => cache.live);
    let runs = 0;
    const slow = async () => {
      runs += 1;
      await sleep(50);
      return { runs };
    };
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.read("shared", slow)));
    assert.equal(runs, 1);
    assert.ok(answers.every((a) => a === answers[0]));

    let failures = 0;
    const failing = async () => {
      failures += 1;
      throw new Error("database went away");
    };
    await assert.rejects(cache.read("failing", failing));
    await assert.rejects(cache.read("failing", failing));
    assert.equal(failures, 2, "a failure is asked again");

    let refused = 0;
    const refusing = async () => ({ ok: false, n: ++refused });
    await cache.read("refused", refusing, (a) => a.ok);
    await cache.read("refused", refusing, (a) => a.ok);
    assert.equal(refused, 2, "an answer `keep` refuses is asked again");

    const short = await ReadCache.start(t.url, { ttlMs: 40, log: () => {} });
    try {
      let computed = 0;
      const count = async () => ++computed;
      await short.read("k", count);
      await short.read("k", count);
      assert.equal(computed, 1);
      await sleep(80);
      await short.read("k", count);
      assert.equal(computed, 2, "kept no longer than the TTL");
    } finally {
      await short.close();
    }
  });

  it("while it cannot hear changes it serves nothing from the cache, then listens again and starts empty", async () => {
    await until("listening", () => cache.live);
    let runs = 0;
    const count = async () => ++runs;
    await cache.read("k", count);
    await cache.read("k", count);
    assert.equal(runs, 1);
    const killed = await poolOf(t.db).query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pullsight-read-cache' AND datname = current_database()`,
    );
    assert.equal(killed.rowCount, 1);
    await until("the loss to be noticed", () => !cache.live);
    await cache.read("k", count);
    await cache.read("k", count);
    assert.equal(runs, 3, "nothing kept or served while deaf");
    await until("listening again", () => cache.live);
    await cache.read("k", count);
    assert.equal(runs, 4, "starts empty after reconnecting");
    await cache.read("k", count);
    assert.equal(runs, 4);
  });
});
