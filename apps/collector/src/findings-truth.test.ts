// Findings stay true against the simulator and a real PostgreSQL: evidence follows the workload
// while a finding is open, provenance names the snapshot that last confirmed it, a partial
// snapshot resolves nothing it could not see, a runtime condition that flickers within its
// hysteresis window stays one finding, and "as of" answers equal a database that only ever saw
// the snapshots up to that instant.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RUNTIME_RESOLVE_HOURS } from "@pullsight/core";
import { type Db, findingsQuery, inventoryQuery } from "@pullsight/db";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import { collectFleet } from "./collect.ts";
import { EventWatcher } from "./event-watch.ts";
import type { ClusterClient } from "./k8s/client.ts";
import { simClients, writeSimKubeconfig } from "./testing.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

type SimCluster = Simulator["clusters"][number]["sim"];
type SimWorkload = SimCluster["workloads"][number];
type SimContainer = SimWorkload["containers"][number];

describe("findings that stay true", () => {
  let sim: Simulator;
  let a: TestDatabase;
  let b: TestDatabase;
  let clients: ClusterClient[];
  let cluster: SimCluster;
  const collect = async (db: Db) => {
    const [outcome] = await collectFleet(db, clients, { read: { now: () => new Date(sim.now) } });
    assert.ok(outcome?.snapshotId, `snapshot stored: ${outcome?.status}`);
    return { id: outcome.snapshotId as bigint, status: outcome.status, at: new Date(sim.now) };
  };
  const retag = (c: SimContainer, tag: string, missing = false) => {
    c.tag = tag;
    c.missingTag = missing;
    c.image = `${c.repo?.written}:${tag}`;
  };
  const rollout = (w: SimWorkload, change: (c: SimContainer) => void) => cluster.rollout(w, change, sim.now);
  const findingsOf = (db: Db, w: SimWorkload, ruleId: string) =>
    db.finding.findMany({
      where: { ruleId, workload: { namespace: w.namespace, kind: w.kind, name: w.name } },
      orderBy: { id: "asc" },
      include: { history: { orderBy: { validFrom: "asc" } } },
    });
  const exportRow = async (db: Db, id: bigint) => {
    const rows = await db.$queryRaw<Array<Record<string, unknown>>>(
      findingsQuery({ state: "all" }, new Date(sim.now)),
    );
    return rows.find((r) => r.finding_id === id);
  };
  /** A StatefulSet (the simulator's daily rollouts touch Deployments only) with one tagged container. */
  const pick = (skip: SimWorkload[], ok: (c: SimContainer) => boolean) => {
    const w = cluster.workloads.find(
      (x) =>
        x.kind === "StatefulSet" &&
        !skip.includes(x) &&
        x.containers.length === 1 &&
        x.containers.every((c) => c.repo && !c.digest && c.policy !== "Never" && ok(c)),
    );
    assert.ok(w, "a StatefulSet to change");
    return w;
  };

  before(async () => {
    sim = await Simulator.start({ clusters: 1, podsPerCluster: 400, seed: 23 });
    cluster = sim.clusters[0]?.sim as SimCluster;
    a = await createTestDatabase("truth_a");
    b = await createTestDatabase("truth_b");
    clients = simClients(sim, writeSimKubeconfig(sim, "truth-"));
  });
  after(async () => {
    await sim.stop();
    await a.drop();
    await b.drop();
  });

  it("evidence follows the workload, provenance names the confirming snapshot, a partial snapshot resolves nothing it could not read, and as-of answers equal a database rebuilt up to then", async () => {
    const changed = pick([], () => true);
    const fixed = pick([changed], () => true);
    // Both start on a mutable tag: PS001 is open on each.
    rollout(changed, (c) => retag(c, "latest"));
    rollout(fixed, (c) => retag(c, "latest"));
    sim.advanceBy(5 * MINUTE);
    const s1 = await collect(a.db);
    await collect(b.db);
    const [opened] = await findingsOf(a.db, changed, "PS001");
    assert.ok(opened && opened.resolvedAt === null);
    assert.match(String((opened.evidence as { message: string }).message), /:latest/);

    // The image changes under the open finding: same finding, the new image and message, the old kept as history.
    sim.advanceBy(HOUR);
    rollout(changed, (c) => retag(c, "main"));
    sim.advanceBy(5 * MINUTE);
    const s2 = await collect(a.db);
    await collect(b.db);
    const [updated, ...more] = await findingsOf(a.db, changed, "PS001");
    assert.ok(updated);
    assert.equal(more.length, 0, "still one finding");
    assert.equal(updated?.id, opened.id);
    assert.match(String(updated?.image), /:main$/);
    assert.match(String((updated.evidence as { message: string }).message), /:main/);
    assert.equal(updated?.evidenceSince?.getTime(), s2.at.getTime());
    assert.deepEqual(
      updated?.history.map((h) => [h.image?.endsWith(":latest"), h.validFrom.getTime(), h.validTo.getTime()]),
      [[true, s1.at.getTime(), s2.at.getTime()]],
    );
    const row2 = await exportRow(a.db, opened.id);
    assert.ok(row2);
    assert.equal(row2.last_seen_snapshot_id, s2.id);
    assert.equal(row2.confirmed_snapshot_id, s2.id);
    assert.equal((row2.collected_at as Date).getTime(), s2.at.getTime());

    // StatefulSets cannot be listed: the fixed one's PS001 is neither confirmed nor resolved.
    await sim.setFaults(cluster.spec.name, { forbidResources: ["statefulsets"] });
    sim.advanceBy(HOUR);
    rollout(fixed, (c) => retag(c, c.repo?.tags.find((t) => t.kind === "full-version")?.tag ?? "1.0.0"));
    sim.advanceBy(5 * MINUTE);
    const s3 = await collect(a.db);
    await collect(b.db);
    assert.equal(s3.status, "partial");
    const [held] = await findingsOf(a.db, fixed, "PS001");
    assert.equal(
      held?.resolvedAt,
      null,
      "a partial snapshot that could not read StatefulSets resolves none of theirs",
    );
    assert.equal(
      (await exportRow(a.db, held?.id as bigint))?.last_seen_snapshot_id,
      s2.id,
      "confirmed by s2, not s3",
    );

    // As of s3's instant, database A answers what database B (which saw only s1–s3) holds now.
    const rows = async (db: Db, asOf?: Date) => ({
      findings: await db.$queryRaw<unknown[]>(
        findingsQuery({ state: "all", ...(asOf ? { asOf } : {}) }, s3.at),
      ),
      inventory: await db.$queryRaw<unknown[]>(inventoryQuery(asOf ? { asOf } : {}, s3.at)),
    });
    const rebuilt = await rows(b.db);

    // Reads restored: the next complete snapshot resolves it.
    await sim.clearFaults(cluster.spec.name);
    sim.advanceBy(HOUR);
    const s4 = await collect(a.db);
    const [resolved] = await findingsOf(a.db, fixed, "PS001");
    assert.equal(resolved?.resolvedAt?.getTime(), s4.at.getTime());
    assert.equal(resolved?.lastSeenSnapshotId, s2.id);

    const asOf = await rows(a.db, s3.at);
    assert.ok(rebuilt.inventory.length > 100 && rebuilt.findings.length > 100);
    assert.deepEqual(asOf.inventory, rebuilt.inventory);
    assert.deepEqual(asOf.findings, rebuilt.findings);
  });

  it("a pull failure that flickers within the hysteresis window is one finding, opened at its first failed pull", async () => {
    const w = pick([], (c) => c.tag !== "latest" && c.tag !== "main");
    const original = w.containers[0]?.tag as string;
    const watcher = new EventWatcher(a.db, clients[0] as ClusterClient);
    const failing = async () => {
      rollout(w, (c) => retag(c, "0.0.0-missing", true));
      sim.advanceBy(10 * MINUTE);
      await watcher.start(); // lists the live events: the failed pulls
      await watcher.stop();
    };
    await failing();
    const s1 = await collect(a.db);
    const [first] = await findingsOf(a.db, w, "PS009");
    assert.ok(first, "PS009 opened");
    assert.equal(first.openedFrom, "pull-events");
    assert.ok(first.openedAt < s1.at && first.openedAt.getTime() >= s1.at.getTime() - 11 * MINUTE);

    rollout(w, (c) => retag(c, original));
    sim.advanceBy(2 * HOUR);
    const s2 = await collect(a.db);
    const [clearing] = await findingsOf(a.db, w, "PS009");
    assert.equal(clearing?.resolvedAt, null);
    assert.equal(clearing?.clearingSince?.getTime(), s2.at.getTime());

    sim.advanceBy(12 * HOUR);
    await failing();
    await collect(a.db);
    const again = await findingsOf(a.db, w, "PS009");
    assert.equal(again.length, 1, "one finding, not two");
    assert.equal(again[0]?.id, first.id);
    assert.equal(again[0]?.openedAt.getTime(), first.openedAt.getTime());
    assert.equal(again[0]?.clearingSince, null);

    // Fixed for good: clearing, then resolved once the window has passed without it.
    rollout(w, (c) => retag(c, original));
    sim.advanceBy(HOUR);
    const gone = await collect(a.db);
    for (let elapsed = 24; elapsed < RUNTIME_RESOLVE_HOURS; elapsed += 24) {
      sim.advanceBy(24 * HOUR);
      await collect(a.db);
      const [f] = await findingsOf(a.db, w, "PS009");
      assert.equal(f?.resolvedAt, null, `still clearing after ${elapsed} h`);
    }
    sim.advanceBy(24 * HOUR);
    const last = await collect(a.db);
    const [done] = await findingsOf(a.db, w, "PS009");
    assert.equal(done?.resolvedAt?.getTime(), last.at.getTime());
    assert.equal(done?.clearingSince?.getTime(), gone.at.getTime());
  });
});
