// Answers read from maintained counts and indexes (the findings list's total and groups, the
// filter menus) equal counting the collected rows themselves.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GROUPED_RULE_IDS } from "@pullsight/core";
import { countable, listFindings } from "@pullsight/db";
import type { TestDatabase } from "@pullsight/db/testing";
import type { Simulator } from "@pullsight/k8s-sim";
import fc from "fast-check";
import { type CollectedFleet, collectedFleet } from "./collected-fixture.ts";
import type { Identity } from "./identity.ts";
import { createCaller } from "./root.ts";
import { createContext } from "./trpc.ts";

const viewer: Identity = { name: "vera@example.com", role: "viewer", source: "proxy" };

describe("counted answers on collected data", () => {
  let sim: Simulator;
  let t: TestDatabase;
  let now: Date;
  const as = (user: Identity | null) => createCaller(createContext({ db: t.db, user, now: () => now }));

  let fixture: CollectedFleet;
  before(async () => {
    fixture = await collectedFleet("api_counts", { clusters: 2, podsPerCluster: 250, seed: 23 });
    ({ sim, t } = fixture);
    now = new Date(Date.now() + 60_000);
  });
  after(() => fixture.stop());

  it("findings.list counts from the open-finding counts exactly as counting its rows, for any countable filter", async () => {
    const namespaces = (
      await t.db.namespace.findMany({ select: { name: true }, distinct: ["name"], take: 6 })
    ).map((n) => n.name);
    const filters = fc.sample(
      fc.record(
        {
          cluster: fc.constantFrom(...sim.clusters.map((c) => c.name)),
          namespace: fc.constantFrom(...namespaces),
          ruleId: fc.constantFrom("PS001", "PS002", "PS005", "PS016"),
          severity: fc.constantFrom("high", "medium", "low", "info" as const),
          clusterLabel: fc.constantFrom("env=production", "env=staging"),
        },
        { requiredKeys: [] },
      ),
      { numRuns: 40, seed: 18 },
    );
    // A namespace whose grouped findings differ in severity (as after a profile change): a
    // severity filter then counts part of it, and its workloads and newest severity with it.
    const mixed = await t.db.finding.findFirstOrThrow({
      where: { ruleId: { in: [...GROUPED_RULE_IDS] }, resolvedAt: null },
      orderBy: { id: "asc" },
      include: { cluster: true },
    });
    await t.db.finding.update({ where: { id: mixed.id }, data: { severity: "high" } });
    const mixedFilters = [
      { severity: "high" as const },
      { cluster: mixed.cluster.name, namespace: mixed.namespace, severity: "high" as const },
      { cluster: mixed.cluster.name, namespace: mixed.namespace },
    ];
    for (const [i, filter] of [{}, ...mixedFilters, ...filters].entries()) {
      assert.ok(countable(filter), JSON.stringify(filter));
      // Few lines as well as all: the largest namespaces are the same ones either way.
      const opts = { now, groupRules: GROUPED_RULE_IDS, limit: 1, groupLimit: [1, 3, 500][i % 3] };
      const counted = await listFindings(t.db, filter, opts);
      const rows = await listFindings(t.db, filter, { ...opts, useCounts: false });
      const message = JSON.stringify({ filter, groupLimit: opts.groupLimit });
      assert.equal(counted.total, rows.total, message);
      assert.deepEqual(counted.groups, rows.groups, message);
      assert.deepEqual(counted.groupTotals, rows.groupTotals, message);
      // The totals count every line the groups would show with no limit.
      const all = await listFindings(t.db, filter, { ...opts, groupLimit: 100_000, useCounts: false });
      assert.equal(
        counted.groupTotals.reduce((n, g) => n + g.namespaces, 0),
        all.groups.length,
        message,
      );
      assert.equal(
        counted.groupTotals.reduce((n, g) => n + g.findings, 0),
        all.groups.reduce((n, g) => n + g.findings, 0),
        message,
      );
      assert.deepEqual(counted.groups, all.groups.slice(0, opts.groupLimit), message);
    }
  });

  it("workloads.facets counts every current container once under each filter's value", async () => {
    const current = await t.db.containerFact.findMany({
      where: { validTo: null, workload: { deletedAt: null } },
      select: {
        imagePullPolicy: true,
        policySource: true,
        tagKind: true,
        registry: true,
        workload: { select: { namespace: true, kind: true, cluster: { select: { name: true } } } },
      },
    });
    // Each namespace's team as the simulator made it (kube-system names none: unowned).
    const teams = new Map(
      sim.clusters.flatMap((c) =>
        c.sim.namespaces.map((ns) => [
          `${c.name}/${ns.name}`,
          ns.name === "kube-system" ? "(unowned)" : ns.team,
        ]),
      ),
    );
    for (const cluster of [undefined, sim.clusters[1]?.name]) {
      const facts = current.filter((f) => !cluster || f.workload.cluster.name === cluster);
      const expected: Record<string, Record<string, number>> = {};
      const add = (facet: string, value: string) => {
        const counts = expected[facet] ?? {};
        counts[value] = (counts[value] ?? 0) + 1;
        expected[facet] = counts;
      };
      for (const f of facts) {
        add("cluster", f.workload.cluster.name);
        add("namespace", f.workload.namespace);
        add("team", teams.get(`${f.workload.cluster.name}/${f.workload.namespace}`) ?? "?");
        add("kind", f.workload.kind);
        add("policy", f.imagePullPolicy);
        add("policySource", f.policySource);
        add("tagKind", f.tagKind);
        add("registry", f.registry);
      }
      const facets = await as(viewer).workloads.facets(cluster ? { cluster } : undefined);
      const got = Object.fromEntries(
        Object.entries(facets).map(([facet, values]) => [
          facet,
          Object.fromEntries(values.map((v) => [v.value, v.containers])),
        ]),
      );
      assert.deepEqual(got, expected, cluster ?? "fleet");
    }
  });
});
