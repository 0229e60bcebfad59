import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RULES } from "@pullsight/core";
import fc from "fast-check";
import { parse } from "yaml";
import { concreteFix } from "./fix.ts";

const dnsLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,20}[a-z0-9])?$/);
const registry = fc.constantFrom(
  "docker.io",
  "ghcr.io",
  "quay.io",
  "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
  "localhost:5000",
);
const repository = fc.array(dnsLabel, { minLength: 1, maxLength: 3 }).map((parts) => parts.join("/"));
const digest = fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`);

describe("concreteFix", () => {
  it("names the container and its repository in every rule's snippet, and leaves no example image", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RULES.map((r) => r.fixYaml)),
        dnsLabel,
        registry,
        repository,
        fc.option(digest, { nil: null }),
        (yaml, container, reg, repo, running) => {
          const out = concreteFix(yaml, {
            container,
            registry: reg,
            repository: repo,
            runningDigest: running,
          });
          assert.ok(!out.includes("registry.example.com"), out);
          if (/^\s*- name: /m.test(yaml)) assert.match(out, new RegExp(`^\\s*- name: ${container}$`, "m"));
          if (yaml.includes("registry.example.com/")) assert.ok(out.includes(`${reg}/${repo}`), out);
          if (running && yaml.includes("sha256:<digest>")) {
            assert.ok(out.includes(running));
            assert.ok(!out.includes("<digest>"));
          }
          // Only names, images and digests change: the snippet keeps its shape.
          assert.equal(out.split("\n").length, yaml.split("\n").length);
        },
      ),
    );
  });

  it("rewrites a container snippet for an image volume: volumes[].image with reference and pullPolicy", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RULES.map((r) => r.fixYaml).filter((y) => y.startsWith("containers:"))),
        dnsLabel,
        registry,
        repository,
        (yaml, volume, reg, repo) => {
          const out = concreteFix(yaml, { container: `volume/${volume}`, registry: reg, repository: repo });
          // The same reference and policy as the snippet made concrete for a container.
          const asContainer = concreteFix(yaml, { container: volume, registry: reg, repository: repo });
          const container = (parse(asContainer) as { containers: Array<Record<string, unknown>> })
            .containers[0];
          const parsed = parse(out) as { volumes: Array<{ name: string; image: Record<string, unknown> }> };
          assert.deepEqual(Object.keys(parsed), ["volumes"], out);
          const v = parsed.volumes[0];
          assert.equal(v?.name, volume, out);
          assert.equal(v?.image.reference, container?.image, out);
          assert.equal(v?.image.pullPolicy, container?.imagePullPolicy, out);
          assert.ok(!out.includes("imagePullPolicy:"), out);
        },
      ),
    );
  });

  it("fills kubectl commands with the namespace, the workload and a pod, and nothing else", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RULES.map((r) => r.fixYaml)),
        dnsLabel,
        dnsLabel,
        dnsLabel,
        (yaml, ns, name, pod) => {
          const out = concreteFix(yaml, {
            container: null,
            namespace: ns,
            workload: { kind: "StatefulSet", name },
            pod,
          });
          assert.ok(!/-n <namespace>|pod <pod>|deployment\/<name>/.test(out), out);
          if (yaml.includes("-n <namespace>")) assert.ok(out.includes(`-n ${ns}`), out);
          if (yaml.includes("pod <pod>")) assert.ok(out.includes(`pod ${pod}`), out);
          if (yaml.includes("deployment/<name>")) assert.ok(out.includes(`statefulset/${name}`), out);
          assert.equal(out.split("\n").length, yaml.split("\n").length);
        },
      ),
    );
  });

  it("leaves rollout restart alone for a workload it cannot restart", () => {
    const yaml = "kubectl -n <namespace> rollout restart deployment/<name>";
    const out = concreteFix(yaml, {
      container: null,
      namespace: "ns",
      workload: { kind: "CronJob", name: "nightly" },
    });
    assert.equal(out, "kubectl -n ns rollout restart deployment/<name>");
  });

  it("changes nothing when it knows nothing about the container", () => {
    for (const r of RULES) assert.equal(concreteFix(r.fixYaml, { container: null }), r.fixYaml);
  });
});
