import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { probeTarget } from "@pullsight/core";
import { fleetImagePullSecrets, type ImagePullSecretRef } from "@pullsight/db";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { type SimRegistryServer, Simulator } from "@pullsight/k8s-sim";
import { collectFleet } from "../collect.ts";
import { simClients, writeSimKubeconfig } from "../testing.ts";
import { type ProbeOptions, probeRound } from "./round.ts";

const ACME = "registry.acme.internal";
const GHCR = { username: "robot", password: "ghcr-secret" };

describe("registry prober with the clusters' pull Secrets (opt-in)", () => {
  let sim: Simulator;
  let registries: SimRegistryServer;
  let t: TestDatabase;
  let refs: ImagePullSecretRef[];
  const options = (over: Partial<ProbeOptions> = {}): ProbeOptions => ({
    prober: "test",
    endpoints: new Map(registries.registries.map((r) => [r, registries.endpoint(r)])),
    credentials: new Map([["ghcr.io", GHCR]]),
    concurrency: 4,
    timeoutMs: 2000,
    roundMs: 30_000,
    ...over,
  });
  /** The robot account a Secret holds, read from the simulator's own objects (not through the parser). */
  const account = (r: ImagePullSecretRef) => {
    const secret = sim.cluster(r.cluster).sim.store.get("/secrets", r.secret, r.namespace);
    return secret?.type === "kubernetes.io/dockerconfigjson"
      ? { username: "robot", password: String(secret.metadata.uid) }
      : null;
  };
  const accountsOf = (image: string) => {
    const out: Array<{ username: string; password: string }> = [];
    for (const r of refs.filter((x) => x.image === image)) {
      const a = account(r);
      if (a && !out.some((o) => o.password === a.password)) out.push(a);
    }
    return out;
  };

  before(async () => {
    sim = await Simulator.start({ clusters: 2, podsPerCluster: 300, seed: 5 });
    registries = await sim.startRegistries();
    t = await createTestDatabase("probe_secrets");
    await collectFleet(t.db, simClients(sim, writeSimKubeconfig(sim)), {});
    refs = await fleetImagePullSecrets(t.db);
  });
  after(async () => {
    await sim.stop();
    await t.drop();
  });

  it("asks with the credentials of the Secrets each reference's workloads name, the first that works, as the kubelet would", async () => {
    const acme = [
      ...new Set(refs.filter((r) => probeTarget(r.image)?.registry === ACME).map((r) => r.image)),
    ];
    assert.ok(acme.length >= 2, "private images pulled with Secrets");
    // One image's robots were rotated at the registry (their Secrets are stale); every other robot works.
    const stale = new Set(accountsOf(acme[0] as string).map((a) => a.password));
    const accepted = refs.map(account).filter((a) => a !== null && !stale.has(a.password));
    registries.set(ACME, { accounts: accepted as Array<{ username: string; password: string }> });
    registries.requests.length = 0;

    const report = await probeRound(
      t.db,
      options({ pullSecretsFrom: simClients(sim, writeSimKubeconfig(sim)) }),
    );
    const seen = { resolved: 0, refused: 0 };
    for (const a of report.answers.filter((x) => x.registry === ACME)) {
      const tries = accountsOf(a.image);
      const truth = registries.truthTrying(ACME, a.repository, a.reference, tries);
      assert.equal(a.outcome, truth.outcome, `${a.image}: ${a.detail}`);
      assert.equal(a.credentialed, tries.length > 0, a.image);
      if (truth.outcome === "resolved" && tries.length) seen.resolved++;
      if (truth.outcome === "unauthorized" && tries.length) {
        seen.refused++;
        assert.match(
          a.detail ?? "",
          /Secret [\w-]+\/[\w-]+ on [\w-]+/,
          "names the Secret whose credentials were refused",
        );
      }
    }
    assert.ok(seen.resolved > 0 && seen.refused > 0, JSON.stringify(seen));
    const stored = await t.db.registryAnswer.findUniqueOrThrow({ where: { image: acme[0] as string } });
    assert.deepEqual([stored.outcome, stored.credentialed], ["unauthorized", true]);

    // Each Secret's credentials go to its own registry's token endpoint only, in Basic.
    for (const r of registries.requests.filter((x) => x.auth.startsWith("basic:"))) {
      assert.ok([ACME, "ghcr.io"].includes(r.registry), `${r.registry} ${r.path}`);
      assert.match(r.path, /\/token\?/);
    }
    for (const reads of report.pullSecretReads ?? []) {
      const named = new Set(
        refs.filter((r) => r.cluster === reads.cluster).map((r) => `${r.namespace}/${r.secret}`),
      );
      const existing = [...named].filter((k) => {
        const [ns = "", name = ""] = k.split("/");
        return sim.cluster(reads.cluster).sim.store.get("/secrets", name, ns);
      });
      assert.equal(reads.read + reads.notPullSecret, existing.length, reads.cluster);
      assert.equal(reads.missing, named.size - existing.length, reads.cluster);
      assert.equal(reads.forbidden + reads.failed + reads.unreachable, 0);
    }
  });

  it("a cluster that forbids reading Secrets is counted, and its references are asked with what else is held", async () => {
    const tokens = Object.fromEntries(
      sim.clusters.map((c) => [c.name, sim.addToken(c.name, { forbid: ["secrets"] })]),
    );
    const kubeconfig = writeSimKubeconfig(sim, "probe-forbidden-");
    writeFileSync(kubeconfig, sim.kubeconfig({ tokens }));
    const report = await probeRound(t.db, options({ pullSecretsFrom: simClients(sim, kubeconfig) }));
    for (const reads of report.pullSecretReads ?? []) {
      assert.equal(reads.read, 0);
      assert.equal(
        reads.forbidden,
        new Set(refs.filter((r) => r.cluster === reads.cluster).map((r) => `${r.namespace}/${r.secret}`))
          .size,
      );
    }
    for (const a of report.answers.filter((x) => x.registry === ACME)) {
      assert.equal(a.credentialed, false, "no Secret read, no credentials held for this registry");
      assert.equal(a.outcome, registries.truth(ACME, a.repository, a.reference, new Map()).outcome, a.image);
    }
  });
});
