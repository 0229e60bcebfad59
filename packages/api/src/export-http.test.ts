// Exports under slow and stalled clients, over the same handler as the web app's route: a client
// that stops reading is cut off and its connection freed, a request that cannot get a connection
// in time is 503 with Retry-After, and bad values are 400 before any byte of the body.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { handleExportRequest } from "./export-http.ts";
import { type HttpFixture, startHttpFixture } from "./http-fixture.ts";
import { DEFAULT_EXPORT_LIMITS } from "./limits.ts";

const viewer = { name: "vera@example.com", role: "viewer", source: "proxy" } as const;

describe("export limits", () => {
  let f: HttpFixture;
  before(async () => {
    f = await startHttpFixture({
      name: "exportlimits",
      pods: 80,
      user: viewer,
      pool: { max: 4, waitMs: 4_000 },
    });
  });
  after(async () => {
    await f.stop();
  });

  const exportOf = (kind: string, opts: { idleMs: number; waitMs: number }, query = "") =>
    handleExportRequest(new Request(`http://pullsight.test/api/export/${kind}.csv${query}`), {
      db: f.t.db,
      pool: f.pool,
      user: viewer,
      exportLimits: { ...DEFAULT_EXPORT_LIMITS, ...opts },
      batchSize: 5,
    });

  it("4 clients that stop reading do not stop a fifth export: they are cut off and their connections freed", async () => {
    const limits = { idleMs: 400, waitMs: 4_000 };
    const stalled = await Promise.all([1, 2, 3, 4].map(() => exportOf("findings", limits)));
    for (const res of stalled) {
      assert.equal(res.status, 200);
      await res.body?.getReader().read(); // one chunk, then nothing more is read
    }
    assert.equal(f.pool.totalCount - f.pool.idleCount, 4, "all four export connections are held");
    const started = performance.now();
    const fifth = await exportOf("findings", limits);
    const csv = await fifth.text();
    const waited = performance.now() - started;
    assert.equal(fifth.status, 200);
    const rows = csv.trimEnd().split("\r\n").length - 1;
    assert.equal(rows, await f.t.db.finding.count(), "the fifth export is whole");
    assert.ok(waited < limits.waitMs, `served after ${Math.round(waited)} ms`);
    const logs = await f.t.db.exportLog.findMany({ orderBy: { id: "asc" }, take: 5 });
    assert.deepEqual(
      logs.map((l) => l.completed),
      [false, false, false, false, true],
    );
    for (const l of logs.slice(0, 4))
      assert.match(l.error ?? "", /cut off: the client read nothing for 400 ms/);
    // The held transactions are gone too (they would hold back vacuum).
    const open = await f.pool.query<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pullsight-export' AND state LIKE 'idle in transaction%'`,
    );
    assert.equal(open.rows[0]?.n, 0);
  });

  it("a request that cannot get a connection within the wait is 503 with Retry-After, before any byte", async () => {
    const hold = { idleMs: 60_000, waitMs: 4_000 };
    const held = await Promise.all([1, 2, 3, 4].map(() => exportOf("findings", hold)));
    const readers = held.map((res) => res.body?.getReader());
    for (const r of readers) await r?.read();
    const started = performance.now();
    // The pool's own wait (4 s here) decides; Retry-After says when to come back.
    const refused = await exportOf("inventory", hold);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "4");
    assert.match(await refused.text(), /every export connection is busy/);
    assert.ok(performance.now() - started >= 3_900, "it waited for the pool first");
    for (const r of readers) await r?.cancel("test over");
    const logs = await f.t.db.exportLog.findMany({ orderBy: { id: "desc" }, take: 5 });
    assert.match(logs[0]?.error ?? "", /every export connection is busy/, "the refusal is logged too");
    for (const l of logs.slice(1)) assert.match(l.error ?? "", /cancelled by the client: test over/);
  });

  it("bad values are 400 with the reason, never a 200 that breaks", async () => {
    const limits = { idleMs: 5_000, waitMs: 4_000 };
    for (const [kind, query, reason] of [
      ["namespaces", "?cluster=nope", /no cluster named nope/],
      ["review", "?week=2026-W99", /2026 has no week 99/],
      ["latency", "?from=0000-01-01", /between 1970 and 9999/],
      ["findings", "?namespace=a%00b", /NUL/],
      ["snapshots", "?to=%2B275760-09-13", /between 1970 and 9999|Invalid/],
    ] as const) {
      const res = await exportOf(kind, limits, query);
      const body = await res.text();
      assert.equal(res.status, 400, `${kind}${query}: ${body}`);
      assert.match(body, reason, `${kind}${query}`);
    }
    const none = await handleExportRequest(new Request("http://pullsight.test/api/export/findings.csv"), {
      db: f.t.db,
      pool: f.pool,
      user: null,
    });
    assert.equal(none.status, 401);
  });

  it("export connections run with statement and idle-in-transaction timeouts", async () => {
    const c = await f.pool.connect();
    try {
      const r = await c.query<{ s: string; i: string }>(
        "SELECT current_setting('statement_timeout') AS s, current_setting('idle_in_transaction_session_timeout') AS i",
      );
      assert.equal(r.rows[0]?.s, "1min");
      assert.equal(r.rows[0]?.i, "2min");
    } finally {
      c.release();
    }
  });
});
