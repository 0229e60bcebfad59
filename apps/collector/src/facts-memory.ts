// What a collector remembers of a cluster's previous snapshot, so that an unchanged workload is
// neither evaluated nor written again. Kubernetes gives an object a new resourceVersion on every
// write, spec or status, so a workload whose object and pods carry the resourceVersions they had
// last time has the same containers, policies and runtime state; its container records would be
// the same when everything else they were built from is equal too. That is the key: the
// workload's scope (pull secrets and whether they exist, ServiceAccount annotations, shared nodes
// and their credential checks, its nodes' kubelet counts, its profile's name) and, per container,
// the pull statistics of its image and registry, the registry's answer and the failure starts of
// its pods. What every workload
// shares (profiles, waivers, the cluster's version and labels, what was read) forgets everything
// when it changes. An object without a resourceVersion is never reused.
import { createHash } from "node:crypto";
import {
  type ReferenceRules,
  type SpecContainer,
  tryParseImageReference,
  type WorkloadGroup,
} from "@pullsight/core";
import type { PullFailureStart, UnchangedContainer } from "@pullsight/db";
import type { ContainerRecord, PullStatsInput, WorkloadScope } from "./facts.ts";
import type { RawObject } from "./k8s/reader.ts";

interface Entry {
  /** The workload's key, hashed: the key itself names every pod's version and would outweigh the rest. */
  key: string;
  containers: UnchangedContainer[];
}

const hashed = (key: string) => createHash("sha1").update(key).digest("base64");

/** What the writer and the rollups read of a built container (db's UnchangedContainer). */
export function unchangedOf(c: ContainerRecord): UnchangedContainer {
  return {
    name: c.name,
    imagePullPolicy: c.imagePullPolicy,
    policySource: c.policySource,
    tagKind: c.tagKind,
    registry: c.registry,
    compliant: c.compliant,
    findings: c.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, fingerprint: f.fingerprint })),
    ...(c.unevaluated?.length ? { unevaluated: c.unevaluated } : {}),
  };
}

/**
 * One cluster's memory, from one written snapshot to the next. A recalled workload is not built
 * again and not written again: the snapshot refers to the one it was last written in, and the
 * writer leaves its stored rows as they are (db's WorkloadInput.unchanged). So the memory keeps
 * only what the writer still reads of it, and nothing survives a snapshot that was not written.
 */
export class FactsMemory {
  private last = new Map<string, Entry>();
  private next = new Map<string, Entry>();
  private shared: string | null = null;
  /** The snapshot `last` was written in; null: there is nothing to build on. */
  private writtenIn: string | null = null;
  /** Workloads recalled and built in the latest snapshot. */
  reused = 0;
  built = 0;

  /** Starts a snapshot; `shared` is what every workload's records depend on. */
  begin(shared: string) {
    if (shared !== this.shared || this.writtenIn === null) this.last.clear();
    this.shared = shared;
    this.next = new Map();
    this.reused = 0;
    this.built = 0;
  }

  /** What the writer reads of the workload's containers when `key` is as last written, else undefined. */
  recall(identity: string, key: string | null): UnchangedContainer[] | undefined {
    const known = key === null ? undefined : this.last.get(identity);
    if (!known || known.key !== hashed(key as string)) return undefined;
    this.reused++;
    this.next.set(identity, known);
    return known.containers;
  }

  /** Keeps what was built for the workload under `key` (null: never recalled). */
  keep(identity: string, key: string | null, containers: readonly ContainerRecord[]) {
    this.built++;
    if (key !== null) this.next.set(identity, { key: hashed(key), containers: containers.map(unchangedOf) });
  }

  /** The snapshot recalled workloads refer to. */
  get base(): string | null {
    return this.reused > 0 ? this.writtenIn : null;
  }

  /** The snapshot was written as `snapshotId`: what this one kept is what it stored. */
  written(snapshotId: string) {
    this.last = this.next;
    this.next = new Map();
    this.writtenIn = snapshotId;
  }

  /** The snapshot was not written, or not as this memory thought: nothing is recalled next time. */
  forget() {
    this.last = new Map();
    this.next = new Map();
    this.shared = null;
    this.writtenIn = null;
  }
}

/** Every cluster's memory, by cluster name (one collector process keeps one). */
export class FleetFactsMemory {
  private readonly clusters = new Map<string, FactsMemory>();
  of(cluster: string): FactsMemory {
    let m = this.clusters.get(cluster);
    if (!m) {
      m = new FactsMemory();
      this.clusters.set(cluster, m);
    }
    return m;
  }
}

const resourceVersion = (o: RawObject) => {
  const rv = o.metadata.resourceVersion;
  return typeof rv === "string" && rv ? rv : null;
};

/** The workload's object and pods by uid and resourceVersion; null when one has no resourceVersion. */
export function objectVersions(obj: RawObject | null | undefined, pods: readonly RawObject[]): string | null {
  const parts: string[] = [];
  for (const o of obj ? [obj, ...pods] : pods) {
    const rv = resourceVersion(o);
    if (rv === null) return null;
    parts.push(`${o.metadata.uid ?? o.metadata.name}@${rv}`);
  }
  return parts.join(",");
}

/** Failure starts grouped by pod (namespace and name), as JSON: a workload's key names its pods'. */
export function failureStartsByPod(starts: ReadonlyMap<string, PullFailureStart>): Map<string, string> {
  const byPod = new Map<string, Array<[string, PullFailureStart]>>();
  for (const [k, v] of starts) {
    // Keys are namespace \0 pod \0 container [\0 image] (db's podContainerKey, podImageKey).
    const [ns, pod] = k.split("\u0000");
    const pk = `${ns}/${pod}`;
    let list = byPod.get(pk);
    if (!list) {
      list = [];
      byPod.set(pk, list);
    }
    list.push([k, v]);
  }
  return new Map(
    [...byPod].map(([pk, list]) => [pk, JSON.stringify(list.sort((a, b) => (a[0] < b[0] ? -1 : 1)))]),
  );
}

/**
 * What a workload's container records were built from besides what every workload shares: its
 * objects' resourceVersions, its scope, and per container the pull statistics and registry answer
 * of its image (FactsMemory reuses the records while this is unchanged). Null: not reusable.
 */
export function workloadKeys(pullStats: PullStatsInput | undefined, rules: ReferenceRules) {
  const failuresByPod = failureStartsByPod(pullStats?.failureStarts ?? new Map());
  const registries = new Map<string, string>();
  const registryOf = (image: string) => {
    let r = registries.get(image);
    if (r === undefined) {
      const ref = tryParseImageReference(image, rules);
      r = ref ? ref.domain || "docker.io" : "";
      registries.set(image, r);
    }
    return r;
  };
  // What a container's image brings to the key, as JSON: written once per image per snapshot.
  const imageParts = new Map<string, string>();
  const imagePart = (image: string) => {
    let part = imageParts.get(image);
    if (part === undefined) {
      part = JSON.stringify([
        image,
        pullStats?.byRegistry.get(registryOf(image)) ?? null,
        pullStats?.byImage.get(image) ?? null,
        pullStats?.registryAnswers?.get(image) ?? null,
      ]);
      imageParts.set(image, part);
    }
    return part;
  };
  return (
    w: WorkloadGroup<RawObject>,
    scope: WorkloadScope,
    profile: string,
    containers: SpecContainer[],
  ) => {
    const versions = objectVersions(w.obj, w.pods);
    if (versions === null) return null;
    const ns = w.namespace;
    const head = JSON.stringify([
      versions,
      profile,
      scope.pullSecrets,
      scope.serviceAccountAnnotations,
      scope.sharedNodes,
      scope.sharedNodeVerification,
      scope.nodePulls,
      w.pods.map((p) => failuresByPod.get(`${ns}/${p.metadata.name}`) ?? ""),
    ]);
    // The same text as one JSON.stringify of the whole, with each image's part written once.
    return `${head.slice(0, -1)},[${containers.map((c) => imagePart(c.image)).join(",")}]]`;
  };
}
