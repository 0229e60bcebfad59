// Test fixtures: a snapshot's input with every part a test does not look at filled in, so that a
// test says only what it varies.
import type { ContainerInput, SnapshotInput, WorkloadInput } from "../ingest/snapshot.ts";

/** A container pulling `image` IfNotPresent by a full version tag, with no finding, unless overridden. */
export function containerInput(image: string, overrides: Partial<ContainerInput> = {}): ContainerInput {
  return {
    name: "app",
    type: "container",
    image,
    registry: "docker.io",
    repository: "library/nginx",
    tag: "1",
    digest: null,
    tagKind: "full-version",
    registryVisibility: "public",
    imagePullPolicy: "IfNotPresent",
    policySource: "explicit",
    policyEvidence: "spec",
    pullSecrets: [],
    credentialSources: ["none"],
    factHash: image,
    running: [],
    findings: [],
    compliant: true,
    ...overrides,
  };
}

/** A Deployment `namespace/name` with these containers. */
export function workloadInput(namespace: string, name: string, containers: ContainerInput[]): WorkloadInput {
  return {
    namespace,
    kind: "Deployment",
    name,
    uid: `${namespace}/${name}`,
    serviceAccount: null,
    labels: {},
    containers,
  };
}

/** A complete snapshot of `cluster` (Deployments, runtime data) that finished at `at` (ms). */
export function snapshotInput(
  cluster: string,
  at: number,
  workloads: WorkloadInput[],
  overrides: Partial<SnapshotInput> = {},
): SnapshotInput {
  return {
    cluster: { name: cluster, server: null, kubernetesVersion: null },
    startedAt: new Date(at - 1000),
    finishedAt: new Date(at),
    failures: [],
    collectorVersion: "test",
    rulesVersion: "test",
    workloads,
    namespaces: [],
    completeKinds: ["Deployment"],
    runtimeComplete: true,
    evaluableRules: [],
    ...overrides,
  };
}
