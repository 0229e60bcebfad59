// The API on a database the collector filled from the simulator: numbers checked against the
// simulator's ground truth (or, for scores, against an independent count over the stored facts).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ClusterClient, collectFleet } from "@pullsight/collector";
import { SEVERITIES } from "@pullsight/core";
import { FINDING_SORTS, type FindingListRow } from "@pullsight/db";
import type { TestDatabase } from "@pullsight/db/testing";
import type { Simulator } from "@pullsight/k8s-sim";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { type CollectedFleet, collectedFleet } from "./collected-fixture.ts";
import type { Identity } from "./identity.ts";
import { appRouter, createCaller } from "./root.ts";
import { createContext } from "./trpc.ts";

const viewer: Identity = { name: "vera@example.com", role: "viewer", source: "proxy" };
const reviewer: Identity = { name: "rex@example.com", role: "reviewer", source: "proxy" };
const admin: Identity = { name: "ada@example.com", role: "admin", source: "proxy" };

const rejectsWith = (code: TRPCError["code"]) => (e: unknown) => e instanceof TRPCError && e.code === code;

describe("api on collected data", () => {
  let sim: Simulator;
  let t: TestDatabase;
  let clients: ClusterClient[];
  let now: Date;
  const as = (user: Identity | null) => createCaller(createContext({ db: t.db, user, now: () => now }));

  let fixture: CollectedFleet;
  before(async () => {
    fixture = await collectedFleet("api", { clusters: 3, podsPerCluster: 300, seed: 17 });
    ({ sim, t, clients } = fixture);
    now = new Date(Date.now() + 60_000);
  });
  after(() => fixture.stop());

  it("fleet.overview: totals equal the simulator's; scores equal an independent count of the stored findings", async () => {
    const fleet = await as(viewer).fleet.overview();
    const truths = sim.clusters.map((c) => c.sim.truth());
    assert.equal(fleet.totals.clusters, 3);
    assert.equal(
      fleet.totals.containers,
      truths.reduce((n, x) => n + x.containers.total, 0),
    );
    assert.equal(
      fleet.totals.workloads,
      truths.reduce((n, x) => n + x.workloads.total, 0),
    );
    assert.deepEqual(fleet.incomplete, []);
    for (const c of fleet.clusters) {
      // compliant = current containers with no open finding of medium or worse
      const nonCompliant = await t.db.$queryRaw<Array<{ n: number }>>`
        SELECT COUNT(DISTINCT (f."workloadId", f."containerName"))::int AS n FROM "Finding" f
        WHERE f."clusterId" = ${c.id} AND f."resolvedAt" IS NULL AND f.severity >= 'medium'`;
      assert.equal(c.compliant, c.containers - (nonCompliant[0]?.n ?? 0), `${c.name} compliant`);
      assert.equal(c.score, Math.round((c.compliant / c.containers) * 1000) / 10);
      const open = await t.db.finding.count({ where: { clusterId: c.id, resolvedAt: null } });
      assert.equal(c.findings.open, open);
    }
  });

  it("trends.posture: the policy mix and tag kinds of today's point equal the truth", async () => {
    for (const c of sim.clusters) {
      const points = await as(viewer).trends.posture({ scope: { cluster: c.name }, range: { days: 2 } });
      assert.equal(points.length, 1);
      const truth = c.sim.truth();
      assert.deepEqual(points[0]?.byPolicy, truth.containers.byPolicy);
      assert.deepEqual(points[0]?.byTagKind, truth.containers.byTagKind);
      assert.equal(
        points[0]?.digestShare,
        Math.round(((truth.containers.byTagKind.digest ?? 0) / truth.containers.total) * 1000) / 10,
      );
    }
  });

  it("workloads.list: filters match the simulator's workloads; keyset pages cover every row once, in order", async () => {
    const api = as(viewer);
    const c = sim.clusters[0];
    assert.ok(c);
    const truthAlways = c.sim.workloads.filter((w) => w.containers.some((x) => x.policy === "Always")).length;
    const always = await api.workloads.list({ filter: { cluster: c.name, policy: "Always" }, limit: 1 });
    assert.equal(always.total, truthAlways);

    const all = await api.workloads.list({ filter: { cluster: c.name }, limit: 500 });
    assert.equal(all.total, c.sim.workloads.length);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof api.workloads.list>> = await api.workloads.list({
        filter: { cluster: c.name },
        sort: "findings",
        order: "desc",
        limit: 37,
        cursor,
      });
      for (const r of page.rows) seen.push(`${r.findings}/${r.id}`);
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(seen.length, c.sim.workloads.length);
    assert.equal(new Set(seen).size, seen.length, "no row twice");
    const keys = seen.map((s) => s.split("/").map(Number) as [number, number]);
    for (let i = 1; i < keys.length; i++) {
      const [a, b] = [keys[i - 1] as [number, number], keys[i] as [number, number]];
      assert.ok(a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]), `order at ${i}`);
    }

    const target = c.sim.workloads[5];
    assert.ok(target);
    const found = await api.workloads.list({ filter: { q: target.name.toUpperCase() } });
    assert.ok(found.rows.some((r) => r.name === target.name && r.namespace === target.namespace));
    const image = target.containers[0]?.image ?? "";
    const byImage = await api.workloads.list({ filter: { cluster: c.name, q: image }, limit: 500 });
    const truthByImage = c.sim.workloads.filter(
      (w) =>
        w.name.toLowerCase().includes(image.toLowerCase()) ||
        w.namespace.toLowerCase().includes(image.toLowerCase()) ||
        w.containers.some((x) => x.image.toLowerCase().includes(image.toLowerCase())),
    ).length;
    assert.equal(byImage.total, truthByImage, `search ${image}`);

    // Sorted by a workload's own column, the page is chosen before its rows are summarized: paging
    // through each sort, both ways, gives the one-page answer, row for row.
    for (const sort of ["name", "namespace", "cluster", "kind", "lastSeen", "containers"] as const)
      for (const order of ["asc", "desc"] as const) {
        const filter = { cluster: c.name, q: "a" };
        const whole = await api.workloads.list({ filter, sort, order, limit: 500 });
        const paged: bigint[] = [];
        let next: string | null = null;
        do {
          const page: Awaited<ReturnType<typeof api.workloads.list>> = await api.workloads.list({
            filter,
            sort,
            order,
            limit: 23,
            cursor: next,
          });
          paged.push(...page.rows.map((r) => r.id));
          next = page.nextCursor;
        } while (next);
        assert.ok(whole.total > 23 && whole.total < 500, `${whole.total} rows for ${sort}`);
        assert.deepEqual(
          paged,
          whole.rows.map((r) => r.id),
          `${sort} ${order}`,
        );
      }
  });

  it("findings.list: most severe first by default; every sort, both ways, pages through every row once, in order", async () => {
    const api = as(viewer);
    const c = sim.clusters[0];
    assert.ok(c);
    const filter = { cluster: c.name };
    const rank = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
    const keyOf: Record<(typeof FINDING_SORTS)[number], (r: FindingListRow) => string | number> = {
      severity: (r) => rank(r.severity),
      opened: (r) => r.openedAt.getTime(),
      cluster: (r) => r.cluster,
      rule: (r) => r.ruleId,
    };
    const first = await api.findings.list({ filter, limit: 50 });
    assert.ok(first.total > 50, `${first.total} findings`);
    const worst = Math.max(...first.rows.map((r) => rank(r.severity)));
    assert.equal(rank(first.rows[0]?.severity ?? ""), worst, "the first row is of the worst severity");
    let ids: string[] | null = null;
    for (const sort of FINDING_SORTS)
      for (const order of ["asc", "desc"] as const) {
        const rows: FindingListRow[] = [];
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<typeof api.findings.list>> = await api.findings.list({
            filter,
            sort,
            order,
            limit: 41,
            cursor,
          });
          rows.push(...page.rows);
          cursor = page.nextCursor;
        } while (cursor);
        assert.equal(rows.length, first.total, `${sort} ${order}: every row`);
        const sorted = rows.map((r) => String(r.findingId)).sort();
        ids ??= sorted;
        assert.deepEqual(sorted, ids, `${sort} ${order}: the same rows`);
        const sign = order === "asc" ? 1 : -1;
        for (let i = 1; i < rows.length; i++) {
          const [a, b] = [rows[i - 1] as FindingListRow, rows[i] as FindingListRow];
          const [ka, kb] = [keyOf[sort](a), keyOf[sort](b)];
          const cmp = ka < kb ? -1 : ka > kb ? 1 : Number(a.findingId - b.findingId);
          assert.ok(cmp * sign < 0, `${sort} ${order}: order at ${i}`);
        }
      }
    await assert.rejects(
      api.findings.list({ filter, sort: "opened", cursor: first.nextCursor }),
      rejectsWith("BAD_REQUEST"),
      "a cursor of another sort is refused",
    );
  });

  it("workloads.detail: a drifting workload shows the digests the simulator runs", async () => {
    const c = sim.clusters.find((x) => x.sim.truth().drift.length > 0);
    assert.ok(c, "some cluster drifts");
    const drift = c.sim.truth().drift[0];
    assert.ok(drift);
    const list = await as(viewer).workloads.list({
      filter: { cluster: c.name, namespace: drift.namespace, q: drift.name },
    });
    const row = list.rows.find((r) => r.name === drift.name && r.kind === drift.kind);
    assert.ok(row);
    const detail = await as(viewer).workloads.detail({ id: row.id });
    const running = detail.running.find((r) => r.container === drift.container);
    assert.ok(running?.drift);
    assert.deepEqual(running.digests.map((d) => d.digest).sort(), drift.digests);
    assert.ok(detail.findings.some((f) => f.ruleId === "PS010" && f.fixYaml.length > 0 && f.why.length > 0));
    assert.ok(detail.containers.every((x) => x.image && x.policySource));
    await assert.rejects(as(viewer).workloads.detail({ id: 999_999_999n }), rejectsWith("NOT_FOUND"));
  });

  it("clusters.detail: namespaces add up to the cluster; snapshots listed", async () => {
    const c = sim.clusters[1];
    assert.ok(c);
    const detail = await as(viewer).clusters.detail({ name: c.name });
    assert.equal(
      detail.namespaces.reduce((n, ns) => n + ns.containers, 0),
      detail.cluster.containers,
    );
    assert.equal(detail.snapshots.length, 1);
    assert.equal(detail.snapshots[0]?.status, "complete");
    assert.ok(
      detail.namespaces.some((n) => n.team !== "(unowned)"),
      "owners from the namespaces",
    );
    await assert.rejects(as(viewer).clusters.detail({ name: "nope" }), rejectsWith("NOT_FOUND"));
  });

  it("waivers: viewers cannot waive; a waiver makes findings waived now and compliant at the next snapshot", async () => {
    const c = sim.clusters[2];
    assert.ok(c);
    const openPS001 = await t.db.finding.count({
      where: { cluster: { name: c.name }, ruleId: "PS001", resolvedAt: null },
    });
    assert.ok(openPS001 > 0, "the cluster has mutable references");
    const input = {
      ruleId: "PS001",
      cluster: c.name,
      reason: "vendor images, pinned next quarter",
      owner: "platform",
      expiresAt: new Date(now.getTime() + 30 * 86_400_000),
    };
    await assert.rejects(as(viewer).waivers.create(input), rejectsWith("FORBIDDEN"));
    await assert.rejects(as(null).waivers.create(input), rejectsWith("UNAUTHORIZED"));
    await assert.rejects(
      as(reviewer).waivers.create({ ...input, expiresAt: new Date(now.getTime() - 1000) }),
      rejectsWith("BAD_REQUEST"),
    );
    const before = (await as(viewer).fleet.overview()).clusters.find((x) => x.name === c.name);
    const waiver = await as(reviewer).waivers.create(input);
    assert.equal(waiver.state, "active");
    const after = (await as(viewer).fleet.overview()).clusters.find((x) => x.name === c.name);
    assert.equal(after?.findings.waived, openPS001);
    assert.equal(after?.findings.open, (before?.findings.open ?? 0) - openPS001);
    const waivedList = await as(viewer).findings.list({
      filter: { cluster: c.name, status: "waived" },
      limit: 500,
    });
    assert.equal(waivedList.total, openPS001);
    assert.ok(waivedList.rows.every((r) => r.ruleId === "PS001" && r.status === "waived"));
    const openList = await as(viewer).findings.list({
      filter: { cluster: c.name, status: "open" },
      limit: 1,
    });
    // PS005 fires on most containers: counted per namespace in `groups`, not listed row by row.
    const grouped = openList.groupTotals.reduce((n, g) => n + g.findings, 0);
    assert.ok(grouped > 0 && openList.groups.every((g) => g.ruleId === "PS005"));
    assert.deepEqual(
      openList.groupTotals.map((g) => g.ruleId),
      ["PS005"],
    );
    assert.equal(openList.total + grouped, after?.findings.open);
    assert.equal(after?.findings.grouped, grouped, "the fleet's grouped count is the list's");
    const ps005 = await as(viewer).findings.list({
      filter: { cluster: c.name, status: "open", ruleId: "PS005" },
    });
    assert.deepEqual(ps005.groups, []);
    assert.deepEqual(ps005.groupTotals, []);
    assert.equal(ps005.total, grouped);
    // The workloads list ranks by unwaived findings: page by page it picks what one page shows.
    const rankedBy = async (limit: number, cursor: string | null) =>
      as(viewer).workloads.list({
        filter: { cluster: c.name },
        sort: "findings",
        order: "desc",
        limit,
        cursor,
      });
    const ranked = await rankedBy(500, null);
    assert.ok(
      ranked.rows.some((r) => r.waived > 0),
      "some workload has waived findings",
    );
    const pagedRanks: bigint[] = [];
    for (let next: string | null = null, first = true; first || next; first = false) {
      const page: Awaited<ReturnType<typeof rankedBy>> = await rankedBy(9, next);
      pagedRanks.push(...page.rows.map((r) => r.id));
      next = page.nextCursor;
    }
    assert.deepEqual(
      pagedRanks,
      ranked.rows.map((r) => r.id),
    );

    // The collector honours it at the next snapshot: compliance counts only unwaived findings.
    await collectFleet(
      t.db,
      clients.filter((x) => x.name === c.name),
    );
    const rescored = (await as(viewer).fleet.overview()).clusters.find((x) => x.name === c.name);
    assert.ok(rescored);
    const nonCompliant = await t.db.$queryRaw<Array<{ n: number }>>`
      SELECT COUNT(DISTINCT (f."workloadId", f."containerName"))::int AS n FROM "Finding" f
      WHERE f."clusterId" = ${rescored.id} AND f."resolvedAt" IS NULL AND f.severity >= 'medium' AND f."ruleId" <> 'PS001'`;
    assert.equal(rescored.compliant, rescored.containers - (nonCompliant[0]?.n ?? 0));
    assert.ok((rescored.score ?? 0) >= (before?.score ?? 0));

    // Only its creator or an admin revokes it; then the findings count again.
    await assert.rejects(
      as({ ...reviewer, name: "someone@example.com" }).waivers.revoke({ id: waiver.id, reason: "not mine" }),
      rejectsWith("FORBIDDEN"),
    );
    const revoked = await as(admin).waivers.revoke({ id: waiver.id, reason: "pinned early" });
    assert.equal(revoked.state, "revoked");
    await assert.rejects(
      as(admin).waivers.revoke({ id: waiver.id, reason: "again" }),
      rejectsWith("CONFLICT"),
    );
    const restored = (await as(viewer).fleet.overview()).clusters.find((x) => x.name === c.name);
    assert.equal(restored?.findings.waived, 0);
  });

  it("malformed input is a 400 with the reason over HTTP, never a 500", async () => {
    const call = (procedure: string, input: unknown, method = "GET") => {
      const url = new URL(`http://local/api/trpc/${procedure}`);
      if (method === "GET") url.searchParams.set("input", JSON.stringify({ json: input }));
      return fetchRequestHandler({
        endpoint: "/api/trpc",
        req: new Request(
          url,
          method === "GET"
            ? {}
            : {
                method,
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ json: input }),
              },
        ),
        router: appRouter,
        createContext: () => createContext({ db: t.db, user: viewer, now: () => now }),
      });
    };
    for (const [procedure, input] of [
      ["workloads.list", { filter: { policy: "Sometimes" } }],
      ["workloads.list", { cursor: "not-a-cursor" }],
      ["workloads.list", { limit: 10_000 }],
      ["workloads.detail", { id: "abc" }],
      ["trends.posture", { range: { from: "2026-02-01", to: "2026-01-01" } }],
      ["reviews.get", { week: "last week" }],
      ["fleet.overview", { cluster: 3 }],
    ] as const) {
      const res = await call(procedure, input);
      const body = await res.text();
      assert.equal(res.status, 400, `${procedure} ${JSON.stringify(input)}: ${body}`);
    }
    const forbidden = await call(
      "waivers.create",
      { ruleId: "PS001", reason: "x".repeat(20), owner: "o", expiresAt: now },
      "POST",
    );
    assert.equal(forbidden.status, 403);
  });
});
