// What each procedure says it reads is what it reads: the tables named in the SQL PostgreSQL
// receives while it answers (with inputs that take every branch) are all among its declared
// reads; and a cached answer is forgotten when one of them changes, and only then.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CLUSTER_OF, poolOf, TABLES } from "@pullsight/db";
import pg from "pg";
import { handleTrpcRequest } from "./http.ts";
import { type HttpFixture, startHttpFixture } from "./http-fixture.ts";
import { CHANGE_CHANNEL, ReadCache } from "./read-cache.ts";
import { appRouter, createCaller } from "./root.ts";
import { cacheKey, createContext, type Meta } from "./trpc.ts";

const admin = { name: "ada@example.com", role: "admin", source: "proxy" } as const;
type Procedure = { _def: { type: string; meta?: Meta } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);

/** Every table named in SQL sent while `run` runs. */
async function tablesRead(run: () => Promise<unknown>): Promise<Set<string>> {
  const seen = new Set<string>();
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string };
    const text = typeof q === "string" ? q : (q?.text ?? "");
    for (const table of TABLES) if (text.includes(`"${table}"`)) seen.add(table);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await run().catch(() => {});
  } finally {
    pg.Client.prototype.query = original;
  }
  return seen;
}

describe("what procedures read", () => {
  let f: HttpFixture;
  let inputs: Record<string, unknown[]>;
  before(async () => {
    f = await startHttpFixture({ name: "reads", pods: 40, user: admin });
    const c = await f.t.db.cluster.findFirstOrThrow();
    const w = await f.t.db.workload.findFirstOrThrow({ where: { clusterId: c.id } });
    const week = "2026-W48";
    const owned = await f.t.db.namespace.findFirstOrThrow({ where: { owner: { not: null } } });
    const asOf = new Date();
    const all = { cluster: c.name, namespace: w.namespace };
    inputs = {
      "fleet.overview": [undefined, { labels: { env: "prod" } }],
      "fleet.worstNamespaces": [undefined, { limit: 3 }],
      "clusters.detail": [{ name: c.name, snapshots: 5 }],
      "clusters.snapshots": [undefined, { perCluster: 2 }],
      "workloads.list": [
        {},
        { filter: { ...all, q: "a", ruleId: "PS002", tagKind: "not-digest" }, sort: "findings" },
      ],
      "workloads.facets": [undefined, { cluster: c.name }],
      "workloads.detail": [{ id: w.id }],
      "findings.list": [{}, { filter: { ...all, status: "resolved" } }, { filter: { asOf } }],
      "trends.posture": [
        {},
        { scope: all },
        { scope: { labels: { env: "prod" } } },
        { scope: { team: owned.owner ?? "" } },
      ],
      "trends.latency": [{}, { scope: { cluster: c.name }, byCluster: true }],
      "trends.coverage": [{}, { scope: { cluster: c.name }, range: { days: 7 } }],
      "reviews.get": [{ week }, { week, scope: `cluster:${c.name}` }],
      "reviews.list": [{}],
      "reviews.rules": [
        { week, section: "new", team: owned.owner ?? "" },
        { week, scope: `cluster:${c.name}`, section: "ageing", team: owned.owner ?? "" },
      ],
      "reviews.images": [
        { week, section: "new", team: owned.owner ?? "", ruleId: "PS001" },
        { week, scope: `cluster:${c.name}`, section: "open", team: owned.owner ?? "", ruleId: "PS002" },
      ],
      "reviews.rows": [
        { week, section: "new" },
        {
          week,
          scope: `team:${owned.owner}`,
          section: "ageing",
          team: owned.owner ?? "",
          ruleId: "PS001",
          image: null,
        },
      ],
      "reviews.scopes": [undefined],
      "reviews.deliveries": [undefined, { limit: 5 }],
      "teams.list": [undefined],
      "teams.detail": [{ team: owned.owner ?? "" }],
      "failing.now": [
        {},
        { filter: { cluster: c.name, team: owned.owner ?? "", cause: "not-found" }, limit: 5 },
        { sort: "attempts", order: "asc" },
      ],
      "failing.count": [{}, { filter: { cluster: c.name, team: owned.owner ?? "", cause: "not-found" } }],
      "registries.atRisk": [
        {},
        { filter: { cluster: c.name, team: owned.owner ?? "", cause: "tag-moved" }, limit: 5 },
        { sort: "since", order: "desc" },
      ],
      "trends.marks": [{}, { cluster: c.name, range: { days: 56 } }],
      "images.list": [
        {},
        { filter: { cluster: c.name, drift: "yes", q: "a", registry: "docker.io" }, limit: 5 },
      ],
      "registries.health": [undefined, { days: 3 }, { cluster: c.name }],
      "waivers.list": [{}, { state: "all" }],
      "identity.me": [undefined],
      "rules.catalog": [undefined],
      "exports.log": [{ limit: 5 }],
    };
  });
  after(async () => {
    await f.stop();
  });

  const call = (caller: unknown, path: string, input: unknown) => {
    const [router, name] = path.split(".") as [string, string];
    const fn = (caller as Record<string, Record<string, (i: unknown) => Promise<unknown>>>)[router]?.[name];
    return fn?.(input) ?? Promise.reject(new Error(`no procedure ${path}`));
  };
  const queries = () => procedures.filter(([, p]) => p._def.type === "query");

  it("the table list is the database's, and every query declares what it reads, covering the tables its SQL names", async () => {
    const { rows } = await poolOf(f.t.db).query<{ t: string }>(
      `SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'`,
    );
    assert.deepEqual(rows.map((r) => r.t).sort(), [...TABLES].sort());
    const caller = createCaller(createContext({ db: f.t.db, user: admin }));
    for (const [path, proc] of queries()) {
      const declared = proc._def.meta?.reads;
      assert.ok(declared, `${path} declares what it reads`);
      const cases = inputs[path];
      assert.ok(cases, `inputs for ${path}`);
      for (const input of cases) {
        const read = await tablesRead(() => call(caller, path, input));
        const undeclared: string[] = [...read].filter((t) => !declared.includes(t as never));
        assert.deepEqual(undeclared, [], `${path}(${cacheKey(input)}) reads more than it declares`);
      }
    }
  });

  it("a cached answer is forgotten when a table it read changes, and kept when another table changes", async () => {
    const cache = await ReadCache.start(f.t.url, { log: () => {} });
    try {
      const caller = createCaller(createContext({ db: f.t.db, user: admin, cache }));
      const pool = poolOf(f.t.db);
      // A change to the fixture cluster's rows of `table`, as its triggers announce one (that they
      // do, for every table, is read-cache-scope.test.ts's and read-cache.test.ts's to prove).
      const clusterId = (await f.t.db.cluster.findFirstOrThrow()).id;
      const touch = async (table: string) => {
        const generation = cache.generation;
        const payload = table in CLUSTER_OF ? `${table}:${clusterId}` : table;
        await pool.query("SELECT pg_notify($1, $2)", [CHANGE_CHANNEL, payload]);
        const end = Date.now() + 5000;
        while (cache.generation === generation) {
          if (Date.now() > end) assert.fail(`the change to ${table} was not heard`);
          await sleep(5);
        }
      };
      for (const [path, proc] of queries()) {
        const declared = proc._def.meta?.reads ?? [];
        const input = inputs[path]?.[0];
        const ask = async () => {
          const misses = cache.stats.misses;
          await call(caller, path, input);
          return cache.stats.misses === misses ? "hit" : "miss";
        };
        await ask();
        assert.equal(await ask(), "hit", `${path} is kept`);
        for (const table of TABLES.filter((t) => !declared.includes(t))) {
          await touch(table);
          assert.equal(
            await ask(),
            "hit",
            `${path} is kept after a change to ${table}, which it does not read`,
          );
        }
        for (const table of declared) {
          await touch(table);
          assert.equal(await ask(), "miss", `${path} is forgotten after a change to ${table}`);
          assert.equal(await ask(), "hit");
        }
      }
      // Over HTTP (a GET's whole answer is kept): an export's log row forgets only the export log.
      const get = async (path: string) => {
        const misses = cache.stats.misses;
        const res = await handleTrpcRequest(new Request(`http://pullsight.test/api/trpc/${path}`), {
          endpoint: "/api/trpc",
          db: f.t.db,
          user: admin,
          cache,
        });
        assert.equal(res.status, 200);
        return cache.stats.misses === misses ? "hit" : "miss";
      };
      const batch = "fleet.overview,exports.log?batch=1&input=%7B%7D";
      await get(batch);
      assert.equal(await get(batch), "hit");
      await touch("PullEvent");
      assert.equal(await get(batch), "hit", "neither reads pull events");
      await touch("ExportLog");
      assert.equal(await get(batch), "miss", "a batch reads what each of its calls reads");
      await get("fleet.overview");
      await touch("ExportLog");
      assert.equal(await get("fleet.overview"), "hit");
    } finally {
      await cache.close();
    }
  });
});
