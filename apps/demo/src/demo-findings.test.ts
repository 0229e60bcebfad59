// The demo's eight weeks, as a reviewer would meet them: findings that do not flap, and an export
// whose every open finding was confirmed by the latest collection.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createExportPool, startCsvExport } from "@pullsight/api";
import { imageVolumeKey, UNOWNED } from "@pullsight/core";
import { findingsQuery, getWeeklyReview } from "@pullsight/db";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { parse } from "csv-parse/sync";
import { type Demo, startDemo } from "./demo.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe("the demo's findings", () => {
  let t: TestDatabase;
  let demo: Demo;
  const now = Date.parse("2026-11-30T12:00:00Z");
  // The demo's recent cadence: a snapshot every 6 simulated hours.
  const interval = 6 * HOUR;

  before(async () => {
    t = await createTestDatabase("demo_findings");
    // The demo's story at a fifth of its size (its default is 700 pods a cluster): the same rules,
    // registries and incidents, in a quarter of the time; PULLSIGHT_TEST_DEMO_PODS runs it at full size.
    const pods = Number(process.env.PULLSIGHT_TEST_DEMO_PODS ?? 150);
    demo = await startDemo({ databaseUrl: t.url, now: () => now, podsPerCluster: pods });
    await demo.ready;
  });
  after(async () => {
    await demo?.stop();
    await t?.drop();
  });

  it("re-openings within 72 hours of resolving are at most 2 % of the findings opened in the last 28 days", async (ctx) => {
    const byRule = await t.db.$queryRaw<Array<{ ruleId: string; opened: number; reopened: number }>>`
      SELECT f."ruleId", COUNT(*)::int AS opened,
        COUNT(*) FILTER (WHERE EXISTS (
          SELECT 1 FROM "Finding" p
          WHERE p.fingerprint = f.fingerprint AND p.id <> f.id AND p."resolvedAt" IS NOT NULL
            AND p."resolvedAt" <= f."firstSeenAt" AND p."resolvedAt" > f."firstSeenAt" - interval '72 hours'))::int AS reopened
      FROM "Finding" f
      WHERE f."firstSeenAt" > ${new Date(now - 28 * DAY)}
      GROUP BY 1 ORDER BY 1`;
    const opened = byRule.reduce((n, r) => n + r.opened, 0);
    const reopened = byRule.reduce((n, r) => n + r.reopened, 0);
    const detail = byRule.map((r) => `${r.ruleId} ${r.reopened}/${r.opened}`).join(", ");
    ctx.diagnostic(`${reopened} of ${opened} findings opened in 28 days re-opened within 72 h (${detail})`);
    assert.ok(opened > 50, `findings opened: ${opened}`);
    const cases = await t.db.$queryRaw<Array<{ fingerprint: string; gone: Date; back: Date }>>`
      SELECT f.fingerprint, p."clearingSince" AS gone, f."firstSeenAt" AS back FROM "Finding" f JOIN "Finding" p
        ON p.fingerprint = f.fingerprint AND p.id <> f.id AND p."resolvedAt" <= f."firstSeenAt"
          AND p."resolvedAt" > f."firstSeenAt" - interval '72 hours'
      WHERE f."firstSeenAt" > ${new Date(now - 28 * DAY)}`;
    assert.ok(
      reopened <= opened * 0.02,
      `${reopened} of ${opened} re-opened within 72 h (${detail}): ${JSON.stringify(cases)}`,
    );
  });

  it("every open finding's export row was collected within one collection interval of now", async () => {
    const rows = await t.db.$queryRaw<Array<{ finding_id: bigint; collected_at: Date | null }>>(
      findingsQuery({ state: "open" }, new Date(now)),
    );
    assert.ok(rows.length > 100, `open findings: ${rows.length}`);
    const stale = rows.filter((r) => !r.collected_at || now - r.collected_at.getTime() > interval);
    assert.deepEqual(
      stale.slice(0, 5),
      [],
      `${stale.length} of ${rows.length} open findings not confirmed lately`,
    );
  });

  it("the fleet review of the last full week reads in at most 40 top-level groups, and its CSV names every finding's owner", async () => {
    const week = "2026-W48"; // now is Monday of W49
    const review = await getWeeklyReview(t.db, week, { kind: "fleet" }, new Date(now));
    for (const section of ["new", "resolved", "ageing"] as const) {
      const groups = review.groups[section];
      assert.ok(groups.length <= 40, `${section}: ${groups.length} top-level groups`);
      assert.ok(
        groups.every((g) => g.team !== UNOWNED),
        `${section}: every demo namespace has an owner`,
      );
    }
    const pool = createExportPool(t.url);
    try {
      const csv = await startCsvExport({
        db: t.db,
        pool,
        kind: "review",
        filters: { week },
        actor: "test",
        now: new Date(now),
      });
      const text = await new Response(csv.stream).text();
      await csv.done;
      const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
      const findings = rows.filter((r) => r.section !== "waiver-expiring");
      const counted = Object.values(review.counts.new).reduce((a, b) => a + b, 0);
      assert.equal(findings.filter((r) => r.section === "new").length, counted, "every new finding is a row");
      assert.ok(findings.length > 0);
      assert.ok(findings.every((r) => r.owner && r.group?.startsWith(`${r.owner} / ${r.rule_id} / `)));
    } finally {
      await pool.end();
    }
  });

  it("the registries' story: every container running the removed Bitnami tag is a latent pull failure", async () => {
    const key = (u: { namespace: string; kind: string; name: string; container: string; type: string }) =>
      `${u.namespace}/${u.kind}/${u.name}/${u.type === "volume" ? imageVolumeKey(u.container) : u.container}`;
    let expected = 0;
    for (const c of demo.sim.clusters) {
      const removed = c.sim
        .truth()
        .images.filter((u) => u.image === "bitnami/redis:7.2.5" && u.waiting === 0 && u.policy !== "Never")
        .map(key);
      const open = await t.db.finding.findMany({
        where: { cluster: { name: c.name }, ruleId: "PS019", resolvedAt: null },
        select: { fingerprint: true, evidence: true },
      });
      assert.deepEqual(
        // cluster/namespace/kind/name/container/rule: an image volume's key holds a "/" itself.
        open.map((f) => f.fingerprint.split("/").slice(1, -1).join("/")).sort(),
        removed.sort(),
        c.name,
      );
      for (const f of open) assert.match(JSON.stringify(f.evidence), /MANIFEST_UNKNOWN/);
      expected += removed.length;
    }
    assert.ok(expected > 0, "the demo runs the removed tag somewhere");
    const moved = await t.db.finding.count({ where: { ruleId: "PS020", resolvedAt: null } });
    assert.ok(moved > 0, "some tags moved under running pods");
  });
});
