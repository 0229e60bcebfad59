// The collector image's files and command, run as its Deployment runs them: the bundle alone (no
// node_modules), as the least-privileged database role, migrations left to the migration step,
// against a Kubernetes API server. What it stores must be the simulator's fleet, and its log must
// be JSON lines that never show the database password. (The web image is what the end-to-end tests
// serve: e2e/support/image-server.ts.)
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ensureLoginRole, grantToUrlRole, withAdminClient, withCredentials } from "@pullsight/db/bootstrap";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import { assembleCollector, IMAGE_COMMANDS } from "../../../scripts/image.ts";
import { currentCounts } from "./testing.ts";

const PASSWORD = "image-test-Secret-4711";
// A role of this test's own: roles are shared by every database of the server the tests run on.
const ROLE = "pullsight_image_test";

function run(cmd: readonly string[], cwd: string, env: Record<string, string>) {
  const [bin, ...args] = cmd;
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(bin as string, args, { cwd, env: { PATH: process.env.PATH ?? "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the collector image", () => {
  let dir: string;
  let sim: Simulator;
  let t: TestDatabase;
  let appUrl: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "pullsight-collector-image-"));
    await assembleCollector(path.join(dir, "app"));
    sim = await Simulator.start({ clusters: 2, podsPerCluster: 30, seed: 7 });
    writeFileSync(path.join(dir, "kubeconfig"), sim.kubeconfig());
    t = await createTestDatabase("image");
    await withAdminClient(t.url, (c) => ensureLoginRole(c, ROLE, PASSWORD));
    appUrl = withCredentials(t.url, ROLE, PASSWORD);
    await grantToUrlRole(t.url, appUrl);
  });
  after(async () => {
    await sim?.stop();
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("holds one bundled module per command and nothing to install", () => {
    assert.deepEqual(readdirSync(path.join(dir, "app")).sort(), ["cli.mjs", "probe.mjs"]);
  });

  it("snapshots every cluster as the application role, logging JSON without the password", async () => {
    const out = await run(
      [...IMAGE_COMMANDS.collector, "--once", "--kubeconfig", path.join(dir, "kubeconfig")],
      path.join(dir, "app"),
      { DATABASE_URL: appUrl, PULLSIGHT_MIGRATE: "off", NODE_ENV: "production" },
    );
    assert.equal(out.code, 0, out.stderr || out.stdout);
    const lines = out.stdout.split("\n").filter(Boolean);
    const events = lines.map((l) => JSON.parse(l) as { msg: string; name: string });
    assert.ok(events.length > 0 && events.every((e) => e.name === "collector"), out.stdout);
    assert.ok(events.some((e) => e.msg === "collector started"));
    assert.ok(!`${out.stdout}${out.stderr}`.includes(PASSWORD), "the password appears in the log");

    for (const c of sim.clusters) {
      const truth = c.sim.truth().containers;
      const stored = await currentCounts(t.db, c.name);
      assert.equal(stored.total, truth.total, `${c.name} containers`);
      assert.deepEqual(stored.byPolicy, truth.byPolicy, `${c.name} by policy`);
    }
  });

  it("probes the registries of what it stored, with a mounted Docker config, as the application role", async () => {
    const registries = await sim.startRegistries();
    registries.set("ghcr.io", { credentials: { username: "robot", password: PASSWORD } });
    writeFileSync(
      path.join(dir, "config.json"),
      JSON.stringify({ auths: { "ghcr.io": { auth: Buffer.from(`robot:${PASSWORD}`).toString("base64") } } }),
    );
    const endpoints = registries.registries.flatMap((r) => ["--endpoint", `${r}=${registries.endpoint(r)}`]);
    const out = await run(
      [...IMAGE_COMMANDS.prober, "--once", "--docker-config", path.join(dir, "config.json"), ...endpoints],
      path.join(dir, "app"),
      { DATABASE_URL: appUrl, PULLSIGHT_MIGRATE: "off", NODE_ENV: "production" },
    );
    assert.equal(out.code, 0, out.stderr || out.stdout);
    assert.ok(!`${out.stdout}${out.stderr}`.includes(PASSWORD), "the password appears in the log");
    const answers = await t.db.registryAnswer.findMany();
    assert.ok(answers.length > 0);
    for (const a of answers) {
      const truth = registries.truth(
        a.registry,
        a.repository,
        a.reference,
        new Map([["ghcr.io", { username: "robot", password: PASSWORD }]]),
      );
      assert.equal(a.outcome, truth.outcome, a.image);
      if (truth.outcome === "resolved") assert.equal(a.digest, truth.digest, a.image);
    }
    assert.ok(answers.some((a) => a.registry === "ghcr.io" && a.outcome === "resolved" && a.credentialed));
  });
});
