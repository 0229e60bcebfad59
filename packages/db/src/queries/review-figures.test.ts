// An ended week's review figures, kept once computed, always equal what computing them again gives:
// random sequences of the changes a collector, an operator or late evidence make (findings first
// seen, resolved, re-opened, re-graded or deleted inside the week or now; owners, profiles,
// cluster names, waivers), and after each, the review of every scope as served equals the review
// computed from scratch. Changes made now keep what was kept; a change in flight while figures are
// computed stops them from being kept.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isoWeekOf, isoWeekRange, type ReviewScope, SEVERITIES, scopeKey } from "@pullsight/core";
import fc from "fast-check";
import { poolOf } from "../client.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import { getWeeklyReview } from "./review.ts";
import { keepLastWeek } from "./review-figures.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = "2026-W46";
const { start } = isoWeekRange(WEEK);
const RULES = ["PS001", "PS002", "PS006"];
const NAMESPACES = ["ns0", "ns1", "ns2"];
const SCOPES: ReviewScope[] = [
  { kind: "fleet" },
  { kind: "cluster", cluster: "a" },
  { kind: "team", team: "alpha" },
  { kind: "namespace", cluster: "b", namespace: "ns1" },
];
/** An instant around the week: before it (ageing), inside it, or after it. */
const around = fc.integer({ min: -40 * 24, max: 14 * 24 }).map((h) => new Date(start.getTime() + h * HOUR));
const inWeek = fc.integer({ min: 1, max: 7 * 24 - 1 }).map((h) => new Date(start.getTime() + h * HOUR));

type Change =
  | { kind: "new-now" | "resolve-now" | "evidence" | "delete" | "reopen" | "rename"; pick: number }
  | { kind: "new-in-week" | "resolve-in-week"; pick: number; at: Date }
  | { kind: "severity"; pick: number; severity: (typeof SEVERITIES)[number] }
  | { kind: "image"; pick: number; image: string }
  | { kind: "owner" | "profile"; pick: number; value: string }
  | { kind: "waiver"; pick: number; rule: string };
/** Changes made now: they touch no ended week, and what was kept stays kept. */
const NOW_CHANGES = new Set(["new-now", "resolve-now", "evidence"]);
const pick = fc.nat(1000);
const changeArb: fc.Arbitrary<Change> = fc.oneof(
  fc.record({
    kind: fc.constantFrom("new-now", "resolve-now", "evidence", "delete", "reopen", "rename"),
    pick,
  }),
  fc.record({ kind: fc.constantFrom("new-in-week", "resolve-in-week"), pick, at: inWeek }),
  fc.record({ kind: fc.constant("severity"), pick, severity: fc.constantFrom(...SEVERITIES) }),
  fc.record({ kind: fc.constant("image"), pick, image: fc.constantFrom("img0", "img1", "img9") }),
  fc.record({
    kind: fc.constantFrom("owner", "profile"),
    pick,
    value: fc.constantFrom("alpha", "beta", "dev"),
  }),
  fc.record({ kind: fc.constant("waiver"), pick, rule: fc.constantFrom(...RULES) }),
) as fc.Arbitrary<Change>;

describe("an ended week's kept review figures", () => {
  let t: TestDatabase;
  const workloads: Array<{ id: bigint; clusterId: number; namespace: string }> = [];
  before(async () => {
    t = await createTestDatabase("review_figures");
    for (const name of ["a", "b"]) {
      const c = await t.db.cluster.create({ data: { name } });
      for (const [i, ns] of NAMESPACES.entries()) {
        if (i < 2)
          await t.db.namespace.create({
            data: {
              clusterId: c.id,
              name: ns,
              profile: "production",
              owner: i === 0 ? "alpha" : "beta",
              firstSeenAt: start,
              lastSeenAt: start,
            },
          });
        const w = await t.db.workload.create({
          data: {
            clusterId: c.id,
            namespace: ns,
            kind: "Deployment",
            name: `w${i}`,
            firstSeenAt: start,
            lastSeenAt: start,
          },
        });
        workloads.push({ id: w.id, clusterId: c.id, namespace: ns });
      }
    }
  });
  after(() => t.drop());

  let seq = 0;
  async function addFinding(firstSeenAt: Date, pickN: number, resolvedAt: Date | null = null) {
    const w = workloads[pickN % workloads.length] as (typeof workloads)[number];
    await t.db.finding.create({
      data: {
        clusterId: w.clusterId,
        workloadId: w.id,
        namespace: w.namespace,
        containerName: `c${pickN % 2}`,
        ruleId: RULES[pickN % RULES.length] as string,
        severity: SEVERITIES[pickN % SEVERITIES.length] as (typeof SEVERITIES)[number],
        fingerprint: `f${seq++}`,
        image: `img${pickN % 3}`,
        openedAt: firstSeenAt,
        firstSeenAt,
        resolvedAt,
        openedSnapshotId: 1n,
        lastSeenSnapshotId: 1n,
      },
    });
  }

  /** The `pick`-th finding (of those `where` selects), or none. */
  async function nth(pickN: number, where: object = {}) {
    const all = await t.db.finding.findMany({ where, orderBy: { id: "asc" }, select: { id: true } });
    return all.length ? all[pickN % all.length]?.id : undefined;
  }

  async function apply(c: Change) {
    const update = async (where: object, data: object) => {
      const id = await nth(c.pick, where);
      if (id !== undefined) await t.db.finding.update({ where: { id }, data });
    };
    const ns = (c.pick % 2 === 0 ? "ns0" : "ns1") as string;
    switch (c.kind) {
      case "new-now":
        return addFinding(new Date(), c.pick);
      case "resolve-now":
        return update({ resolvedAt: null }, { resolvedAt: new Date() });
      case "evidence":
        return update({}, { evidenceHash: `h${seq++}`, lastSeenSnapshotId: BigInt(seq) });
      case "delete": {
        const id = await nth(c.pick);
        if (id !== undefined) await t.db.finding.delete({ where: { id } });
        return;
      }
      case "reopen":
        return update({ resolvedAt: { not: null } }, { resolvedAt: null });
      case "rename": {
        const a = await t.db.cluster.findFirst({ where: { name: { in: ["a", "a2"] } } });
        if (a)
          await t.db.cluster.update({ where: { id: a.id }, data: { name: a.name === "a" ? "a2" : "a" } });
        return;
      }
      case "new-in-week":
        return addFinding(c.at, c.pick);
      case "resolve-in-week":
        return update({ resolvedAt: null, firstSeenAt: { lt: c.at } }, { resolvedAt: c.at });
      case "severity":
        return update({}, { severity: c.severity });
      case "image":
        return update({}, { image: c.image });
      case "owner":
        return t.db.namespace.updateMany({ where: { name: ns }, data: { owner: c.value } });
      case "profile":
        return t.db.namespace.updateMany({
          where: { name: ns },
          data: { profile: c.value === "dev" ? "development" : "production" },
        });
      case "waiver":
        await t.db.waiver.create({
          data: {
            ruleId: c.rule,
            namespace: ns,
            reason: "r",
            owner: "o",
            createdBy: "t",
            createdAt: start,
            expiresAt: new Date(Date.now() + 30 * DAY),
          },
        });
    }
  }

  const resolvedCount = (r: Awaited<ReturnType<typeof getWeeklyReview>>) =>
    SEVERITIES.reduce((n, sev) => n + r.counts.resolved[sev], 0);
  const keptScopes = async () =>
    new Set(
      (
        await poolOf(t.db).query<{ scope: string }>(`SELECT scope FROM "ReviewWeekFigures" WHERE week = $1`, [
          WEEK,
        ])
      ).rows.map((r) => r.scope),
    );
  /** Every scope's review as served, each checked against the review computed from scratch. */
  async function checkAll(label: string): Promise<number> {
    let served = 0;
    for (const scope of SCOPES) {
      const kept = (await keptScopes()).has(scopeKey(scope));
      const review = await getWeeklyReview(t.db, WEEK, scope);
      await poolOf(t.db).query(`DELETE FROM "ReviewWeekFigures" WHERE scope = $1`, [scopeKey(scope)]);
      const fresh = await getWeeklyReview(t.db, WEEK, scope);
      assert.deepEqual(review, fresh, `${label}: ${scopeKey(scope)}${kept ? " (kept)" : ""}`);
      if (kept) served++;
      // Keep every scope again for the next change.
      await getWeeklyReview(t.db, WEEK, scope);
    }
    return served;
  }

  it("equal the figures computed again, after any sequence of changes", async () => {
    let servedKept = 0;
    let keptAfterNow = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: around, pick, resolved: fc.option(around) }), { maxLength: 25 }),
        fc.array(changeArb, { minLength: 1, maxLength: 6 }),
        async (rows, changes) => {
          await t.db.finding.deleteMany();
          await t.db.waiver.deleteMany();
          for (const r of rows)
            await addFinding(r.at, r.pick, r.resolved && r.resolved > r.at ? r.resolved : null);
          await checkAll("initial");
          // Every sequence ends with changes made now, so that serving kept figures is tested in each.
          const made: Change[] = [
            { kind: "evidence", pick: 1 },
            { kind: "new-now", pick: 2 },
            { kind: "resolve-now", pick: 3 },
          ];
          for (const c of [...changes, ...made]) {
            const before = await keptScopes();
            await apply(c);
            if (NOW_CHANGES.has(c.kind)) {
              assert.deepEqual(await keptScopes(), before, `${c.kind} keeps what was kept`);
              keptAfterNow++;
            }
            servedKept += await checkAll(c.kind);
          }
        },
      ),
      { numRuns: 12 },
    );
    // The comparison above is only worth something if kept figures were served.
    assert.ok(
      servedKept > 0 && keptAfterNow > 0,
      `${servedKept} served kept, ${keptAfterNow} changes made now`,
    );
  });

  it("are not kept when a change that touches the week is in flight while they are computed, and the review does not wait for it", async () => {
    await t.db.finding.deleteMany();
    for (let i = 0; i < 6; i++) await addFinding(new Date(start.getTime() - DAY), i);
    const scope: ReviewScope = { kind: "fleet" };
    await getWeeklyReview(t.db, WEEK, scope);
    await poolOf(t.db).query(`DELETE FROM "ReviewWeekFigures"`);
    const writer = await poolOf(t.db).connect();
    try {
      await writer.query("BEGIN");
      // Resolved inside the week: the week's resolved and open-at-end figures change.
      await writer.query(
        `UPDATE "Finding" SET "resolvedAt" = $1 WHERE id = (SELECT min(id) FROM "Finding")`,
        [new Date(start.getTime() + 2 * DAY)],
      );
      // Served while the writer has not committed (it would hang here if the review waited).
      const during = await getWeeklyReview(t.db, WEEK, scope);
      assert.equal(resolvedCount(during), 0, "the uncommitted change is not seen");
      assert.equal((await keptScopes()).size, 0, "figures computed while a change is in flight are not kept");
      await writer.query("COMMIT");
    } finally {
      writer.release();
    }
    assert.equal((await keptScopes()).size, 0);
    assert.equal(resolvedCount(await getWeeklyReview(t.db, WEEK, scope)), 1);
    assert.ok((await keptScopes()).has(scopeKey(scope)), "kept once no change is in flight");
  });

  it("writers that forget kept weeks do not wait for one another", async () => {
    // (Two writers deleting the same kept week do: that row is locked by the first until it commits.)
    await poolOf(t.db).query(`DELETE FROM "ReviewWeekFigures"`);
    const [a, b] = [await poolOf(t.db).connect(), await poolOf(t.db).connect()];
    try {
      for (const c of [a, b]) await c.query("BEGIN");
      // A namespace that appears changes every week's teams: both forget every kept week.
      const appear = (c: typeof a, cluster: string, name: string) =>
        c.query(
          `INSERT INTO "Namespace" ("clusterId", name, labels, profile, "firstSeenAt", "lastSeenAt")
           SELECT id, $2, '{}', 'production', now(), now() FROM "Cluster" WHERE name = $1`,
          [cluster, name],
        );
      await appear(a, "a", "new-a");
      await Promise.race([
        appear(b, "b", "new-b"),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error("the second writer waits for the first")), 5000),
        ),
      ]);
      for (const c of [a, b]) await c.query("COMMIT");
    } finally {
      for (const c of [a, b]) {
        await c.query("ROLLBACK").catch(() => {});
        c.release();
      }
    }
    await poolOf(t.db).query(`DELETE FROM "Namespace" WHERE name IN ('new-a', 'new-b')`);
  });

  it("last week's are kept by the collector for the fleet, its clusters and every team, once", async () => {
    const now = new Date();
    const week = isoWeekOf(new Date(now.getTime() - 7 * DAY));
    await poolOf(t.db).query(`DELETE FROM "ReviewWeekFigures"`);
    // The teams as the namespaces name them now (the test above changes owners).
    const teams = (
      await poolOf(t.db).query<{ team: string }>(
        `SELECT DISTINCT COALESCE(owner, '(unowned)') AS team FROM "Namespace" WHERE "deletedAt" IS NULL`,
      )
    ).rows.map((r) => `team:${r.team}`);
    // While a change that forgets kept weeks is in flight, figures are computed but not kept.
    const writer = await poolOf(t.db).connect();
    try {
      await writer.query("BEGIN");
      await writer.query(`SELECT pg_advisory_xact_lock_shared(hashtext('pullsight:review-figures'))`);
      assert.deepEqual(await keepLastWeek(t.db, now, ["a", "b"]), { computed: 3 + teams.length, kept: 0 });
      await writer.query("COMMIT");
    } finally {
      writer.release();
    }
    assert.deepEqual(await keepLastWeek(t.db, now, ["a", "b"]), {
      computed: 3 + teams.length,
      kept: 3 + teams.length,
    });
    const { rows } = await poolOf(t.db).query<{ scope: string }>(
      `SELECT scope FROM "ReviewWeekFigures" WHERE week = $1`,
      [week],
    );
    assert.deepEqual(rows.map((r) => r.scope).sort(), ["cluster:a", "cluster:b", "fleet", ...teams].sort());
    assert.deepEqual(
      await keepLastWeek(t.db, now, ["a", "b"]),
      { computed: 0, kept: 0 },
      "nothing computed twice",
    );
  });
});
