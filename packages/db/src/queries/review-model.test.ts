// The weekly review against a reference model: random findings (opened, first seen and resolved
// around the week, some in namespaces the inventory does not know) and waivers, and every count,
// group (a rule's images too), action and section row list of the review equal to what the model computes from the same
// rows, for the fleet, a cluster, a team and a namespace, in a week that has ended and one in
// progress. The review reads "open at an instant" by index in two parts; the model reads the
// definition.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  DIGEST_PIN,
  DIGEST_PIN_RULE_IDS,
  isoWeekRange,
  type ReviewScope,
  SEVERITIES,
  SEVERITY_WEIGHTS,
  type Severity,
  UNOWNED,
} from "@pullsight/core";
import fc from "fast-check";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import {
  getReviewRows,
  getWeeklyReview,
  REVIEW_SECTIONS,
  type ReviewSection,
  reviewWindow,
} from "./review.ts";
import {
  ACTIONS_SHOWN,
  AGEING_DAYS,
  type ReviewWindow,
  reviewImageGroups,
  type TeamGroup,
} from "./review-groups.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = "2026-W46";
const { start, end } = isoWeekRange(WEEK);
const CLUSTERS = ["a", "b"];
/** Namespaces the inventory knows, with their owners; "ns2" is unknown (its findings are unowned). */
const OWNERS: Record<string, string | null> = { ns0: "alpha", ns1: "beta" };
const RULES = ["PS001", "PS002", "PS004", "PS006", "PS011"];
const IMAGES = [null, "img0", "img1", "img2"];

interface Row {
  cluster: number;
  namespace: string;
  workload: number;
  container: string;
  ruleId: string;
  severity: Severity;
  image: string | null;
  openedAt: Date;
  firstSeenAt: Date | null;
  resolvedAt: Date | null;
}
interface WaiverRow {
  ruleId: string;
  cluster: string | null;
  namespace: string | null;
  expiresAt: Date;
}

const hours = (from: number, to: number) => fc.integer({ min: from * 24, max: to * 24 }).map((h) => h * HOUR);
const resolvedOf = (openedAt: Date, r: { after: number } | { at: number } | null) =>
  r === null
    ? null
    : "after" in r
      ? new Date(openedAt.getTime() + r.after)
      : new Date(Math.max(openedAt.getTime() + HOUR, start.getTime() + r.at));
const rowArb: fc.Arbitrary<Row> = fc
  .record({
    cluster: fc.integer({ min: 0, max: 1 }),
    namespace: fc.constantFrom("ns0", "ns1", "ns2"),
    workload: fc.integer({ min: 0, max: 2 }),
    container: fc.constantFrom("c0", "c1"),
    ruleId: fc.constantFrom(...RULES),
    severity: fc.constantFrom(...SEVERITIES),
    image: fc.constantFrom(...IMAGES),
    // The week's bounds and the in-progress instant are drawn often: the boundaries are the test.
    opened: fc.oneof(hours(-70, 10), fc.constantFrom(0, 3.5 * DAY, 7 * DAY, -AGEING_DAYS * DAY)),
    seenBefore: fc.option(hours(0, 3)),
    resolved: fc.option(
      fc.oneof(
        hours(0, 45).map((h) => ({ after: h + HOUR })),
        fc.constantFrom(3.5 * DAY, 7 * DAY).map((at) => ({ at })),
      ),
    ),
  })
  .map((r) => {
    const openedAt = new Date(start.getTime() + r.opened);
    return {
      ...r,
      openedAt,
      firstSeenAt: r.seenBefore === null ? null : new Date(openedAt.getTime() - r.seenBefore),
      resolvedAt: resolvedOf(openedAt, r.resolved),
    };
  });
const waiverArb: fc.Arbitrary<WaiverRow> = fc.record({
  ruleId: fc.constantFrom(...RULES),
  cluster: fc.constantFrom(null, "a", "b"),
  namespace: fc.constantFrom(null, "ns0", "ns1", "ns2"),
  expiresAt: hours(-3, 20).map((h) => new Date(end.getTime() + h)),
});

// ---- the model -------------------------------------------------------------------------------

const firstSeen = (r: Row) => r.firstSeenAt ?? r.openedAt;
const teamOf = (r: Row) => OWNERS[r.namespace] ?? UNOWNED;
function inSection(r: Row, section: ReviewSection, w: ReviewWindow): boolean {
  const open = firstSeen(r) < w.at && (r.resolvedAt === null || r.resolvedAt >= w.at);
  if (section === "new") return firstSeen(r) >= w.start && firstSeen(r) < w.end;
  if (section === "resolved") return r.resolvedAt !== null && r.resolvedAt >= w.start && r.resolvedAt < w.end;
  if (section === "ageing") return open && r.openedAt.getTime() < w.at.getTime() - AGEING_DAYS * DAY;
  return open;
}
function inScope(r: Row, s: ReviewScope): boolean {
  if (s.kind === "fleet") return true;
  if (s.kind === "team") return teamOf(r) === s.team;
  if (CLUSTERS[r.cluster] !== s.cluster) return false;
  return s.kind === "cluster" || r.namespace === s.namespace;
}
const waived = (r: Row, waivers: WaiverRow[], at: Date) =>
  waivers.some(
    (v) =>
      v.ruleId === r.ruleId &&
      v.expiresAt > at &&
      (v.cluster === null || v.cluster === CLUSTERS[r.cluster]) &&
      (v.namespace === null || v.namespace === r.namespace),
  );

interface Tally {
  findings: number;
  workloads: Set<string>;
  containers: Set<string>;
  bySeverity: Record<Severity, number>;
}
const tally = (rows: Row[]): Tally => {
  const t: Tally = {
    findings: 0,
    workloads: new Set(),
    containers: new Set(),
    bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
  };
  for (const r of rows) {
    t.findings++;
    t.workloads.add(`${r.cluster}/${r.namespace}/${r.workload}`);
    t.containers.add(`${r.cluster}/${r.namespace}/${r.workload}/${r.container}`);
    t.bySeverity[r.severity]++;
  }
  return t;
};
const countsOf = (t: Tally) => ({
  findings: t.findings,
  workloads: t.workloads.size,
  containers: t.containers.size,
  bySeverity: t.bySeverity,
});
const groupBy = <K>(rows: Row[], key: (r: Row) => K) => {
  const m = new Map<K, Row[]>();
  for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
  return m;
};

/** Groups as a canonical tree: team → rule, keys sorted (the order is checked apart). */
function modelGroups(rows: Row[]) {
  return [...groupBy(rows, teamOf)]
    .map(([team, tr]) => ({
      team,
      ...countsOf(tally(tr)),
      rules: [...groupBy(tr, (r) => r.ruleId)]
        .map(([ruleId, rr]) => ({ ruleId, ...countsOf(tally(rr)) }))
        .sort((a, b) => a.ruleId.localeCompare(b.ruleId)),
    }))
    .sort((a, b) => a.team.localeCompare(b.team));
}
const modelImages = (rows: Row[]) =>
  [...groupBy(rows, (r) => r.image)]
    .map(([image, ir]) => ({ image, ...countsOf(tally(ir)) }))
    .sort((a, b) => String(a.image).localeCompare(String(b.image)));
const canonical = (groups: TeamGroup[]) =>
  groups
    .map(({ weight: _w, rules, ...t }) => ({
      ...t,
      rules: rules.map(({ weight: _rw, ...r }) => r).sort((a, b) => a.ruleId.localeCompare(b.ruleId)),
    }))
    .sort((a, b) => a.team.localeCompare(b.team));

const weightOf = (rows: Row[]) => rows.reduce((n, r) => n + SEVERITY_WEIGHTS[r.severity], 0);
function modelActions(open: Row[], waivers: WaiverRow[], at: Date) {
  const remedy = (r: Row) => (DIGEST_PIN_RULE_IDS.includes(r.ruleId) ? DIGEST_PIN : r.ruleId);
  const groups = groupBy(
    open.filter((r) => !waived(r, waivers, at)),
    (r) => `${teamOf(r)}\u0000${remedy(r)}\u0000${r.image ?? ""}`,
  );
  return [...groups.values()]
    .map((rows) => ({
      key: `${teamOf(rows[0] as Row)}\u0000${remedy(rows[0] as Row)}\u0000${rows[0]?.image ?? ""}`,
      ruleIds: [...new Set(rows.map((r) => r.ruleId))].sort(),
      findings: rows.length,
      workloads: tally(rows).workloads.size,
      weight: weightOf(rows),
    }))
    .filter((a) => a.weight > 0);
}

// ---- the test --------------------------------------------------------------------------------

describe("weekly review against a reference model", () => {
  let t: TestDatabase;
  const workloadIds = new Map<string, bigint>();
  const clusterIds: number[] = [];
  before(async () => {
    t = await createTestDatabase("review_model");
    for (const name of CLUSTERS) {
      const c = await t.db.cluster.create({ data: { name } });
      clusterIds.push(c.id);
      for (const [ns, owner] of Object.entries(OWNERS))
        await t.db.namespace.create({
          data: {
            clusterId: c.id,
            name: ns,
            profile: "production",
            owner,
            firstSeenAt: start,
            lastSeenAt: start,
          },
        });
      for (const ns of ["ns0", "ns1", "ns2"])
        for (let k = 0; k < 3; k++) {
          const w = await t.db.workload.create({
            data: {
              clusterId: c.id,
              namespace: ns,
              kind: "Deployment",
              name: `w${k}`,
              firstSeenAt: start,
              lastSeenAt: start,
            },
          });
          workloadIds.set(`${clusterIds.length - 1}/${ns}/${k}`, w.id);
        }
    }
  });
  after(() => t.drop());

  async function store(rows: Row[], waivers: WaiverRow[]) {
    await t.db.finding.deleteMany();
    await t.db.waiver.deleteMany();
    await t.db.finding.createMany({
      data: rows.map((r, i) => ({
        clusterId: clusterIds[r.cluster] as number,
        workloadId: workloadIds.get(`${r.cluster}/${r.namespace}/${r.workload}`) as bigint,
        namespace: r.namespace,
        containerName: r.container,
        ruleId: r.ruleId,
        severity: r.severity,
        fingerprint: `f${i}`,
        image: r.image,
        openedAt: r.openedAt,
        firstSeenAt: r.firstSeenAt,
        resolvedAt: r.resolvedAt,
        openedSnapshotId: 1n,
        lastSeenSnapshotId: 1n,
        resolvedSnapshotId: r.resolvedAt ? 2n : null,
      })),
    });
    await t.db.waiver.createMany({
      data: waivers.map((v) => ({ ...v, reason: "r", owner: "o", createdBy: "t", createdAt: start })),
    });
  }

  async function check(rows: Row[], waivers: WaiverRow[], now: Date, scope: ReviewScope) {
    const w = reviewWindow(WEEK, now);
    const review = await getWeeklyReview(t.db, WEEK, scope, now);
    const of = (section: ReviewSection) => rows.filter((r) => inScope(r, scope) && inSection(r, section, w));
    for (const section of ["new", "resolved", "ageing"] as const) {
      assert.deepEqual(review.counts[section], tally(of(section)).bySeverity, `${section} counts`);
      assert.deepEqual(canonical(review.groups[section]), modelGroups(of(section)), `${section} groups`);
      const weights = review.groups[section].map((g) => g.weight);
      assert.deepEqual(
        weights,
        [...weights].sort((a, b) => b - a),
        `${section} teams heaviest first`,
      );
      for (const team of review.groups[section])
        for (const rule of team.rules) {
          const group = { team: team.team, ruleId: rule.ruleId };
          const images = await reviewImageGroups(t.db, section, w, scope, group);
          assert.equal(
            images.moreImages.images,
            0,
            "every image listed: the model has fewer than IMAGES_PER_RULE",
          );
          assert.deepEqual(
            images.images
              .map(({ weight: _w, ...i }) => i)
              .sort((a, b) => String(a.image).localeCompare(String(b.image))),
            modelImages(of(section).filter((r) => teamOf(r) === team.team && r.ruleId === rule.ruleId)),
            `${section} ${team.team} ${rule.ruleId} images`,
          );
        }
    }
    assert.equal(review.counts.openAtEnd, of("open").length, "open at the end");
    for (const section of REVIEW_SECTIONS) {
      const listed = await getReviewRows(t.db, w, scope, { section, limit: 1000 });
      assert.equal(listed.length, of(section).length, `${section} rows`);
      assert.deepEqual(
        listed.map((f) => f.resolvedAt?.getTime() ?? null).sort(),
        of(section)
          .map((r) => r.resolvedAt?.getTime() ?? null)
          .sort(),
        `${section} rows' resolution times`,
      );
    }
    checkActions(review.actions, modelActions(of("open"), waivers, w.at));
  }

  /** The listed actions are the model's, and no action left out outweighs one listed. */
  function checkActions(
    listed: Awaited<ReturnType<typeof getWeeklyReview>>["actions"],
    model: ReturnType<typeof modelActions>,
  ) {
    assert.equal(listed.length, Math.min(ACTIONS_SHOWN, model.length), "actions shown");
    const byKey = new Map(model.map((a) => [a.key, a]));
    for (const a of listed) {
      const m = byKey.get(`${a.team}\u0000${a.remedy}\u0000${a.image ?? ""}`);
      assert.ok(m, `action ${a.team} ${a.remedy} ${a.image} is the model's`);
      assert.deepEqual(
        [a.ruleIds, a.findings, a.workloads, a.weight],
        [m.ruleIds, m.findings, m.workloads, m.weight],
      );
    }
    const rank = (a: { weight: number; findings: number }) => a.weight * 1e6 + a.findings;
    const last = Math.min(...listed.map(rank));
    const keys = new Set(listed.map((a) => `${a.team}\u0000${a.remedy}\u0000${a.image ?? ""}`));
    for (const m of model)
      if (!keys.has(m.key)) assert.ok(rank(m) <= last, `left out ${m.key} outweighs a listed one`);
  }

  it("counts, groups, rows and actions equal the model's, for every scope, ended and in progress", async () => {
    const scopes: ReviewScope[] = [
      { kind: "fleet" },
      { kind: "cluster", cluster: "a" },
      { kind: "team", team: "alpha" },
      { kind: "team", team: UNOWNED },
      { kind: "namespace", cluster: "b", namespace: "ns1" },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { maxLength: 60 }),
        fc.array(waiverArb, { maxLength: 3 }),
        fc.constantFrom(3.5 * DAY, 9 * DAY, 40 * DAY).map((d) => new Date(start.getTime() + d)),
        async (rows, waivers, now) => {
          await store(rows, waivers);
          for (const scope of scopes) await check(rows, waivers, now, scope);
        },
      ),
      { numRuns: 30 },
    );
  });
});
