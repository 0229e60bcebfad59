import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseImageReference } from "./image-reference.ts";
import { registryMatches, registryVisibility, type VisibilityLists } from "./registry.ts";

const vis = (image: string, lists?: VisibilityLists) => registryVisibility(parseImageReference(image), lists);
const only = (publicRegistries: string[], privateRegistries: string[] = []) => ({
  publicRegistries,
  privateRegistries,
});

describe("registry visibility", () => {
  it("knows well-known public registries, registries that need credentials, and not the rest", () => {
    for (const image of [
      "nginx",
      "bitnami/redis:7",
      "ghcr.io/org/app",
      "quay.io/prometheus/node-exporter",
      "registry.k8s.io/pause:3.10",
      "gcr.io/distroless/static:nonroot",
      "registry.istio.io/release/pilot:1.24.1",
      "docker.io/istio/proxyv2:1.24.1",
      "us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0",
      "gcr.io/k8s-staging-kueue/kueue:main",
    ]) {
      assert.equal(vis(image), "public", image);
    }
    for (const image of [
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api",
      "gcr.io/my-project/app",
      "localhost:5000/app",
      "myacr.azurecr.io/app",
      "europe-docker.pkg.dev/acme-prod/apps/api:1.0.0",
      "registry.acme.internal/payments/ledger:2.8.1",
      "10.0.4.12:5000/tools/debug",
      "registry.redhat.io/rhel9/postgresql-15",
    ]) {
      assert.equal(vis(image), "private", image);
    }
    for (const image of [
      "registry.example.com/team/app",
      "harbor.corp.example/app:1.0",
      "cr.example.org/x",
    ]) {
      assert.equal(vis(image), "unknown", image);
    }
  });

  it("uses the configured list, with path prefixes and one-label wildcards", () => {
    const lists = only(["registry.example.com/public"], ["registry.example.com"]);
    assert.equal(vis("registry.example.com/public/app", lists), "public");
    assert.equal(vis("registry.example.com/publicity/app", lists), "private");
    assert.equal(vis("other.example.com/app", lists), "unknown");
    assert.ok(registryMatches("*.azurecr.io", "myacr.azurecr.io", "app"));
    assert.ok(!registryMatches("*.azurecr.io", "a.b.azurecr.io", "app"));
    assert.ok(registryMatches("*.dkr.ecr.*.amazonaws.com", "1234.dkr.ecr.us-east-1.amazonaws.com", "x"));
  });
});
