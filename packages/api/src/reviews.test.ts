// The weekly review on a database the collector filled from the simulator: groups that add up to
// the week's counts, rows that are a group's findings, team scopes, and a sign-off that is
// validated, refused a second time and refused by the database afterwards.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isoWeekOf, RULES_BY_ID } from "@pullsight/core";
import type { TestDatabase } from "@pullsight/db/testing";
import { TRPCError } from "@trpc/server";
import { type CollectedFleet, collectedFleet } from "./collected-fixture.ts";
import type { Identity } from "./identity.ts";
import { createCaller } from "./root.ts";
import { createContext } from "./trpc.ts";

const viewer: Identity = { name: "vera@example.com", role: "viewer", source: "proxy" };
const reviewer: Identity = { name: "rex@example.com", role: "reviewer", source: "proxy" };
const admin: Identity = { name: "ada@example.com", role: "admin", source: "proxy" };

const rejectsWith = (code: TRPCError["code"]) => (e: unknown) => e instanceof TRPCError && e.code === code;

describe("weekly reviews on collected data", () => {
  let t: TestDatabase;
  let now: Date;
  const as = (user: Identity | null) => createCaller(createContext({ db: t.db, user, now: () => now }));

  let fixture: CollectedFleet;
  before(async () => {
    fixture = await collectedFleet("reviews", { clusters: 2, podsPerCluster: 250, seed: 23 });
    ({ t } = fixture);
    now = new Date(Date.now() + 60_000);
  });
  after(() => fixture.stop());

  it("weekly review: groups team → rule → image add up to the week's counts, and a group's rows are its findings", async () => {
    // The week the fixture's collection happened in (not "now": a run can cross a week boundary).
    const first = await t.db.finding.findFirst({ orderBy: { id: "asc" } });
    assert.ok(first);
    const week = isoWeekOf(first.firstSeenAt ?? first.openedAt);
    const review = await as(viewer).reviews.get({ week, scope: "fleet" });
    const total = Object.values(review.counts.new).reduce((n, x) => n + x, 0);
    const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((n, x) => n + f(x), 0);
    assert.ok(total > 0);
    assert.equal(
      sum(review.groups.new, (g) => g.findings),
      total,
    );
    for (const team of review.groups.new) {
      assert.equal(
        sum(team.rules, (r) => r.findings),
        team.findings,
        team.team,
      );
      // A page fetches a team's rules when the team is opened: the same groups, with their titles.
      const rules = await as(viewer).reviews.rules({ week, section: "new", team: team.team });
      assert.deepEqual(
        rules.map(({ title, ...r }) => r),
        team.rules,
      );
      assert.ok(rules.every((r) => r.title === RULES_BY_ID.get(r.ruleId)?.title));
      for (const rule of team.rules) {
        const images = await as(viewer).reviews.images({
          week,
          section: "new",
          team: team.team,
          ruleId: rule.ruleId,
        });
        assert.equal(sum(images.images, (i) => i.findings) + images.moreImages.findings, rule.findings);
      }
    }
    const team = review.groups.new[0];
    const rule = team?.rules[0];
    const image =
      team && rule
        ? (await as(viewer).reviews.images({ week, section: "new", team: team.team, ruleId: rule.ruleId }))
            .images[0]
        : undefined;
    assert.ok(team && rule && image);
    const rows = await as(viewer).reviews.rows({
      week,
      scope: "fleet",
      section: "new",
      team: team.team,
      ruleId: rule.ruleId,
      image: image.image,
    });
    assert.equal(rows.length, Math.min(image.findings, 50));
    assert.ok(rows.every((f) => f.team === team.team && f.ruleId === rule.ruleId && f.image === image.image));
    const scoped = await as(viewer).reviews.get({ week, scope: `team: ${team.team.toUpperCase()} ` });
    assert.equal(scoped.scope, `team:${team.team}`, "team scopes are normalised");
    assert.equal(
      sum(scoped.groups.new, (g) => g.findings),
      team.findings,
    );
    await assert.rejects(
      as(viewer).reviews.get({ week, scope: "team:nobody-owns-this" }),
      rejectsWith("BAD_REQUEST"),
    );
    await assert.rejects(as(viewer).reviews.get({ week, scope: "cluster:nope" }), rejectsWith("BAD_REQUEST"));
  });

  it("weekly review: signed by a reviewer, refused for a viewer, immutable, listed afterwards", async () => {
    const first = await t.db.snapshot.findFirst({ orderBy: { startedAt: "asc" } });
    assert.ok(first);
    const week = isoWeekOf(first.startedAt);
    const review = await as(viewer).reviews.get({ week, scope: "fleet" });
    assert.equal(review.signed, null);
    assert.equal(review.weeks.at(-1), week, "no week before the first snapshot is offered");
    await assert.rejects(
      as(viewer).reviews.sign({ week, scope: "fleet", notes: "ok" }),
      rejectsWith("FORBIDDEN"),
    );
    const signed = await as(reviewer).reviews.sign({
      week,
      scope: "fleet",
      notes: "Looked at PS001 regressions.",
    });
    assert.equal(signed.reviewer, reviewer.name);
    await assert.rejects(
      as(admin).reviews.sign({ week, scope: " fleet ", notes: "again" }),
      rejectsWith("CONFLICT"),
    );
    const team = review.groups.new[0]?.team;
    assert.ok(team);
    await as(reviewer).reviews.sign({ week, scope: `team:${team}`, notes: "" });
    await assert.rejects(
      as(reviewer).reviews.sign({ week, scope: `team:  ${team.toUpperCase()}  `, notes: "twin" }),
      rejectsWith("CONFLICT"),
      "a trailing-space or upper-case twin is the same scope",
    );
    const cluster = (await t.db.cluster.findFirst())?.name;
    for (const [scope, why] of [
      ["cluster:no-such-cluster", /no cluster is named no-such-cluster/],
      [`namespace:${cluster}/no-such-namespace`, /has no namespace no-such-namespace/],
      ["team:nobody", /no namespace is owned by team nobody/],
    ] as const)
      await assert.rejects(as(reviewer).reviews.sign({ week, scope, notes: "" }), (e: unknown) => {
        assert.match(String((e as Error).message), why);
        return rejectsWith("BAD_REQUEST")(e);
      });
    const before = isoWeekOf(new Date(first.startedAt.getTime() - 7 * 86_400_000));
    await assert.rejects(
      as(reviewer).reviews.sign({ week: before, scope: "fleet", notes: "" }),
      rejectsWith("BAD_REQUEST"),
    );
    // The database refuses to change a signed review, with an error.
    await assert.rejects(
      t.db.$executeRaw`UPDATE "Review" SET notes = 'rewritten' WHERE id = ${signed.id}`,
      /a signed review cannot be changed \(UPDATE/,
    );
    await assert.rejects(
      t.db.$executeRaw`DELETE FROM "Review" WHERE id = ${signed.id}`,
      /cannot be changed \(DELETE/,
    );
    await assert.rejects(t.db.$executeRaw`TRUNCATE "Review"`, /cannot be changed \(TRUNCATE/);
    const again = await as(viewer).reviews.get({ week, scope: "fleet" });
    assert.equal(again.signed?.notes, "Looked at PS001 regressions.");
    assert.deepEqual(
      (await as(viewer).reviews.list()).map((r) => [r.week, r.scope]),
      [
        [week, "fleet"],
        [week, `team:${team}`],
      ],
    );
    await assert.rejects(
      as(reviewer).reviews.sign({ week: "2099-W01", scope: "fleet", notes: "" }),
      rejectsWith("BAD_REQUEST"),
    );
    await assert.rejects(as(viewer).reviews.get({ week: "2026-W60" }), rejectsWith("BAD_REQUEST"));
  });

  it("teams: each team's containers and score are an independent count over its namespaces, and its trend ends there", async () => {
    const teams = await as(viewer).teams.list();
    assert.ok(teams.length > 1);
    for (const team of teams) {
      const [row] = await t.db.$queryRaw<Array<{ containers: number; failing: number }>>`
        SELECT COUNT(*)::int AS containers,
          COUNT(*) FILTER (WHERE EXISTS (
            SELECT 1 FROM "Finding" f WHERE f."workloadId" = wl.id AND f."containerName" = cf."containerName"
              AND f."resolvedAt" IS NULL AND f.severity >= 'medium'))::int AS failing
        FROM "ContainerFact" cf JOIN "Workload" wl ON wl.id = cf."workloadId"
        LEFT JOIN "Namespace" n ON n."clusterId" = wl."clusterId" AND n.name = wl.namespace
        WHERE cf."validTo" IS NULL AND wl."deletedAt" IS NULL AND COALESCE(n.owner, '(unowned)') = ${team.team}`;
      assert.equal(team.containers, row?.containers, team.team);
      assert.equal(team.compliant, (row?.containers ?? 0) - (row?.failing ?? 0), team.team);
      const trend = await as(viewer).trends.posture({ scope: { team: team.team }, range: { days: 2 } });
      assert.equal(trend.at(-1)?.containers ?? 0, team.containers, `${team.team} trend`);
      assert.equal(trend.at(-1)?.score ?? null, team.score, `${team.team} trend score`);
    }
    const sum = teams.reduce((n, x) => n + x.containers, 0);
    const fleet = await as(viewer).fleet.overview();
    assert.equal(sum, fleet.totals.containers, "every container belongs to exactly one team");
    const detail = await as(viewer).teams.detail({ team: ` ${teams[0]?.team.toUpperCase()} ` });
    assert.equal(detail.summary.team, teams[0]?.team);
    assert.equal(
      detail.namespaces.reduce((n, x) => n + x.containers, 0),
      teams[0]?.containers,
    );
    await assert.rejects(as(viewer).teams.detail({ team: "nobody" }), rejectsWith("NOT_FOUND"));
  });
});
