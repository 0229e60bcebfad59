// The open-finding counts the triggers keep must equal counting the findings, after any sequence of
// writes (inserts, resolutions, reopenings, severity changes, moves between namespaces, deletes,
// several rows per statement, rolled-back transactions), and the waived split read from them must
// equal evaluating every finding against the waivers.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { poolOf } from "../client.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import { countOpenFindings } from "./open-counts.ts";
import { waivedSql } from "./waivers.ts";

const NAMESPACES = ["shop", "pay"];
const RULES = ["PS001", "PS002", "PS005"];
const SEVERITIES = ["high", "low"];

const write = fc.oneof(
  fc.record({
    op: fc.constant("insert" as const),
    rows: fc.array(
      fc.tuple(
        fc.nat(1),
        fc.constantFrom(...NAMESPACES),
        fc.constantFrom(...RULES),
        fc.constantFrom(...SEVERITIES),
      ),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
  }),
  fc.record({
    op: fc.constantFrom("resolve" as const, "reopen" as const, "delete" as const),
    pick: fc.nat(7),
  }),
  fc.record({
    op: fc.constant("severity" as const),
    pick: fc.nat(7),
    severity: fc.constantFrom(...SEVERITIES),
  }),
  fc.record({ op: fc.constant("move" as const), pick: fc.nat(7), namespace: fc.constantFrom(...NAMESPACES) }),
  fc.record({ op: fc.constant("rolled back" as const), pick: fc.nat(7) }),
);
type Write = typeof write extends fc.Arbitrary<infer T> ? T : never;

describe("open-finding counts", () => {
  let t: TestDatabase;
  const clusters: number[] = [];
  let workload = 0n;
  before(async () => {
    t = await createTestDatabase("open_counts");
    const pool = poolOf(t.db);
    for (const name of ["a", "b"]) {
      const c = await pool.query<{ id: number }>(`INSERT INTO "Cluster" (name) VALUES ($1) RETURNING id`, [
        name,
      ]);
      clusters.push(c.rows[0]?.id ?? 0);
    }
    const w = await pool.query<{ id: string }>(
      `INSERT INTO "Workload" ("clusterId", namespace, kind, name, "firstSeenAt", "lastSeenAt")
       VALUES ($1, 'shop', 'Deployment', 'cart', now(), now()) RETURNING id`,
      [clusters[0]],
    );
    workload = BigInt(w.rows[0]?.id ?? 0);
  });
  after(() => t.drop());

  /** The `pick`-th finding (any state), by id, wrapping around. */
  const picked = `(SELECT id FROM "Finding" ORDER BY id OFFSET $1 % GREATEST(1, (SELECT COUNT(*) FROM "Finding")) LIMIT 1)`;

  async function apply(w: Write) {
    const pool = poolOf(t.db);
    if (w.op === "insert") {
      await pool.query(
        `INSERT INTO "Finding" ("clusterId", "workloadId", namespace, "ruleId", severity, fingerprint, image, "openedAt", "openedSnapshotId", "lastSeenSnapshotId")
         SELECT ($1::int[])[r.c + 1], CASE WHEN r.c = 0 THEN $5::bigint END, r.ns, r.rule, r.sev::"FindingSeverity", md5(random()::text), 'nginx:latest', now(), 1, 1
         FROM unnest($2::int[], $3::text[], $4::text[], $6::text[]) AS r(c, ns, rule, sev)`,
        [
          clusters,
          w.rows.map((r) => r[0]),
          w.rows.map((r) => r[1]),
          w.rows.map((r) => r[2]),
          workload,
          w.rows.map((r) => r[3]),
        ],
      );
    } else if (w.op === "resolve") {
      await pool.query(
        `UPDATE "Finding" SET "resolvedAt" = now() WHERE id = ${picked} AND "resolvedAt" IS NULL`,
        [w.pick],
      );
    } else if (w.op === "reopen") {
      // Reopening is not what the collector does (it opens a new row), but a writer may.
      await pool.query(
        `UPDATE "Finding" SET "resolvedAt" = NULL WHERE id = ${picked} AND "resolvedAt" IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM "Finding" o WHERE o."resolvedAt" IS NULL AND o.fingerprint = "Finding".fingerprint AND o."clusterId" = "Finding"."clusterId")`,
        [w.pick],
      );
    } else if (w.op === "delete") {
      await pool.query(`DELETE FROM "Finding" WHERE id = ${picked}`, [w.pick]);
    } else if (w.op === "severity") {
      await pool.query(`UPDATE "Finding" SET severity = $2::"FindingSeverity" WHERE id = ${picked}`, [
        w.pick,
        w.severity,
      ]);
    } else if (w.op === "move") {
      await pool.query(`UPDATE "Finding" SET namespace = $2 WHERE id = ${picked}`, [w.pick, w.namespace]);
    } else {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await client.query(`DELETE FROM "Finding" WHERE id = ${picked}`, [w.pick]);
        await client.query("ROLLBACK");
      } finally {
        client.release();
      }
    }
  }

  const recount = async () =>
    (
      await poolOf(t.db).query<{ k: string; n: number }>(
        `SELECT "clusterId" || '/' || namespace || '/' || "ruleId" || '/' || severity AS k, COUNT(*)::int AS n
         FROM "Finding" WHERE "resolvedAt" IS NULL GROUP BY 1 ORDER BY 1`,
      )
    ).rows;
  const kept = async () =>
    (
      await poolOf(t.db).query<{ k: string; n: number }>(
        `SELECT "clusterId" || '/' || namespace || '/' || "ruleId" || '/' || severity AS k, n
         FROM "OpenFindingCount" WHERE n <> 0 ORDER BY 1`,
      )
    ).rows;

  it("equal counting the findings after any sequence of writes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 12 }), async (writes) => {
        for (const w of writes) {
          await apply(w);
          assert.deepEqual(await kept(), await recount(), `after ${JSON.stringify(w)}`);
        }
      }),
      { numRuns: 40 },
    );
    const negative = await poolOf(t.db).query(`SELECT 1 FROM "OpenFindingCount" WHERE n < 0`);
    assert.equal(negative.rowCount, 0);
  });

  it("split into waived and not as evaluating every finding against the waivers", async () => {
    const pool = poolOf(t.db);
    const now = new Date();
    const check = async (why: string) => {
      const counts = await countOpenFindings(t.db, now, "namespace");
      const truth = await t.db.$queryRaw<Array<{ k: string; waived: boolean; n: number }>>`
        SELECT f."clusterId" || '/' || f.namespace AS k, ${waivedSql(now)} AS waived, COUNT(*)::int AS n
        FROM "Finding" f JOIN "Cluster" c ON c.id = f."clusterId" LEFT JOIN "Workload" wl ON wl.id = f."workloadId"
        WHERE f."resolvedAt" IS NULL GROUP BY 1, 2`;
      const expected = new Map<string, { open: number; waived: number }>();
      for (const r of truth) {
        const e = expected.get(r.k) ?? { open: 0, waived: 0 };
        if (r.waived) e.waived += r.n;
        else e.open += r.n;
        expected.set(r.k, e);
      }
      const got = new Map([...counts].map(([k, c]) => [k, { open: c.open, waived: c.waived }]));
      assert.deepEqual([...got].filter(([, c]) => c.open || c.waived).sort(), [...expected].sort(), why);
    };
    await apply({
      op: "insert",
      rows: [
        [0, "shop", "PS002", "high"],
        [1, "pay", "PS002", "low"],
        [0, "pay", "PS001", "high"],
      ],
    });
    await check("no waiver");
    const future = new Date(now.getTime() + 86_400_000);
    const past = new Date(now.getTime() - 1000);
    await pool.query(
      `INSERT INTO "Waiver" ("ruleId", cluster, namespace, "workloadKind", "workloadName", reason, owner, "expiresAt", "createdBy")
       VALUES ('PS002', 'a', NULL, 'Deployment', 'cart', 'r', 'o', $1, 't'), ('PS001', NULL, 'pay', NULL, NULL, 'r', 'o', $1, 't'),
              ('PS005', NULL, NULL, NULL, NULL, 'expired', 'o', $2, 't')`,
      [future, past],
    );
    await check("a workload's waiver, a namespace's waiver, an expired one");
  });
});
