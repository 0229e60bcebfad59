import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import { getFleetOverview } from "./fleet.ts";
import { emptyFindingCounts } from "./open-counts.ts";

describe("getFleetOverview", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("fleet");
  });
  after(() => t.drop());

  it("reports an empty fleet as empty", async () => {
    const fleet = await getFleetOverview(t.db);
    assert.deepEqual(fleet, {
      clusters: [],
      totals: {
        clusters: 0,
        workloads: 0,
        containers: 0,
        compliant: 0,
        score: null,
        grade: null,
        openFindings: 0,
        findings: emptyFindingCounts(),
      },
      lastCollectedAt: null,
      incomplete: [],
    });
  });

  it("counts live workloads, current containers and open findings, with each cluster's last snapshot", async () => {
    const { later } = await seedTwoClusters(t);
    const now = new Date(later.getTime() + 60_000);
    const fleet = await getFleetOverview(t.db, { now });
    const { findings, ...totals } = fleet.totals;
    assert.deepEqual(totals, {
      clusters: 2,
      workloads: 1,
      containers: 4,
      compliant: 3,
      score: 75,
      grade: "C",
      openFindings: 1,
    });
    assert.deepEqual(findings.bySeverity, { critical: 0, high: 1, medium: 0, low: 0, info: 0 });
    assert.deepEqual(
      fleet.incomplete,
      [
        { name: "a", status: "partial", stale: false },
        { name: "b", status: null, stale: true },
      ],
      "partial and never-collected clusters are listed",
    );
    // A waiver of the rule on that cluster makes the finding waived, not open.
    await t.db.waiver.create({
      data: {
        ruleId: "r",
        cluster: "a",
        reason: "x",
        owner: "o",
        createdBy: "u",
        expiresAt: new Date(now.getTime() + 1000),
      },
    });
    const waived = await getFleetOverview(t.db, { now });
    assert.deepEqual([waived.totals.findings.open, waived.totals.findings.waived], [0, 1]);
    const expired = await getFleetOverview(t.db, { now: new Date(now.getTime() + 1000) });
    assert.deepEqual(
      [expired.totals.findings.open, expired.totals.findings.waived],
      [1, 0],
      "counts again after expiry",
    );
    assert.deepEqual(fleet.lastCollectedAt, later);
    assert.deepEqual(
      fleet.clusters.map((c) => [
        c.name,
        c.lastSnapshotStatus,
        c.lastSnapshotFailures,
        c.workloads,
        c.kubernetesVersion,
      ]),
      [
        ["a", "partial", 2, 1, null],
        ["b", null, 0, 0, "v1.30.1"],
      ],
    );
  });

  it("allows one open episode per finding subject (partial unique index)", async () => {
    const c = await t.db.cluster.findFirstOrThrow({ where: { name: "a" } });
    const base = {
      clusterId: c.id,
      namespace: "n",
      ruleId: "r",
      severity: "low" as const,
      fingerprint: "open",
      openedAt: new Date(),
      openedSnapshotId: 1n,
      lastSeenSnapshotId: 1n,
    };
    await assert.rejects(t.db.finding.create({ data: base }), /Unique constraint/);
  });
});

/** Cluster a with a partial snapshot, a live and a deleted workload, two containers, an open and a resolved finding; cluster b never collected. */
async function seedTwoClusters(t: TestDatabase) {
  const at = new Date("2026-11-01T00:00:00Z");
  const later = new Date("2026-11-02T00:00:00Z");
  const a = await t.db.cluster.create({ data: { name: "a" } });
  await t.db.cluster.create({ data: { name: "b", kubernetesVersion: "v1.30.1" } });
  const snap = await t.db.snapshot.create({
    data: {
      clusterId: a.id,
      startedAt: later,
      finishedAt: later,
      status: "partial",
      failures: [
        { kind: "secrets", status: 403 },
        { kind: "nodes", status: 500 },
      ],
      collectorVersion: "t",
      rulesVersion: "t",
    },
  });
  await t.db.cluster.update({
    where: { id: a.id },
    data: { lastSnapshotId: snap.id, lastSnapshotAt: later },
  });
  const live = await t.db.workload.create({
    data: {
      clusterId: a.id,
      namespace: "n",
      kind: "Deployment",
      name: "live",
      firstSeenAt: at,
      lastSeenAt: at,
    },
  });
  await t.db.workload.create({
    data: {
      clusterId: a.id,
      namespace: "n",
      kind: "Deployment",
      name: "gone",
      firstSeenAt: at,
      lastSeenAt: at,
      deletedAt: later,
    },
  });
  const fact = {
    workloadId: live.id,
    containerType: "container" as const,
    image: "nginx:1.27",
    registry: "docker.io",
    repository: "library/nginx",
    tag: "1.27",
    tagKind: "floating-version",
    registryVisibility: "public",
    imagePullPolicy: "IfNotPresent",
    policySource: "defaulted",
    policyEvidence: "",
    factHash: "h",
    validFrom: at,
    validFromSnapshot: snap.id,
  };
  await t.db.containerFact.create({ data: { ...fact, containerName: "app" } });
  await t.db.containerFact.create({
    data: { ...fact, containerName: "old", validTo: later, validToSnapshot: snap.id },
  });
  const finding = {
    clusterId: a.id,
    namespace: "n",
    ruleId: "r",
    severity: "high" as const,
    openedAt: at,
    openedSnapshotId: snap.id,
    lastSeenSnapshotId: snap.id,
  };
  await t.db.finding.create({ data: { ...finding, fingerprint: "open" } });
  await t.db.finding.create({
    data: { ...finding, fingerprint: "closed", resolvedAt: later, resolvedSnapshotId: snap.id },
  });

  await t.db.postureRollup.create({
    data: {
      snapshotId: snap.id,
      clusterId: a.id,
      namespace: "",
      takenAt: later,
      workloads: 1,
      containers: 4,
      compliant: 3,
      score: 75,
    },
  });
  return { later };
}
