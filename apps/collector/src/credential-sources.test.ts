// Where each container's pulls get their credentials, compared with what the simulator generated:
// pull secrets on bare pods (admission copies the ServiceAccount's onto them), ServiceAccount pull
// secrets for controllers' pods, the node credential provider the default profile declares for ECR,
// and a ServiceAccount-token credential provider (KEP-4412) declared here for registry.acme.internal,
// which kubelets run from 1.34 on only, and call only for pods whose ServiceAccount carries the
// annotation the provider requires (the simulator binds half the namespaces' `app` ServiceAccounts).
// PS007 fires exactly where nothing supplies credentials to a private registry.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DEFAULT_PROFILES, type ProfilesFile, type PullCredentialSource } from "@pullsight/core";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator, serviceAccountAnnotations, WORKLOAD_IDENTITY_ANNOTATION } from "@pullsight/k8s-sim";
import { collectFleet } from "./collect.ts";
import type { ClusterClient } from "./k8s/client.ts";
import { simClients, writeSimKubeconfig } from "./testing.ts";

const TOKEN_REGISTRY = "registry.acme.internal";
const ECR = /\.dkr\.ecr\.[^.]+\.amazonaws\.com$/;
const PROFILES: ProfilesFile = {
  ...DEFAULT_PROFILES,
  profiles: [
    {
      name: "workload-identity",
      extends: "production",
      settings: {
        serviceAccountTokenRegistries: [TOKEN_REGISTRY],
        serviceAccountTokenAnnotations: [WORKLOAD_IDENTITY_ANNOTATION],
      },
    },
  ],
  assignments: [],
  defaultProfile: "workload-identity",
};

type SimCluster = Simulator["clusters"][number];

/** Token-registry containers on 1.34+ whose ServiceAccount lacks the annotation, keyed like the facts. */
const unannotated = new Set<string>();

/** What the simulator's model says each live container's pulls can use, keyed like the facts. */
function expectedSources({ name, gitVersion, sim }: SimCluster): Map<string, PullCredentialSource[]> {
  const minor = Number(/^v1\.(\d+)/.exec(gitVersion)?.[1]);
  const out = new Map<string, PullCredentialSource[]>();
  for (const w of sim.workloads) {
    const ns = sim.namespaces.find((n) => n.name === w.namespace);
    const secrets = ns?.serviceAccounts.get(w.serviceAccount) ?? [];
    const bound = !!ns && WORKLOAD_IDENTITY_ANNOTATION in serviceAccountAnnotations(ns, w.serviceAccount);
    for (const c of w.containers) {
      const sources: PullCredentialSource[] = [];
      if (secrets.length) sources.push(w.kind === "Pod" ? "pod-secret" : "service-account-secret");
      const registry = c.repo?.registry ?? "";
      if (ECR.test(registry)) sources.push("node-provider");
      const key = `${name}/${w.namespace}/${w.kind}/${w.name}/${c.type === "volume" ? `volume/${c.name}` : c.name}`;
      if (registry === TOKEN_REGISTRY && minor >= 34 && bound) sources.push("service-account-token");
      if (registry === TOKEN_REGISTRY && minor >= 34 && !bound && !sources.length) unannotated.add(key);
      out.set(key, sources.length ? sources : ["none"]);
    }
  }
  return out;
}

describe("credential sources per container, per Kubernetes version", () => {
  let sim: Simulator;
  let t: TestDatabase;
  let clients: ClusterClient[];

  before(async () => {
    sim = await Simulator.start({
      clusters: 2,
      podsPerCluster: 300,
      seed: 23,
      versions: ["v1.33.5", "v1.34.1"],
    });
    t = await createTestDatabase("credential_sources");
    clients = simClients(sim, writeSimKubeconfig(sim, "credentials-"));
  });
  after(async () => {
    await sim.stop();
    await t.drop();
  });

  it("records each container's sources as the simulator configured them, and PS007 only where there are none", async () => {
    const outcomes = await collectFleet(t.db, clients, {
      profiles: PROFILES,
      read: { now: () => new Date(sim.now) },
    });
    for (const o of outcomes) assert.equal(o.status, "complete", o.cluster);
    const facts = await t.db.containerFact.findMany({
      where: { validTo: null, workload: { deletedAt: null } },
      include: { workload: { include: { cluster: true } } },
    });
    const ps007 = new Map(
      (await t.db.finding.findMany({ where: { ruleId: "PS007", resolvedAt: null } })).map((f) => [
        `${f.workloadId}/${f.containerName}`,
        String((f.evidence as { message?: string }).message),
      ]),
    );
    const seen = new Map<string, number>();
    for (const cluster of sim.clusters) {
      const expected = expectedSources(cluster);
      const stored = facts.filter((f) => f.workload.cluster.name === cluster.name);
      assert.equal(stored.length, expected.size, `${cluster.name}: one fact per live container`);
      for (const f of stored) {
        const key = `${cluster.name}/${f.workload.namespace}/${f.workload.kind}/${f.workload.name}/${f.containerName}`;
        assert.deepEqual(f.credentialSources, expected.get(key), key);
        for (const s of f.credentialSources) seen.set(s, (seen.get(s) ?? 0) + 1);
        const unsupplied = f.credentialSources[0] === "none" && f.registryVisibility === "private";
        const message = ps007.get(`${f.workloadId}/${f.containerName}`);
        assert.equal(message !== undefined, unsupplied, `${key}: PS007`);
        if (unannotated.has(key))
          assert.match(
            message ?? "",
            /lacks the annotation iam\.acme\.example\/role/,
            `${key}: PS007 says why`,
          );
      }
    }
    assert.ok(unannotated.size > 0, "some token-registry pods lack the annotation");
    // Every source occurs, so none of the comparisons above is vacuous.
    for (const s of [
      "pod-secret",
      "service-account-secret",
      "node-provider",
      "service-account-token",
      "none",
    ])
      assert.ok((seen.get(s) ?? 0) > 0, `some container's pulls use ${s}`);
  });
});
