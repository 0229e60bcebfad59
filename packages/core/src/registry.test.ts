import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseImageReference } from "./image-reference.ts";
import { registryMatches, registryVisibility } from "./registry.ts";

const vis = (image: string, list?: string[]) => registryVisibility(parseImageReference(image), list);

describe("registry visibility", () => {
  it("treats well-known public registries as public, everything else as private", () => {
    for (const image of [
      "nginx",
      "bitnami/redis:7",
      "ghcr.io/org/app",
      "quay.io/prometheus/node-exporter",
      "registry.k8s.io/pause:3.10",
      "gcr.io/distroless/static:nonroot",
    ]) {
      assert.equal(vis(image), "public", image);
    }
    for (const image of [
      "registry.example.com/team/app",
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api",
      "gcr.io/my-project/app",
      "localhost:5000/app",
      "myacr.azurecr.io/app",
    ]) {
      assert.equal(vis(image), "private", image);
    }
  });

  it("uses the configured list, with path prefixes and one-label wildcards", () => {
    assert.equal(vis("registry.example.com/public/app", ["registry.example.com/public"]), "public");
    assert.equal(vis("registry.example.com/publicity/app", ["registry.example.com/public"]), "private");
    assert.ok(registryMatches("*.azurecr.io", "myacr.azurecr.io", "app"));
    assert.ok(!registryMatches("*.azurecr.io", "a.b.azurecr.io", "app"));
    assert.ok(registryMatches("*.dkr.ecr.*.amazonaws.com", "1234.dkr.ecr.us-east-1.amazonaws.com", "x"));
  });
});
