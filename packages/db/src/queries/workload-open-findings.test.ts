// Workload."openFindings" (kept by the triggers of migration 20261204100000_workload_open_findings)
// against its reference, the open findings counted from the rows, after random snapshots (findings
// opening, resolving, workloads disappearing) and changes made straight to the findings (resolved,
// reopened, deleted, moved to another workload); and the workloads list sorted by findings, which
// ranks from it, against the same list sorted by counting, with and without a waiver in force.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { poolOf } from "../client.ts";
import type { WorkloadInput } from "../ingest/snapshot.ts";
import { writeSnapshot } from "../ingest/snapshot.ts";
import { newWorkloadOpenFindings } from "../ingest/steps/workloads.ts";
import { containerInput, snapshotInput, workloadInput } from "../test-fixtures/snapshot-input.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import { listWorkloads, type WorkloadRow } from "./workloads.ts";

const HOUR = 3_600_000;
const START = Date.parse("2026-11-02T00:00:00Z");
const NAMES = ["api", "web", "db", "worker", "auth", "pay"];
const RULES = ["PS001", "PS002", "PS003"] as const;

type Spec = { name: number; containers: number; rules: number[] };
type Step =
  | { kind: "snapshot"; workloads: Spec[] }
  | { kind: "resolve" | "reopen" | "delete" | "move"; pick: number; to: number };

const specArb = fc.record({
  name: fc.nat(NAMES.length - 1),
  containers: fc.integer({ min: 1, max: 2 }),
  rules: fc.array(fc.nat(RULES.length - 1), { maxLength: 3 }),
});
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("snapshot" as const),
      workloads: fc.array(specArb, { maxLength: 6 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom("resolve" as const, "reopen" as const, "delete" as const, "move" as const),
      pick: fc.nat(1000),
      to: fc.nat(1000),
    }),
  },
);

function workloadOf(s: Spec): WorkloadInput {
  const name = NAMES[s.name] as string;
  const rules = [...new Set(s.rules)].map((r) => RULES[r] as string);
  return workloadInput(
    "shop",
    name,
    Array.from({ length: s.containers }, (_, n) =>
      containerInput(`nginx:1.${n}`, {
        name: `c${n}`,
        tag: `1.${n}`,
        findings: rules.map((ruleId) => ({
          ruleId,
          severity: "medium",
          fingerprint: `${name}/c${n}/${ruleId}`,
          image: `nginx:1.${n}`,
          message: ruleId,
          evidence: {},
        })),
        compliant: rules.length === 0,
      }),
    ),
  );
}

describe("workload open findings", () => {
  let t: TestDatabase;
  let hour = 0;
  before(async () => {
    t = await createTestDatabase("workload_open_findings");
  });
  after(() => t.drop());

  async function apply(step: Step, cluster = "a") {
    const pool = poolOf(t.db);
    if (step.kind === "snapshot") {
      hour += 1;
      const at = START + hour * HOUR;
      const unique = new Map(step.workloads.map((s) => [s.name, s]));
      const input = snapshotInput(cluster, at, [...unique.values()].map(workloadOf), {
        evaluableRules: [...RULES],
      });
      await writeSnapshot(t.db, input);
      return;
    }
    const findings = (await pool.query<{ id: string }>(`SELECT id::text FROM "Finding" ORDER BY id`)).rows;
    const workloads = (await pool.query<{ id: string }>(`SELECT id::text FROM "Workload" ORDER BY id`)).rows;
    const id = findings[step.pick % Math.max(findings.length, 1)]?.id;
    if (!id) return;
    if (step.kind === "resolve")
      await pool.query(`UPDATE "Finding" SET "resolvedAt" = now() WHERE id = $1 AND "resolvedAt" IS NULL`, [
        id,
      ]);
    if (step.kind === "reopen")
      // Unless the same condition is open again already (one open finding per fingerprint).
      await pool.query(
        `UPDATE "Finding" f SET "resolvedAt" = NULL WHERE id = $1 AND NOT EXISTS (
           SELECT 1 FROM "Finding" o WHERE o."clusterId" = f."clusterId" AND o.fingerprint = f.fingerprint
             AND o."resolvedAt" IS NULL)`,
        [id],
      );
    if (step.kind === "delete") await pool.query(`DELETE FROM "Finding" WHERE id = $1`, [id]);
    if (step.kind === "move") {
      const to = workloads[step.to % Math.max(workloads.length, 1)]?.id ?? null;
      await pool.query(`UPDATE "Finding" SET "workloadId" = $2 WHERE id = $1`, [id, to]);
    }
  }

  /** Every workload's kept count and its open findings counted from the rows. */
  async function counts() {
    const { rows } = await poolOf(t.db).query<{ id: string; kept: number; counted: number }>(
      `SELECT w.id::text, w."openFindings" AS kept,
         (SELECT COUNT(*)::int FROM "Finding" f WHERE f."workloadId" = w.id AND f."resolvedAt" IS NULL) AS counted
       FROM "Workload" w ORDER BY w.id`,
    );
    return rows;
  }

  /** The list sorted by findings, a page of `limit` at a time, as ids. */
  async function ranked(order: "asc" | "desc", limit: number): Promise<WorkloadRow[]> {
    const out: WorkloadRow[] = [];
    let cursor: string | null = null;
    do {
      const page = await listWorkloads(t.db, { sort: "findings", order, limit, cursor });
      out.push(...page.rows);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  it("the snapshot writer sets a new workload's count as the trigger counts it (so the trigger writes nothing)", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(specArb, { minLength: 1, maxLength: 6 }), async (specs) => {
        n += 1;
        await apply({ kind: "snapshot", workloads: specs }, `new-${n}`);
        const { rows } = await poolOf(t.db).query<{ name: string; kept: number }>(
          `SELECT w.name, w."openFindings" AS kept FROM "Workload" w JOIN "Cluster" c ON c.id = w."clusterId"
           WHERE c.name = $1`,
          [`new-${n}`],
        );
        const written = new Map(specs.map((spec) => [NAMES[spec.name], spec]));
        assert.equal(rows.length, written.size);
        for (const r of rows) {
          const spec = written.get(r.name);
          assert.ok(spec);
          assert.equal(r.kept, newWorkloadOpenFindings(workloadOf(spec)), r.name);
        }
      }),
      { numRuns: 15 },
    );
  });

  it("each workload's kept count equals its open findings, and the findings sort ranks by unwaived findings", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 1, maxLength: 10 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 3 }),
        async (steps, waive, limit) => {
          for (const step of steps) await apply(step);
          for (const c of await counts()) assert.equal(c.kept, c.counted, `workload ${c.id}`);
          const pool = poolOf(t.db);
          await pool.query(`DELETE FROM "Waiver"`);
          if (waive)
            await pool.query(
              `INSERT INTO "Waiver" ("ruleId", namespace, "workloadKind", "workloadName", reason, owner, "expiresAt", "createdBy")
               VALUES ('PS002', 'shop', 'Deployment', 'web', 'test', 'o', now() + interval '1 day', 't')`,
            );
          // The reference: every live workload with its unwaived findings counted by the list itself.
          const all = (await listWorkloads(t.db, { sort: "name", limit: 500 })).rows;
          for (const order of ["desc", "asc"] as const) {
            const sign = order === "desc" ? -1 : 1;
            const expected = [...all]
              .sort((a, b) => sign * (a.findings - b.findings) || sign * Number(a.id - b.id))
              .map((r) => `${r.id}:${r.findings}`);
            const got = (await ranked(order, limit)).map((r) => `${r.id}:${r.findings}`);
            assert.deepEqual(got, expected, `${order} by ${limit}`);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
