import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { probeTarget } from "@pullsight/core";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { REPOSITORIES, type SimRegistryServer, Simulator } from "@pullsight/k8s-sim";
import { collectFleet } from "../collect.ts";
import { simClients, writeSimKubeconfig } from "../testing.ts";
import { type ProbeOptions, probeImages, probeRound } from "./round.ts";

const GHCR = { username: "robot", password: "ghcr-secret" };
const ACME = { username: "ci", password: "acme-secret" };
/** Credentials the operator gave for acme's registry that no longer work (rotated, expired). */
const ACME_EXPIRED = { username: "ci", password: "last-years-secret" };
const TIMEOUT_MS = 800;

describe("registry prober against the simulator's registries", () => {
  let sim: Simulator;
  let registries: SimRegistryServer;
  let t: TestDatabase;
  let images: string[];
  const options = (over: Partial<ProbeOptions> = {}): ProbeOptions => ({
    prober: "test",
    endpoints: new Map(registries.registries.map((r) => [r, registries.endpoint(r)])),
    // Credentials for ghcr.io only: acme's private registry is probed anonymously.
    credentials: HELD,
    concurrency: 4,
    timeoutMs: TIMEOUT_MS,
    roundMs: 30_000,
    ...over,
  });
  let HELD = new Map([["ghcr.io", GHCR]]);
  const truthOf = (image: string) => {
    const target = probeTarget(image);
    assert.ok(target, image);
    return registries.truth(target.registry, target.repository, target.reference, HELD);
  };

  before(async () => {
    sim = await Simulator.start({ clusters: 2, podsPerCluster: 300, seed: 5 });
    registries = await sim.startRegistries();
    t = await createTestDatabase("probe");
    await collectFleet(t.db, simClients(sim, writeSimKubeconfig(sim)), {});
    images = (await t.db.containerFact.findMany({ where: { validTo: null }, select: { image: true } }))
      .map((f) => f.image)
      .filter((i) => probeTarget(i));
    registries.set("ghcr.io", { credentials: GHCR });
    registries.set("registry.acme.internal", { credentials: ACME });
  });
  after(async () => {
    await sim.stop();
    await t.drop();
  });

  it("finds what each registry holds: digests now, deleted tags, private repositories, a registry refusing", async () => {
    const nginx = REPOSITORIES.find((r) => r.written === "nginx");
    assert.ok(nginx);
    registries.deleteTag("library/nginx", "1.27.3");
    registries.set("quay.io", { mode: "refusing" });
    const report = await probeImages(images, options());
    assert.equal(report.answers.length, new Set(images).size, "one answer per distinct reference");
    for (const a of report.answers) {
      const truth = truthOf(a.image);
      assert.equal(a.outcome, truth.outcome, `${a.image}: ${a.detail}`);
      if (truth.outcome === "resolved") assert.equal(a.digest, truth.digest, a.image);
    }
    const outcomes = new Set(report.answers.map((a) => a.outcome));
    for (const o of ["resolved", "not-found", "unauthorized", "refused"])
      assert.ok(outcomes.has(o as never), o);
    const refused = report.answers.find((a) => a.outcome === "refused");
    assert.match(refused?.detail ?? "", /shutting down/);
    registries.set("quay.io", { mode: "ok" });
  });

  it("sends credentials only to their registry's token endpoint, and only Basic there", () => {
    const withCredentials = registries.requests.filter((r) => r.auth.startsWith("basic:"));
    assert.ok(withCredentials.length > 0);
    for (const r of withCredentials) {
      assert.equal(r.registry, "ghcr.io", `${r.method} ${r.path}`);
      assert.match(r.path, /\/token\?/);
    }
  });

  it("waits for Retry-After before asking a rate-limited registry again, and still gets every answer", async () => {
    registries.requests.length = 0;
    registries.set("docker.io", { rateLimit: { requests: 4, windowMs: 1000 } });
    const docker = images.filter((i) => probeTarget(i)?.registry === "docker.io").slice(0, 10);
    assert.ok(docker.length > 4, "enough Docker Hub references to be throttled");
    const report = await probeImages(docker, options());
    const round = report.rounds.find((r) => r.registry === "docker.io");
    assert.ok(round && round.throttled > 0, "the registry answered 429");
    assert.ok(round.retryAfterWaitMs > 0, "the lane waited");
    assert.equal(
      registries.requests.filter((r) => r.beforeRetryAfter).length,
      0,
      "no request before Retry-After",
    );
    for (const a of report.answers) assert.equal(a.outcome, truthOf(a.image).outcome, a.image);
    registries.set("docker.io", { rateLimit: { requests: 0 } });
  });

  it("marks what Retry-After pushes past the round as rate-limited instead of asking", async () => {
    registries.requests.length = 0;
    registries.set("docker.io", { rateLimit: { requests: 2, windowMs: 60_000 } });
    const docker = images.filter((i) => probeTarget(i)?.registry === "docker.io");
    const report = await probeImages(docker, options({ roundMs: 3000 }));
    assert.ok(report.answers.some((a) => a.outcome === "rate-limited"));
    assert.equal(report.answers.length, new Set(docker).size);
    assert.equal(
      registries.requests.filter((r) => r.beforeRetryAfter).length,
      0,
      "no request before Retry-After",
    );
    registries.set("docker.io", { rateLimit: { requests: 0 } });
  });

  it("a registry that hangs costs only its own lane: the others answer within one timeout", async () => {
    const hanging = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
    registries.set(hanging, { mode: "down" });
    const started = Date.now();
    const report = await probeImages(images, options({ breakerThreshold: 2 }));
    registries.set(hanging, { mode: "ok" });
    const ecr = report.answers.filter((a) => a.registry === hanging);
    assert.ok(ecr.length > 0);
    for (const a of ecr) assert.equal(a.outcome, "unreachable");
    for (const a of report.answers.filter((x) => x.registry !== hanging))
      assert.ok(
        a.probedAt.getTime() - started < TIMEOUT_MS,
        `${a.image} answered after ${a.probedAt.getTime() - started} ms`,
      );
  });

  it("stores answers, keeps the last conclusive one through an outage, and records a moved tag as a change", async () => {
    await probeRound(t.db, options());
    const stored = await t.db.registryAnswer.findMany();
    assert.equal(stored.length, new Set(images).size);
    const tagged = stored.find((a) => a.outcome === "resolved" && !a.reference.startsWith("sha256:"));
    assert.ok(tagged);
    registries.set(tagged.registry, { mode: "failing" });
    await probeRound(t.db, options());
    registries.set(tagged.registry, { mode: "ok" });
    const kept = await t.db.registryAnswer.findUniqueOrThrow({ where: { image: tagged.image } });
    assert.equal(kept.outcome, "resolved", "an outage does not erase what the registry said");
    assert.equal(kept.digest, tagged.digest);
    assert.equal(kept.attemptOutcome, "failing");

    const repo = REPOSITORIES.find((r) => tagged.repository === r.canonical.slice(r.registry.length + 1));
    assert.ok(repo);
    sim.tags.move(
      repo,
      tagged.reference === "latest" && !repo.tags.some((x) => x.tag === "latest") ? "" : tagged.reference,
    );
    await probeRound(t.db, options());
    const moved = await t.db.registryAnswer.findUniqueOrThrow({ where: { image: tagged.image } });
    assert.notEqual(moved.digest, tagged.digest, "the tag moved");
    assert.equal(
      moved.digest,
      truthOf(tagged.image).outcome === "resolved"
        ? (truthOf(tagged.image) as { digest: string }).digest
        : null,
    );
    const changes = await t.db.registryAnswerChange.findMany({
      where: { image: tagged.image },
      orderBy: { at: "asc" },
    });
    assert.deepEqual(
      changes.map((c) => c.digest),
      [tagged.digest, moved.digest],
    );
    const rounds = await t.db.registryProbeRound.count();
    assert.ok(rounds >= 3 * registries.registries.length - 3, `${rounds} rounds stored`);
  });
  it("findings: every latent pull failure and every moved tag the simulator's truth holds, with severity by certainty", async () => {
    registries.set("quay.io", { mode: "refusing" });
    HELD = new Map([
      ["ghcr.io", GHCR],
      ["registry.acme.internal", ACME_EXPIRED],
    ]);
    await probeRound(t.db, options());
    await collectFleet(t.db, simClients(sim, writeSimKubeconfig(sim)), {});
    let latentSeen = 0;
    let movedSeen = 0;
    for (const c of sim.clusters) {
      const uses = c.sim.truth().images.filter((u) => probeTarget(u.image));
      const key = (u: { namespace: string; kind: string; name: string; container: string }) =>
        `${u.namespace}/${u.kind}/${u.name}/${u.container}`;
      // Gone, refused, or denied to credentials the prober holds (an anonymous 401 says nothing).
      const latent = uses.filter((u) => {
        const outcome = truthOf(u.image).outcome;
        const held = HELD.has(probeTarget(u.image)?.registry ?? "");
        // Never never asks the registry; a pod already failing to pull is PS009's.
        if (u.policy === "Never" || u.waiting > 0) return false;
        return outcome === "not-found" || outcome === "refused" || (outcome === "unauthorized" && held);
      });
      const moved = uses.filter((u) => {
        const truth = truthOf(u.image);
        return (
          truth.outcome === "resolved" &&
          u.policy !== "Never" &&
          !u.image.includes("@") &&
          u.digests.length > 0 &&
          !u.digests.includes(truth.digest)
        );
      });
      const stored = async (ruleId: string) =>
        t.db.finding.findMany({ where: { cluster: { name: c.name }, ruleId, resolvedAt: null } });
      const ps019 = await stored("PS019");
      assert.deepEqual(
        ps019.map((f) => f.fingerprint.split("/").slice(1, 5).join("/")).sort(),
        latent.map(key).sort(),
        `${c.name} PS019`,
      );
      for (const f of ps019) {
        const use = latent.find((u) => key(u) === f.fingerprint.split("/").slice(1, 5).join("/"));
        const certain = use?.policy === "Always" || use?.pods === 0;
        const e = f.evidence as { pullCertain: boolean; pods: number; registryAnswer: { outcome: string } };
        assert.equal(e.pullCertain, certain, f.fingerprint);
        assert.equal(e.pods, use?.pods, `${f.fingerprint} pods`);
        assert.equal(e.registryAnswer.outcome, truthOf(use?.image ?? "").outcome, f.fingerprint);
        assert.ok(
          (certain ? ["critical", "medium"] : ["high", "low"]).includes(f.severity),
          `${f.fingerprint} ${f.severity}`,
        );
        assert.equal(f.openedFrom, "registry");
      }
      const ps020 = await stored("PS020");
      assert.deepEqual(
        ps020.map((f) => f.fingerprint.split("/").slice(1, 5).join("/")).sort(),
        moved.map(key).sort(),
        `${c.name} PS020`,
      );
      for (const f of ps020) {
        const use = moved.find((u) => key(u) === f.fingerprint.split("/").slice(1, 5).join("/"));
        const e = f.evidence as { registryDigest: string; runningDigests: { digest: string }[] };
        assert.equal(e.registryDigest, (truthOf(use?.image ?? "") as { digest: string }).digest);
        assert.deepEqual(e.runningDigests.map((r) => r.digest).sort(), use?.digests);
      }
      latentSeen += latent.length;
      movedSeen += moved.length;
    }
    assert.ok(
      latentSeen > 0 && movedSeen > 0,
      `the fleet has both (${latentSeen} latent, ${movedSeen} moved)`,
    );
  });
});
