// The read cache forgets by cluster: a change to one cluster's rows forgets the answers about that
// cluster and the fleet's, keeps the other clusters' drill-downs, and never lets an answer be
// served after a change to what it read. The changes are random sequences of real writes to two
// clusters; after each one is heard, every cached answer must equal the same question answered
// without a cache.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CLUSTER_OF, poolOf } from "@pullsight/db";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import fc from "fast-check";
import pg from "pg";
import type { Identity } from "./identity.ts";
import { CHANGE_CHANNEL, parseChange, ReadCache } from "./read-cache.ts";
import { createCaller } from "./root.ts";
import { createContext } from "./trpc.ts";

const reviewer: Identity = { name: "rex@example.com", role: "reviewer", source: "proxy" };

async function until(what: string, ok: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

interface Fleet {
  clusters: Array<{ id: number; name: string; workload: bigint }>;
}

/** Two clusters, each with a namespace, a workload, a snapshot, a rollup and an open finding. */
async function seed(pool: pg.Pool): Promise<Fleet> {
  const clusters: Fleet["clusters"] = [];
  for (const name of ["east", "west"]) {
    const c = await pool.query<{ id: number }>(
      `INSERT INTO "Cluster" (name, labels) VALUES ($1, '{"env":"prod"}') RETURNING id`,
      [name],
    );
    const id = c.rows[0]?.id ?? 0;
    const s = await pool.query<{ id: string }>(
      `INSERT INTO "Snapshot" ("clusterId", "startedAt", "finishedAt", status, "collectorVersion", "rulesVersion")
       VALUES ($1, now(), now(), 'complete', 't', 't') RETURNING id`,
      [id],
    );
    const snapshot = s.rows[0]?.id;
    await pool.query(`UPDATE "Cluster" SET "lastSnapshotId" = $2, "lastSnapshotAt" = now() WHERE id = $1`, [
      id,
      snapshot,
    ]);
    await pool.query(
      `INSERT INTO "Namespace" ("clusterId", name, profile, "firstSeenAt", "lastSeenAt") VALUES ($1, 'shop', 'default', now(), now())`,
      [id],
    );
    const w = await pool.query<{ id: string }>(
      `INSERT INTO "Workload" ("clusterId", namespace, kind, name, "firstSeenAt", "lastSeenAt")
       VALUES ($1, 'shop', 'Deployment', 'cart', now(), now()) RETURNING id`,
      [id],
    );
    const workload = BigInt(w.rows[0]?.id ?? 0);
    for (const ns of ["", "shop"])
      await pool.query(
        `INSERT INTO "PostureRollup" ("snapshotId", "clusterId", namespace, "takenAt", workloads, containers, compliant, score)
         VALUES ($1, $2, $3, now(), 1, 2, 1, 50)`,
        [snapshot, id, ns],
      );
    await addFinding(pool, id, workload, "PS002");
    clusters.push({ id, name, workload });
  }
  return { clusters };
}

function addFinding(pool: pg.Pool, clusterId: number, workloadId: bigint, ruleId: string) {
  return pool.query(
    `INSERT INTO "Finding" ("clusterId", "workloadId", namespace, "ruleId", severity, fingerprint, image,
       "openedAt", "openedSnapshotId", "lastSeenSnapshotId")
     SELECT $1, $2, 'shop', $3, 'high', md5(random()::text), 'nginx:latest', now(), s.id, s.id
     FROM "Snapshot" s WHERE s."clusterId" = $1 ORDER BY s.id DESC LIMIT 1`,
    [clusterId, workloadId, ruleId],
  );
}

/** One committed change to one cluster's rows, as the collector or an operator would make it. */
const CHANGES: Record<string, (pool: pg.Pool, c: Fleet["clusters"][number]) => Promise<unknown>> = {
  "new finding": (pool, c) => addFinding(pool, c.id, c.workload, "PS004"),
  "finding resolved": (pool, c) =>
    pool.query(
      `UPDATE "Finding" SET "resolvedAt" = now() WHERE id = (SELECT min(id) FROM "Finding" WHERE "clusterId" = $1 AND "resolvedAt" IS NULL)`,
      [c.id],
    ),
  "rollup moved": (pool, c) =>
    pool.query(`UPDATE "PostureRollup" SET compliant = (compliant + 1) % 3 WHERE "clusterId" = $1`, [c.id]),
  "workload relabelled": (pool, c) =>
    pool.query(`UPDATE "Workload" SET labels = jsonb_build_object('v', random()::text) WHERE id = $1`, [
      c.workload,
    ]),
  "container fact": (pool, c) =>
    pool.query(
      `INSERT INTO "ContainerFact" ("workloadId", "containerName", "containerType", image, registry, repository, tag,
         "tagKind", "registryVisibility", "imagePullPolicy", "policySource", "policyEvidence", "factHash", "validFrom", "validFromSnapshot")
       VALUES ($1, 'app' || floor(random() * 1000), 'container', 'nginx:1.27', 'docker.io', 'library/nginx', '1.27',
         'full', 'public', 'IfNotPresent', 'explicit', 'spec', md5(random()::text), now(), 1)`,
      [c.workload],
    ),
  "image running": (pool, c) =>
    pool.query(
      `INSERT INTO "RunningImage" ("workloadId", "containerName", "nodeName", image, digest, pods, "validFrom", "validFromSnapshot")
       VALUES ($1, 'app', 'node-' || floor(random() * 1000), 'nginx:1.27', 'sha256:' || md5(random()::text), 1, now(), 1)`,
      [c.workload],
    ),
  "namespace relabelled": (pool, c) =>
    pool.query(
      `UPDATE "Namespace" SET labels = jsonb_build_object('team', 't' || floor(random() * 9)) WHERE "clusterId" = $1`,
      [c.id],
    ),
  "cluster relabelled": (pool, c) =>
    pool.query(
      `UPDATE "Cluster" SET labels = jsonb_build_object('env', 'e' || floor(random() * 3)) WHERE id = $1`,
      [c.id],
    ),
  "pull event": (pool, c) =>
    pool.query(
      `INSERT INTO "PullEvent" ("clusterId", uid, namespace, "podName", reason, message, count, "firstTimestamp", "lastTimestamp", "workloadId")
       VALUES ($1, md5(random()::text), 'shop', 'cart-1', 'Pulling', 'Pulling image "nginx:1.27"', 1, now(), now(), $2)`,
      [c.id, c.workload],
    ),
};

describe("read cache scoped by cluster", () => {
  let t: TestDatabase;
  let cache: ReadCache;
  let fleet: Fleet;
  before(async () => {
    t = await createTestDatabase("readcache_scope");
    cache = await ReadCache.start(t.url, { reconnectMs: 50, log: () => {} });
    fleet = await seed(poolOf(t.db));
  });
  after(async () => {
    await cache.close();
    await t.drop();
  });
  const cached = () => createCaller(createContext({ db: t.db, user: reviewer, cache }));
  const fresh = () => createCaller(createContext({ db: t.db, user: reviewer }));
  const questions = (api: ReturnType<typeof cached>): Record<string, () => Promise<unknown>> => ({
    fleet: () => api.fleet.overview(),
    ...Object.fromEntries(
      (fleet?.clusters ?? []).flatMap((c) => [
        [`cluster ${c.name}`, () => api.clusters.detail({ name: c.name })],
        [`workload ${c.name}`, () => api.workloads.detail({ id: c.workload })],
      ]),
    ),
  });

  it("each cluster-scoped table's triggers name the clusters whose rows changed, as tables.ts says", async () => {
    const { rows } = await poolOf(t.db).query<{ table: string; trigger: string; arg: string }>(
      `SELECT c.relname AS table, g.tgname AS trigger, encode(g.tgargs, 'escape') AS arg
       FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
       WHERE g.tgname LIKE 'pullsight_changed_%'`,
    );
    for (const [table, query] of Object.entries(CLUSTER_OF))
      for (const op of ["insert", "update", "delete"]) {
        const found = rows.find((r) => r.table === table && r.trigger === `pullsight_changed_${op}`);
        assert.equal(found?.arg.replace(/\\000$/, ""), query, `${table} ${op}`);
      }

    const listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on("notification", (n) => heard.push(n.payload ?? ""));
    await listener.query(`LISTEN ${CHANGE_CHANNEL}`);
    try {
      const [east, west] = fleet.clusters;
      assert.ok(east && west);
      await CHANGES["container fact"]?.(poolOf(t.db), east);
      await CHANGES["new finding"]?.(poolOf(t.db), west);
      await until("two notifications", () => heard.length >= 2);
      await sleep(50);
      // A container with a new image changes its workload's search text (Workload.search) too, and
      // a new open finding its workload's count (Workload.openFindings).
      assert.deepEqual(
        heard.sort(),
        [
          `ContainerFact:${east.id}`,
          `Workload:${east.id}`,
          `Finding:${west.id}`,
          `OpenFindingCount:${west.id}`,
          `Workload:${west.id}`,
        ].sort(),
      );
    } finally {
      await listener.end();
    }
    assert.deepEqual(parseChange("Finding:12"), { table: "Finding", cluster: 12 });
    assert.deepEqual(parseChange("Waiver"), { table: "Waiver", cluster: null });
  });

  it("a change to one cluster keeps the other cluster's answers and forgets its own and the fleet's", async () => {
    await until("listening", () => cache.live);
    const [east, west] = fleet.clusters;
    assert.ok(east && west);
    const q = questions(cached());
    for (const ask of Object.values(q)) await ask();
    const generation = cache.generation;
    await CHANGES["new finding"]?.(poolOf(t.db), east);
    await until("the change to be heard", () => cache.generation > generation);
    const misses = cache.stats.misses;
    await q[`cluster ${west.name}`]?.();
    await q[`workload ${west.name}`]?.();
    assert.equal(cache.stats.misses, misses, "west's answers were kept");
    await q[`cluster ${east.name}`]?.();
    await q.fleet?.();
    assert.equal(cache.stats.misses, misses + 2, "east's and the fleet's were asked again");
  });

  it("after any sequence of changes, every answer served equals the answer computed afresh", async () => {
    await until("listening", () => cache.live);
    const names = Object.keys(CHANGES);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...names), fc.nat(1)), { minLength: 1, maxLength: 6 }),
        async (steps) => {
          const q = questions(cached());
          const truth = questions(fresh());
          for (const ask of Object.values(q)) await ask();
          for (const [change, which] of steps) {
            const cluster = fleet.clusters[which];
            assert.ok(cluster);
            const generation = cache.generation;
            const changed = await CHANGES[change]?.(poolOf(t.db), cluster);
            // A statement that changed no row (nothing left to resolve) announces nothing.
            if ((changed as pg.QueryResult | undefined)?.rowCount !== 0)
              await until(`${change} to be heard`, () => cache.generation > generation);
            // Notifications of one transaction arrive together; let any sibling land.
            await sleep(5);
            for (const [question, ask] of Object.entries(q))
              assert.deepEqual(
                await ask(),
                await truth[question]?.(),
                `${question} after ${change} in ${cluster.name}`,
              );
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
