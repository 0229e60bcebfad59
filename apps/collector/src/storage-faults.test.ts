// A snapshot is visible complete, or not at all: checked by killing the collector while it
// writes, and by stopping PostgreSQL under it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { closeDb, type Db } from "@pullsight/db";
import { applyMigrations, ensureDatabase, freePort, startEmbeddedPostgres } from "@pullsight/db/bootstrap";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import { collectFleet } from "./collect.ts";
import { DbHandle } from "./db-handle.ts";
import { createClusterClient, loadKubeConfig } from "./k8s/client.ts";
import type { Logger } from "./log.ts";

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
    const dataDir = mkdtempSync(path.join(tmpdir(), "faults-pg-"));
    chmodSync(dataDir, 0o755);
    const port = await freePort();
    let server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg"), port });
    const url = server.url("pullsight");
    await ensureDatabase(url, "pullsight");
    await applyMigrations(url);
    // One connection: the slot a killed transaction leaks is the whole pool.
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
            stopped = new Promise((r) => setTimeout(r, 30)).then(() => server.stop());
        },
        warn() {},
        error() {},
      };
      const outcomes = await collectFleet(handle.db, [client], { log });
      const [outcome] = outcomes;
      await stopped;
      assert.ok(outcome, "an outcome, not a crash");
      server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg"), port });
      if (outcome.status === "failed") {
        assert.equal(outcome.failures[0]?.reason, "StorageError");
        // The defect DbHandle works around: the old client's only connection never came back.
        const stuck = await Promise.race([
          broken.$queryRaw`SELECT 1`.then(() => "answered"),
          new Promise((r) => setTimeout(() => r("stuck"), 2_000)),
        ]);
        assert.equal(
          stuck,
          "stuck",
          "the adapter leaked the connection (if this fails, DbHandle may be unneeded)",
        );
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
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
