// Workload search against its reference: after random snapshots (workloads appearing, changing
// images, disappearing, returning) and changes made straight to the rows (a container fact closed
// or deleted, a workload renamed), searching for any text finds exactly the live workloads whose
// name, namespace or a current container's image holds it, ignoring case, with wildcards taken
// literally — computed here from the stored rows themselves.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { poolOf } from "../client.ts";
import type { WorkloadInput } from "../ingest/snapshot.ts";
import { writeSnapshot } from "../ingest/snapshot.ts";
import { workloadSearchText } from "../ingest/steps/workloads.ts";
import { containerInput, snapshotInput, workloadInput } from "../test-fixtures/snapshot-input.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import { listWorkloads } from "./workloads.ts";

const HOUR = 3_600_000;
const START = Date.parse("2026-11-02T00:00:00Z");
const NAMES = ["api", "web-API", "db", "worker_2", "pay%ments", "auth"];
const NAMESPACES = ["prod-a", "Stage-b", "team_x"];
const IMAGES = [
  "nginx:1.27",
  "ghcr.io/acme/api-worker:2.1",
  "redis@sha256:0ab",
  "db%img:1",
  "Quay.io/AUTH/x:3",
];

type Spec = { name: number; namespace: number; images: number[] };
type Step =
  | { kind: "snapshot"; workloads: Spec[] }
  | { kind: "close-fact" | "delete-fact" | "rename"; pick: number; name: number };

const specArb = fc.record({
  name: fc.nat(NAMES.length - 1),
  namespace: fc.nat(NAMESPACES.length - 1),
  images: fc.array(fc.nat(IMAGES.length - 1), { minLength: 1, maxLength: 2 }),
});
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("snapshot" as const),
      workloads: fc.array(specArb, { maxLength: 8 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom("close-fact" as const, "delete-fact" as const, "rename" as const),
      pick: fc.nat(1000),
      name: fc.nat(NAMES.length - 1),
    }),
  },
);
/** Pieces of what is stored, in another case, and text that matches little or nothing. */
const queryArb = fc.oneof(
  fc.constantFrom(...NAMES, ...NAMESPACES, ...IMAGES).chain((s) =>
    fc.tuple(fc.nat(s.length - 1), fc.integer({ min: 1, max: 6 }), fc.boolean()).map(([at, n, upper]) => {
      const piece = s.slice(at, at + n);
      return upper ? piece.toUpperCase() : piece;
    }),
  ),
  fc.constantFrom("%", "_", "\\", "a%b", " db ", "zz", "i/a", "api\nweb"),
);

function workloadOf(s: Spec, at: number): WorkloadInput {
  const images = [...new Set(s.images)].map((i) => IMAGES[i] as string);
  return workloadInput(
    NAMESPACES[s.namespace] as string,
    NAMES[s.name] as string,
    images.map((image, n) =>
      containerInput(image, { name: `c${n}`, repository: "x", factHash: `${image}@${at}` }),
    ),
  );
}

describe("workload search", () => {
  let t: TestDatabase;
  let hour = 0;
  before(async () => {
    t = await createTestDatabase("workload_search");
  });
  after(() => t.drop());

  async function apply(step: Step) {
    const pool = poolOf(t.db);
    if (step.kind === "snapshot") {
      hour += 1;
      const at = START + hour * HOUR;
      const unique = new Map(step.workloads.map((s) => [`${s.namespace}/${s.name}`, s]));
      const input = snapshotInput(
        "a",
        at,
        [...unique.values()].map((s) => workloadOf(s, at % 3)),
      );
      await writeSnapshot(t.db, input);
      return;
    }
    const ids = (
      await pool.query<{ id: string }>(
        step.kind === "rename"
          ? `SELECT id::text FROM "Workload" WHERE "deletedAt" IS NULL ORDER BY id`
          : `SELECT id::text FROM "ContainerFact" WHERE "validTo" IS NULL ORDER BY id`,
      )
    ).rows;
    const id = ids[step.pick % Math.max(ids.length, 1)]?.id;
    if (!id) return;
    if (step.kind === "close-fact")
      await pool.query(`UPDATE "ContainerFact" SET "validTo" = now() WHERE id = $1`, [id]);
    if (step.kind === "delete-fact") await pool.query(`DELETE FROM "ContainerFact" WHERE id = $1`, [id]);
    if (step.kind === "rename")
      // A name another workload of the namespace has is refused by the unique key: keep the old one.
      await pool
        .query(`UPDATE "Workload" SET name = $2 WHERE id = $1`, [id, `${NAMES[step.name]}-r${hour}`])
        .catch(() => {});
  }

  /** The live workloads whose name, namespace or a current image holds `q`, from the rows. */
  async function reference(q: string): Promise<string[]> {
    const { rows } = await poolOf(t.db).query<{
      id: string;
      name: string;
      namespace: string;
      images: string[];
    }>(
      `SELECT w.id::text, w.name, w.namespace,
         COALESCE(array_agg(f.image) FILTER (WHERE f.id IS NOT NULL), '{}') AS images
       FROM "Workload" w LEFT JOIN "ContainerFact" f ON f."workloadId" = w.id AND f."validTo" IS NULL
       WHERE w."deletedAt" IS NULL GROUP BY w.id`,
    );
    const needle = q.trim().toLowerCase();
    return rows
      .filter((r) => [r.name, r.namespace, ...r.images].some((s) => s.toLowerCase().includes(needle)))
      .map((r) => r.id)
      .sort();
  }

  it("the snapshot writer computes a new workload's search text as the trigger does (so the trigger writes nothing)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(specArb, { minLength: 1, maxLength: 6 }), async (specs) => {
        await apply({ kind: "snapshot", workloads: specs });
        const { rows } = await poolOf(t.db).query<{
          name: string;
          namespace: string;
          search: string;
          images: string[];
        }>(
          `SELECT w.name, w.namespace, w.search,
             COALESCE(array_agg(f.image) FILTER (WHERE f.id IS NOT NULL), '{}') AS images
           FROM "Workload" w LEFT JOIN "ContainerFact" f ON f."workloadId" = w.id AND f."validTo" IS NULL
           WHERE w."deletedAt" IS NULL GROUP BY w.id`,
        );
        for (const r of rows)
          assert.equal(
            r.search,
            workloadSearchText({ ...r, containers: r.images.map((image) => ({ image })) }),
          );
      }),
      { numRuns: 20 },
    );
  });

  it("finds exactly the live workloads whose name, namespace or current image holds the text", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 1, maxLength: 12 }),
        fc.array(queryArb, { minLength: 3, maxLength: 8 }),
        async (steps, queries) => {
          for (const step of steps) {
            await apply(step);
            for (const q of queries.filter((x) => x.trim())) {
              const page = await listWorkloads(t.db, { filter: { q }, limit: 500 });
              const expected = await reference(q);
              assert.deepEqual(page.rows.map((r) => String(r.id)).sort(), expected, `q=${JSON.stringify(q)}`);
              assert.equal(page.total, expected.length);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
