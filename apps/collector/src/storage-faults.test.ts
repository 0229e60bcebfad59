// A snapshot is visible complete, or not at all: checked by killing the collector while it
// writes, and by stopping PostgreSQL under it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { PULL_EVENT_REASONS } from "@pullsight/core";
import { closeDb, createDb, type Db } from "@pullsight/db";
import { applyMigrations, ensureDatabase, freePort, startEmbeddedPostgres } from "@pullsight/db/bootstrap";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import type { Logger } from "@pullsight/observe";
import { collectFleet } from "./collect.ts";
import { DbHandle } from "./db-handle.ts";
import { EventWatcher } from "./event-watch.ts";
import { createClusterClient, loadKubeConfig } from "./k8s/client.ts";
import { waitFor } from "./testing.ts";

const PULL_REASONS = new Set<string>(PULL_EVENT_REASONS);

const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));

/** Either nothing of a snapshot is stored, or the snapshot and all of its rows are. */
async function assertAllOrNothing(db: Db) {
  const snapshots = await db.snapshot.count();
  const facts = await db.containerFact.count();
  const workloads = await db.workload.count();
  const rollups = await db.postureRollup.count();
  if (snapshots === 0) {
    assert.deepEqual(
      { facts, workloads, rollups },
      { facts: 0, workloads: 0, rollups: 0 },
      "no rows without their snapshot",
    );
    return "rolled back";
  }
  const snap = await db.snapshot.findFirstOrThrow();
  assert.equal(snap.status, "complete");
  const stats = snap.stats as { rows?: { containerFacts: number } };
  assert.equal(facts, stats.rows?.containerFacts, "every row the snapshot reports is there");
  return "committed";
}

/** An embedded PostgreSQL of its own, to stop and start under a running collector. */
async function restartablePostgres() {
  const dataDir = mkdtempSync(path.join(tmpdir(), "faults-pg-"));
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const start = () => startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg"), port });
  let server = await start();
  const url = server.url("pullsight");
  await ensureDatabase(url, "pullsight");
  await applyMigrations(url);
  return {
    url,
    stop: () => server.stop(),
    restart: async () => {
      server = await start();
    },
    remove: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe("storage faults", () => {
  let sim: Simulator;
  let kubeconfig: string;
  before(async () => {
    sim = await Simulator.start({ clusters: 1, podsPerCluster: 3000, seed: 5 });
    kubeconfig = path.join(mkdtempSync(path.join(tmpdir(), "faults-")), "kubeconfig");
    writeFileSync(kubeconfig, sim.kubeconfig());
  });
  after(() => sim.stop());

  it("a collector killed while it writes leaves no partial snapshot, and the next run is complete", async () => {
    const t: TestDatabase = await createTestDatabase("killed");
    try {
      const child = spawn(process.execPath, ["--import", "tsx", cli, "--once", "--kubeconfig", kubeconfig], {
        env: { ...process.env, DATABASE_URL: t.url },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      const killed = new Promise<void>((resolve) => {
        child.stdout.on("data", (d) => {
          output += d;
          if (output.includes('"msg":"writing snapshot"') && child.exitCode === null) {
            setTimeout(() => child.kill("SIGKILL"), 20);
          }
        });
        child.once("exit", () => resolve());
      });
      await killed;
      assert.ok(output.includes("writing snapshot"), `the collector reached the write:\n${output}`);
      const outcome = await assertAllOrNothing(t.db);
      const [next] = await collectFleet(t.db, [
        createClusterClient(
          "prod-eu-1",
          loadKubeConfig({ kind: "kubeconfig", path: kubeconfig, context: "prod-eu-1" }),
        ),
      ]);
      assert.equal(next?.status, "complete", `after a kill that ${outcome}`);
      const truth = sim.cluster("prod-eu-1").sim.truth();
      assert.equal(await t.db.containerFact.count({ where: { validTo: null } }), truth.containers.total);
    } finally {
      await t.drop();
    }
  });

  it("PostgreSQL stopping mid-snapshot: the snapshot is not stored, nothing partial is visible, the next run succeeds", async () => {
    const pg = await restartablePostgres();
    const url = pg.url;
    // One connection: a slot a killed transaction leaked would be the whole pool.
    const handle = new DbHandle(url, { max: 1 });
    const broken = handle.db;
    try {
      const client = createClusterClient(
        "prod-eu-1",
        loadKubeConfig({ kind: "kubeconfig", path: kubeconfig, context: "prod-eu-1" }),
      );
      let stopped: Promise<void> | null = null;
      const log: Logger = {
        info(msg) {
          // Stop the server the moment the transaction starts.
          if (msg === "writing snapshot" && !stopped)
            stopped = new Promise((r) => setTimeout(r, 30)).then(() => pg.stop());
        },
        debug() {},
        warn() {},
        error() {},
        child: () => log,
      };
      const outcomes = await collectFleet(handle.db, [client], { log });
      const [outcome] = outcomes;
      await stopped;
      assert.ok(outcome, "an outcome, not a crash");
      await pg.restart();
      if (outcome.status === "failed") {
        assert.equal(outcome.failures[0]?.reason, "StorageError");
        // The snapshot's transaction runs on a pg connection of its own that is destroyed on
        // failure: the client's only connection slot comes back (under Prisma's interactive
        // transaction it leaked for good, which is why DbHandle exists).
        const answered = await Promise.race([
          broken.$queryRaw`SELECT 1`.then(() => "answered"),
          new Promise((r) => setTimeout(() => r("stuck"), 5_000)),
        ]);
        assert.equal(answered, "answered", "a storage failure cost the pool its connection");
        assert.equal(handle.renewAfter(outcomes), true);
        assert.equal(await assertAllOrNothing(handle.db), "rolled back");
      } else {
        assert.equal(handle.renewAfter(outcomes), false);
        assert.equal(await assertAllOrNothing(handle.db), "committed");
      }
      // The renewed client works once the database is back.
      const [again] = await collectFleet(handle.db, [client]);
      assert.equal(again?.status, "complete");
      assert.equal(
        await handle.db.containerFact.count({ where: { validTo: null } }),
        sim.cluster("prod-eu-1").sim.truth().containers.total,
      );
    } finally {
      // $disconnect alone would hang on the broken client: closeDb bounds the wait.
      await closeDb(broken, 2_000);
      await handle.close(2_000);
      await pg.remove();
    }
  });

  it("pull events that arrive while PostgreSQL is down are kept, then stored once each when it is back", async () => {
    const pg = await restartablePostgres();
    const db = createDb(pg.url, { max: 2 });
    const client = createClusterClient(
      "prod-eu-1",
      loadKubeConfig({ kind: "kubeconfig", path: kubeconfig, context: "prod-eu-1" }),
    );
    const watcher = new EventWatcher(db, client, { flushMs: 100 });
    const cluster = sim.cluster("prod-eu-1").sim;
    const since = sim.now - 60 * 60_000; // live at start
    try {
      await watcher.start();
      await pg.stop();
      sim.advanceBy(20 * 60_000); // pulls happen while the database is down
      const received = watcher.stats.received;
      await waitFor(() => watcher.stats.received > received && /./.test(watcher.stats.lastError ?? ""));
      await watcher.flush();
      assert.ok(watcher.stats.lastError, "the failed write is recorded");
      await pg.restart();
      const expected = cluster.events(since + 1).filter((e) => PULL_REASONS.has(e.reason));
      await waitFor(async () => {
        await watcher.flush();
        const rows = await db.pullEvent.findMany({ select: { uid: true, count: true } });
        const byUid = new Map(rows.map((r) => [r.uid, r.count]));
        return expected.every((e) => byUid.get(e.uid) === e.count);
      }, 30_000);
      const rows = await db.pullEvent.findMany({ select: { uid: true } });
      assert.equal(new Set(rows.map((r) => r.uid)).size, rows.length, "no event stored twice");
      assert.ok(expected.length > 50, `${expected.length} pull events`);
    } finally {
      await watcher.stop();
      await closeDb(db, 2_000);
      await pg.remove();
    }
  });
});
