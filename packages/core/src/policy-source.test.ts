import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { imageVolumeKey } from "./pod-spec.ts";
import { findContainer, policySource } from "./policy-source.ts";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

function deployment(opts: {
  image: string;
  policy: string;
  lastApplied?: unknown;
  managedFields?: unknown[];
}) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "api",
      namespace: "shop",
      annotations: opts.lastApplied ? { [LAST_APPLIED]: JSON.stringify(opts.lastApplied) } : {},
      managedFields: opts.managedFields ?? [],
    },
    spec: {
      replicas: 2,
      template: {
        metadata: { labels: { app: "api" } },
        spec: {
          initContainers: [{ name: "migrate", image: "app:1.2.3", imagePullPolicy: "IfNotPresent" }],
          containers: [{ name: "app", image: opts.image, imagePullPolicy: opts.policy }],
        },
      },
    },
  };
}

const applied = (container: Record<string, unknown>) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api", namespace: "shop" },
  spec: { template: { spec: { containers: [{ name: "app", ...container }] } } },
});

const ssa = (manager: string, operation: "Apply" | "Update", containerFields: Record<string, unknown>) => ({
  manager,
  operation,
  apiVersion: "apps/v1",
  time: "2026-11-01T10:00:00Z",
  fieldsType: "FieldsV1",
  fieldsV1: {
    "f:spec": {
      "f:template": {
        "f:spec": { "f:containers": { 'k:{"name":"app"}': { ".": {}, "f:name": {}, ...containerFields } } },
      },
    },
  },
});

describe("policySource", () => {
  it("client-side apply that sets the policy: explicit", () => {
    const obj = deployment({
      image: "app:1.2.3",
      policy: "Always",
      lastApplied: applied({ image: "app:1.2.3", imagePullPolicy: "Always" }),
    });
    const r = policySource(obj, "app");
    assert.equal(r.source, "explicit");
    assert.match(r.evidence, /last-applied-configuration sets imagePullPolicy: Always/);
    assert.match(r.evidence, /default for app:1.2.3 would be IfNotPresent/);
  });

  it("client-side apply that omits the policy: defaulted", () => {
    const obj = deployment({
      image: "app:1.2.3",
      policy: "IfNotPresent",
      lastApplied: applied({ image: "app:1.2.3" }),
    });
    const r = policySource(obj, "app");
    assert.equal(r.source, "defaulted");
    assert.match(r.evidence, /omits imagePullPolicy/);
  });

  it("a leftover default from an earlier image: defaulted, and says so", () => {
    // Applied as :latest (defaulted to Always), later `kubectl set image` moved it to a version.
    const obj = deployment({
      image: "app:1.2.3",
      policy: "Always",
      lastApplied: applied({ image: "app:latest" }),
    });
    const r = policySource(obj, "app");
    assert.equal(r.source, "defaulted");
    assert.match(r.evidence, /leftover default from an earlier image \(app:latest\)/);
  });

  it("omitted by the last apply yet changed since, with no way to tell: unknown", () => {
    const obj = deployment({
      image: "app:1.2.3",
      policy: "Never",
      lastApplied: applied({ image: "app:1.2.3" }),
    });
    assert.equal(policySource(obj, "app").source, "unknown");
  });

  it("server-side apply owning imagePullPolicy: explicit, naming the manager", () => {
    const obj = deployment({
      image: "app:1.2.3",
      policy: "IfNotPresent",
      managedFields: [ssa("argocd-controller", "Apply", { "f:image": {}, "f:imagePullPolicy": {} })],
    });
    const r = policySource(obj, "app");
    assert.equal(r.source, "explicit");
    assert.match(r.evidence, /server-side apply by argocd-controller owns imagePullPolicy/);
    assert.match(r.evidence, /also what the API server would default to/);
  });

  it("server-side apply that sends the container without the policy: defaulted", () => {
    const obj = deployment({
      image: "app:1.2.3",
      policy: "IfNotPresent",
      managedFields: [
        ssa("kustomize-controller", "Apply", { "f:image": {} }),
        // The API server attributes defaulted fields to an Update manager: proves nothing.
        ssa("kube-controller-manager", "Update", { "f:imagePullPolicy": {} }),
      ],
    });
    const r = policySource(obj, "app");
    assert.equal(r.source, "defaulted");
    assert.match(r.evidence, /kustomize-controller sends this container without imagePullPolicy/);
  });

  it("only Update entries (helm 3, kubectl create): unknown, whatever they own", () => {
    const obj = deployment({
      image: "app:1.2.3",
      policy: "IfNotPresent",
      managedFields: [ssa("helm", "Update", { "f:image": {}, "f:imagePullPolicy": {} })],
    });
    const r = policySource(obj, "app");
    assert.equal(r.source, "unknown");
    assert.match(r.evidence, /matches the default/);
  });

  it("no evidence and a policy that differs from the default: unknown, says it was set or left over", () => {
    const r = policySource(deployment({ image: "app:1.2.3", policy: "Always" }), "app");
    assert.equal(r.source, "unknown");
    assert.match(r.evidence, /differs from the default .* set explicitly or left over/);
  });

  it("last-applied outranks managedFields", () => {
    const obj = deployment({
      image: "app:1.2.3",
      policy: "IfNotPresent",
      lastApplied: applied({ image: "app:1.2.3" }),
      managedFields: [ssa("someone", "Apply", { "f:imagePullPolicy": {} })],
    });
    assert.equal(policySource(obj, "app").source, "defaulted");
  });

  it("reads Pods, init containers and CronJobs", () => {
    const pod = {
      kind: "Pod",
      metadata: {
        annotations: {
          [LAST_APPLIED]: JSON.stringify({
            kind: "Pod",
            spec: {
              initContainers: [{ name: "init", image: "busybox", imagePullPolicy: "Always" }],
              containers: [],
            },
          }),
        },
      },
      spec: {
        initContainers: [{ name: "init", image: "busybox", imagePullPolicy: "Always" }],
        containers: [{ name: "c", image: "x:1", imagePullPolicy: "IfNotPresent" }],
      },
    };
    assert.equal(policySource(pod, "init").source, "explicit");
    const cron = {
      kind: "CronJob",
      metadata: {
        managedFields: [
          {
            manager: "kubectl",
            operation: "Apply",
            fieldsV1: {
              "f:spec": {
                "f:jobTemplate": {
                  "f:spec": {
                    "f:template": {
                      "f:spec": { "f:containers": { 'k:{"name":"job"}': { "f:imagePullPolicy": {} } } },
                    },
                  },
                },
              },
            },
          },
        ],
      },
      spec: {
        jobTemplate: {
          spec: {
            template: { spec: { containers: [{ name: "job", image: "job:1", imagePullPolicy: "Always" }] } },
          },
        },
      },
    };
    assert.equal(policySource(cron, "job").source, "explicit");
  });

  it("survives malformed objects and annotations", () => {
    assert.equal(policySource(null, "app").source, "unknown");
    assert.equal(policySource({ spec: {} }, "app").source, "unknown");
    assert.match(
      policySource(deployment({ image: "a:1", policy: "IfNotPresent" }), "nope").evidence,
      /no container named "nope"/,
    );
    const broken = deployment({ image: "a:1", policy: "IfNotPresent" });
    (broken.metadata.annotations as Record<string, string>)[LAST_APPLIED] = "{not json";
    assert.equal(policySource(broken, "app").source, "unknown");
  });
});

describe("findContainer", () => {
  const spec = {
    containers: [{ name: "app", image: "app:1.0.0" }],
    ephemeralContainers: [{ name: "app", image: "busybox:1.36" }],
  };
  it("addresses a container by list and name", () => {
    assert.equal(findContainer(spec, "app")?.list, "containers");
    assert.equal(findContainer(spec, "app", "ephemeralContainers")?.container.image, "busybox:1.36");
    assert.equal(findContainer(spec, "app", "initContainers"), null);
  });
});

describe("image volumes (spec.volumes[].image)", () => {
  const volumePod = (pullPolicy: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "infer", namespace: "ml", ...extra },
    spec: {
      containers: [{ name: "models", image: "app:1.0.0", imagePullPolicy: "IfNotPresent" }],
      volumes: [
        { name: "scratch", emptyDir: {} },
        { name: "models", image: { reference: "registry.example.com/models:latest", pullPolicy } },
      ],
    },
  });

  it("finds a volume by its key, never the container of the same name", () => {
    const spec = volumePod("Always").spec;
    assert.equal(findContainer(spec, imageVolumeKey("models"))?.list, "volumes");
    assert.equal(findContainer(spec, "models")?.list, "containers");
    assert.equal(findContainer(spec, imageVolumeKey("scratch")), null, "an emptyDir is not an image volume");
  });

  it("client-side apply that sets image.pullPolicy: explicit; that omits it: defaulted", () => {
    const lastApplied = (image: Record<string, unknown>) => ({
      [LAST_APPLIED]: JSON.stringify({ spec: { volumes: [{ name: "models", image }] } }),
    });
    const set = volumePod("IfNotPresent", {
      annotations: lastApplied({
        reference: "registry.example.com/models:latest",
        pullPolicy: "IfNotPresent",
      }),
    });
    const r = policySource(set, imageVolumeKey("models"), "volumes");
    assert.equal(r.source, "explicit");
    assert.match(r.evidence, /sets image\.pullPolicy: IfNotPresent/);
    assert.match(r.evidence, /default for registry\.example\.com\/models:latest would be Always/);
    const omitted = volumePod("Always", {
      annotations: lastApplied({ reference: "registry.example.com/models:latest" }),
    });
    const d = policySource(omitted, imageVolumeKey("models"), "volumes");
    assert.equal(d.source, "defaulted");
    assert.match(d.evidence, /omits image\.pullPolicy: the API server defaulted it/);
  });

  it("server-side apply: owning f:image/f:pullPolicy is explicit, owning only f:reference is defaulted", () => {
    const managed = (image: Record<string, unknown>) => ({
      managedFields: [
        {
          manager: "argocd-controller",
          operation: "Apply",
          fieldsV1: { "f:spec": { "f:volumes": { 'k:{"name":"models"}': { ".": {}, "f:image": image } } } },
        },
      ],
    });
    const owned = volumePod("Always", managed({ "f:reference": {}, "f:pullPolicy": {} }));
    const e = policySource(owned, imageVolumeKey("models"));
    assert.equal(e.source, "explicit");
    assert.match(e.evidence, /argocd-controller owns image\.pullPolicy/);
    const sent = volumePod("Always", managed({ "f:reference": {} }));
    const d = policySource(sent, imageVolumeKey("models"));
    assert.equal(d.source, "defaulted");
    assert.match(d.evidence, /sends this image volume without image\.pullPolicy/);
  });

  it("names a missing image volume as such", () => {
    const r = policySource(volumePod("Always"), imageVolumeKey("weights"));
    assert.equal(r.source, "unknown");
    assert.match(r.evidence, /no image volume named "weights"/);
  });
});
