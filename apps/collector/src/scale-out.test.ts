// Scale-out: one collector process per cluster, all writing to one PostgreSQL at once, as the
// in-cluster manifests run them. Three processes start together; the third is killed while it
// writes. The other two complete, without deadlocks, and the database holds exactly the
// simulator's truth for their clusters; the third cluster's snapshot is all or nothing, and its
// next run completes.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import { collectFleet } from "./collect.ts";
import { createClusterClient, loadKubeConfig } from "./k8s/client.ts";

const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));

interface Run {
  cluster: string;
  child: ChildProcess;
  output: string;
  exit: Promise<number | null>;
}

function collector(cluster: string, kubeconfig: string, url: string, killWhenWriting: boolean): Run {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", cli, "--once", "--kubeconfig", kubeconfig, "--context", cluster],
    { env: { ...process.env, DATABASE_URL: url }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const run: Run = {
    cluster,
    child,
    output: "",
    exit: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
  };
  const read = (d: Buffer) => {
    run.output += d;
    if (killWhenWriting && run.output.includes('"msg":"writing snapshot"') && child.exitCode === null)
      setTimeout(() => child.kill("SIGKILL"), 20);
  };
  child.stdout?.on("data", read);
  child.stderr?.on("data", read);
  return run;
}

describe("scale-out: one collector per cluster, one database", () => {
  let sim: Simulator;
  let t: TestDatabase;
  let kubeconfig: string;

  before(async () => {
    sim = await Simulator.start({ clusters: 3, podsPerCluster: 1500, seed: 19 });
    t = await createTestDatabase("scale_out");
    kubeconfig = path.join(mkdtempSync(path.join(tmpdir(), "scale-out-")), "kubeconfig");
    writeFileSync(kubeconfig, sim.kubeconfig());
  });
  after(async () => {
    await sim.stop();
    await t.drop();
  });

  /** The cluster's current containers as stored: what its latest complete snapshot says runs. */
  const storedContainers = (cluster: string) =>
    t.db.containerFact.count({
      where: { validTo: null, workload: { cluster: { name: cluster }, deletedAt: null } },
    });

  it("three processes write at once; a killed one leaves nothing partial and the others are whole", async () => {
    const [a, b, c] = sim.clusters.map((x) => x.name) as [string, string, string];
    const runs = [
      collector(a, kubeconfig, t.url, false),
      collector(b, kubeconfig, t.url, false),
      collector(c, kubeconfig, t.url, true),
    ];
    const codes = await Promise.all(runs.map((r) => r.exit));
    assert.deepEqual(codes.slice(0, 2), [0, 0], runs.map((r) => `${r.cluster}:\n${r.output}`).join("\n"));
    assert.ok(runs[2]?.output.includes("writing snapshot"), "the third was killed while writing");
    assert.notEqual(codes[2], 0, "the third did not finish");

    for (const name of [a, b]) {
      const snaps = await t.db.snapshot.findMany({ where: { cluster: { name } } });
      assert.deepEqual(
        snaps.map((s) => s.status),
        ["complete"],
        `${name}: one complete snapshot`,
      );
      const truth = sim.cluster(name).sim.truth();
      assert.equal(await storedContainers(name), truth.containers.total, `${name}: every container`);
      const rollups = await t.db.postureRollup.count({ where: { snapshotId: snaps[0]?.id } });
      assert.ok(rollups > 0, `${name}: its rollups`);
    }

    // The killed cluster: no snapshot and no rows, or (killed after the commit) all of them.
    const killed = await t.db.snapshot.findMany({ where: { cluster: { name: c } } });
    if (killed.length === 0) assert.equal(await storedContainers(c), 0, "no rows without their snapshot");
    else {
      assert.deepEqual(
        killed.map((s) => s.status),
        ["complete"],
      );
      assert.equal(await storedContainers(c), sim.cluster(c).sim.truth().containers.total);
    }

    const [next] = await collectFleet(t.db, [
      createClusterClient(c, loadKubeConfig({ kind: "kubeconfig", path: kubeconfig, context: c })),
    ]);
    assert.equal(next?.status, "complete");
    assert.equal(await storedContainers(c), sim.cluster(c).sim.truth().containers.total);
    // The other clusters are untouched by the third's runs.
    for (const name of [a, b])
      assert.equal(await storedContainers(name), sim.cluster(name).sim.truth().containers.total);
  });
});
