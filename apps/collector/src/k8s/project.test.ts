import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { DEFAULT_PROFILES, policySource } from "@pullsight/core";
import { Simulator } from "@pullsight/k8s-sim";
import fc from "fast-check";
import { buildClusterFacts } from "../facts.ts";
import { createClusterClient, loadKubeConfig } from "./client.ts";
import { KINDS } from "./kinds.ts";
import { projectObject } from "./project.ts";
import { listAll, type RawSnapshot, readCluster } from "./reader.ts";

describe("projection of listed objects", () => {
  let sim: Simulator;
  before(async () => {
    sim = await Simulator.start({ clusters: 1, podsPerCluster: 300, seed: 5 });
  });
  after(() => sim.stop());
  /** The real client, through a kubeconfig file, for the simulator's cluster. */
  const clientOfFirstCluster = () => {
    const kubeconfig = path.join(mkdtempSync(path.join(tmpdir(), "project-")), "kubeconfig");
    writeFileSync(kubeconfig, sim.kubeconfig());
    const name = sim.clusters[0]?.name as string;
    return createClusterClient(name, loadKubeConfig({ kind: "kubeconfig", path: kubeconfig, context: name }));
  };

  it("facts from projected objects equal the facts from whole objects, at a fraction of the size", async () => {
    const client = clientOfFirstCluster();
    const projected = await readCluster(client, { pageSize: 100 });
    assert.deepEqual(projected.failures, []);
    // The same lists read whole (Secrets stay metadata-only: the projected read's are reused).
    const whole: RawSnapshot = { ...projected, objects: { secrets: projected.objects.secrets ?? [] } };
    for (const kind of KINDS)
      if (!kind.metadataOnly)
        whole.objects[kind.key] = (await listAll(client, kind.path, { pageSize: 100 })).items;
    // Meanwhile nothing changed: the simulator's clock only moves when told.
    for (const kind of KINDS)
      assert.equal(whole.objects[kind.key]?.length, projected.objects[kind.key]?.length, kind.key);
    assert.deepEqual(
      buildClusterFacts(projected, DEFAULT_PROFILES),
      buildClusterFacts(whole, DEFAULT_PROFILES),
    );
    // The simulator's pods are lean (no managedFields, conditions, env, probes or volumes): whole,
    // about 1.7 kB each, where a real pod is 5-10 kB. The projection keeps about half of them,
    // their resourceVersions included (what lets the next snapshot reuse an unchanged pod's facts).
    const size = (o: RawSnapshot) => JSON.stringify(o.objects.pods).length;
    assert.ok(size(projected) < 0.55 * size(whole), `pods: ${size(projected)} of ${size(whole)} bytes`);
  });

  it("keeps nothing of a Secret but its name: kubectl's last-applied copy of its data never reaches what the reader holds", async () => {
    const client = clientOfFirstCluster();
    // What the API server hands a metadata-only list: the annotation, with the data inside.
    const raw = (
      await client.getJson<{ items: RawSnapshot["objects"]["secrets"] & object }>("/api/v1/secrets", {
        accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
      })
    ).items;
    const secretData = raw.map((s) => {
      const annotations = (s.metadata.annotations ?? {}) as Record<string, string>;
      const applied = JSON.parse(annotations["kubectl.kubernetes.io/last-applied-configuration"] ?? "{}");
      return applied.data?.[".dockerconfigjson"] as string;
    });
    assert.ok(
      secretData.length > 0 && secretData.every(Boolean),
      "the simulator's Secrets carry kubectl's copy",
    );
    const read = await readCluster(client, { pageSize: 100 });
    assert.equal(read.objects.secrets?.length, raw.length);
    for (const s of read.objects.secrets ?? [])
      assert.deepEqual(Object.keys(s.metadata).sort(), ["name", "namespace", "uid"]);
    // Everything the reader returns (and so everything it keeps): no trace of any secret's data.
    const held = JSON.stringify(read);
    for (const data of secretData) assert.ok(!held.includes(data), "a secret's data is held");
    assert.ok(!held.includes("dockerconfigjson"));
  });

  it("keeps every input of a policy's source, for any object (fast-check)", () => {
    const name = fc.constantFrom("app", "sidecar", "init", "volume/app", "volume/models");
    const container = fc.record(
      {
        name,
        image: fc.constantFrom("nginx", "nginx:latest", "ghcr.io/a/b:1.2.3", `x@sha256:${"a".repeat(64)}`),
        imagePullPolicy: fc.constantFrom("Always", "IfNotPresent", "Never"),
        env: fc.anything(),
      },
      { requiredKeys: ["name"] },
    );
    const volume = fc.record(
      {
        name: fc.constantFrom("app", "models"),
        image: fc.oneof(
          fc.record(
            {
              reference: fc.constantFrom("models:latest", "ghcr.io/a/weights:v1"),
              pullPolicy: fc.constantFrom("Always", "IfNotPresent", "Never"),
            },
            { requiredKeys: [] },
          ),
          fc.anything(),
        ),
        emptyDir: fc.anything(),
      },
      { requiredKeys: ["name"] },
    );
    const podSpec = fc.record(
      {
        containers: fc.oneof(fc.array(container, { maxLength: 3 }), fc.anything()),
        initContainers: fc.array(container, { maxLength: 2 }),
        volumes: fc.oneof(fc.array(volume, { maxLength: 3 }), fc.anything()),
      },
      { requiredKeys: [] },
    );
    const fields = (n: string) =>
      fc.record({
        "f:spec": fc.record({
          "f:template": fc.record({
            "f:spec": fc.record({
              "f:containers": fc.dictionary(
                fc.constantFrom(`k:{"name":"${n}"}`, "k:garbage", "f:x"),
                fc.oneof(fc.record({ "f:imagePullPolicy": fc.constant({}) }), fc.constant({})),
              ),
              "f:volumes": fc.dictionary(
                fc.constantFrom(`k:{"name":"${n}"}`, `k:{"name":"models"}`, "k:garbage"),
                fc.oneof(
                  fc.record({
                    "f:image": fc.record({ "f:pullPolicy": fc.constant({}) }, { requiredKeys: [] }),
                  }),
                  fc.constant({}),
                ),
              ),
            }),
          }),
        }),
      });
    const entry = fc.record({
      manager: fc.oneof(fc.constantFrom("kubectl", "helm", "argocd"), fc.anything()),
      operation: fc.constantFrom("Apply", "Update", "Other"),
      fieldsV1: fc.oneof(fields("app"), fields("sidecar"), fc.anything()),
    });
    const lastApplied = fc.oneof(
      podSpec.map((s) => JSON.stringify({ spec: { template: { spec: s } } })),
      fc.string(),
    );
    const object = fc.record(
      {
        metadata: fc.record(
          {
            name: fc.string(),
            annotations: fc.record(
              { "kubectl.kubernetes.io/last-applied-configuration": lastApplied, other: fc.string() },
              { requiredKeys: [] },
            ),
            managedFields: fc.oneof(fc.array(entry, { maxLength: 4 }), fc.anything()),
            resourceVersion: fc.string(),
          },
          { requiredKeys: [] },
        ),
        spec: fc.oneof(
          podSpec,
          fc.record({ template: fc.record({ spec: podSpec }), replicas: fc.nat() }),
          fc.record({
            jobTemplate: fc.record({ spec: fc.record({ template: fc.record({ spec: podSpec }) }) }),
          }),
          fc.anything(),
        ),
        status: fc.anything(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(object, name, (o, n) => {
        assert.deepEqual(policySource(projectObject(o), n), policySource(o, n));
      }),
      { numRuns: 2000 },
    );
  });
});
