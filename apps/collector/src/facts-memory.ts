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
//
// When the lists are kept by watches (k8s/mirror.ts), an object that did not change is the same
// JavaScript object from one snapshot to the next. A workload whose objects are all the very ones
// it was built from, in a snapshot whose cluster-wide inputs (namespaces, ServiceAccounts, which
// secrets exist, shared nodes, kubelet readings) are as they were, and whose images' evidence and
// pods' failure starts read the same, has the same key: it is recalled without building its scope
// or its key at all.
import { createHash } from "node:crypto";
import {
  type ReferenceRules,
  type SpecContainer,
  tryParseImageReference,
  type WorkloadGroup,
} from "@pullsight/core";
import { type PullFailureStart, type UnchangedContainer, unchangedOf } from "@pullsight/db";
import type { ContainerRecord, PullStatsInput, WorkloadScope } from "./container-record.ts";
import type { RawObject } from "./k8s/reader.ts";

interface Entry {
  /** The workload's key, hashed: the key itself names every pod's version and would outweigh the rest. */
  key: string;
  containers: UnchangedContainer[];
  /** What it was built from, kept only when its objects come from watched lists (see above). */
  from?: Sources;
}

/** The objects a workload was built from and the evidence of its images and pods, as its key read them. */
export interface Sources extends KeyParts {
  obj: RawObject | null;
  pods: readonly RawObject[];
  serviceAccount: string | null;
}

/** A workload recalled without being built: what the writer reads of it, and its ServiceAccount. */
export interface Recalled {
  containers: UnchangedContainer[];
  serviceAccount: string | null;
}

const hashed = (key: string) => createHash("sha1").update(key).digest("base64");

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
  /** The cluster-wide inputs of the snapshot `last` was written in, and of the one being built. */
  private context: readonly unknown[] | null = null;
  private nextContext: readonly unknown[] | null = null;
  /** Whether this snapshot's cluster-wide inputs are those `last` was built with. */
  private sameContext = false;
  /** The snapshot `last` was written in; null: there is nothing to build on. */
  private writtenIn: string | null = null;
  /** Workloads recalled and built in the latest snapshot. */
  reused = 0;
  built = 0;
  /** Of the recalled, those recalled by their very objects (watched lists), without a key. */
  reusedByObjects = 0;

  /**
   * Starts a snapshot; `shared` is what every workload's records depend on. `context`: with watched
   * lists, the cluster-wide inputs (lists by identity, the rest by value) that let a workload built
   * from the very same objects be recalled without its key; none: every workload needs its key.
   */
  begin(shared: string, context?: readonly unknown[]) {
    if (shared !== this.shared || this.writtenIn === null) this.last.clear();
    this.sameContext =
      !!context &&
      !!this.context &&
      context.length === this.context.length &&
      context.every((part, i) => part === this.context?.[i]);
    this.nextContext = context ?? null;
    this.shared = shared;
    this.next = new Map();
    this.reused = 0;
    this.built = 0;
    this.reusedByObjects = 0;
  }

  /** What the writer reads of the workload's containers when `key` is as last written, else undefined. */
  recall(identity: string, key: string | null, from?: Sources): UnchangedContainer[] | undefined {
    const known = key === null ? undefined : this.last.get(identity);
    if (!known || known.key !== hashed(key as string)) return undefined;
    this.reused++;
    // What it is built from now (new objects with the same versions, after a list read again).
    const { from: _before, ...entry } = known;
    this.next.set(identity, from && this.nextContext ? { ...entry, from } : entry);
    return known.containers;
  }

  /**
   * The workload as last written when it consists of the very objects it was built from and its
   * images' and pods' parts of the key read the same (`same` tells), else undefined.
   */
  recallSame(
    identity: string,
    w: WorkloadGroup<RawObject>,
    same: (from: Sources) => boolean,
  ): Recalled | undefined {
    if (!this.sameContext) return undefined;
    const known = this.last.get(identity);
    const from = known?.from;
    if (!known || !from || from.obj !== w.obj || from.pods.length !== w.pods.length) return undefined;
    for (let i = 0; i < w.pods.length; i++) if (from.pods[i] !== w.pods[i]) return undefined;
    if (!same(from)) return undefined;
    this.reused++;
    this.reusedByObjects++;
    this.next.set(identity, known);
    return { containers: known.containers, serviceAccount: from.serviceAccount };
  }

  /**
   * Keeps what was built for the workload under `key` (null: never recalled), with what it was
   * built from when the snapshot's lists are watched (`from`; never kept otherwise: it would hold
   * the previous snapshot's objects).
   */
  keep(identity: string, key: string | null, containers: readonly ContainerRecord[], from?: Sources) {
    this.built++;
    if (key === null) return;
    this.next.set(identity, {
      key: hashed(key),
      containers: containers.map(unchangedOf),
      ...(from && this.nextContext ? { from } : {}),
    });
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
    this.context = this.nextContext;
  }

  /** The snapshot was not written, or not as this memory thought: nothing is recalled next time. */
  forget() {
    this.last = new Map();
    this.next = new Map();
    this.shared = null;
    this.context = null;
    this.nextContext = null;
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

/** The parts of a workload's key that are not its scope: its images' evidence and its pods' failure starts. */
export interface KeyParts {
  images: readonly string[];
  imageParts: readonly string[];
  failures: readonly string[];
}

/**
 * What a workload's container records were built from besides what every workload shares: its
 * objects' resourceVersions, its scope, and per container the pull statistics and registry answer
 * of its image (FactsMemory reuses the records while this is unchanged).
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
  const failuresOf = (w: WorkloadGroup<RawObject>) =>
    w.pods.map((p) => failuresByPod.get(`${w.namespace}/${p.metadata.name}`) ?? "");
  // Failure starts are few: a workload in a namespace without any, that had none, has none.
  const failingNamespaces = new Set([...failuresByPod.keys()].map((pod) => pod.slice(0, pod.indexOf("/"))));
  return {
    partsOf(w: WorkloadGroup<RawObject>, containers: readonly SpecContainer[]): KeyParts {
      const images = containers.map((c) => c.image);
      return { images, imageParts: images.map(imagePart), failures: failuresOf(w) };
    },
    /** Whether its images' evidence and its pods' failure starts read as when `from` was built. */
    same(w: WorkloadGroup<RawObject>, from: KeyParts): boolean {
      for (let i = 0; i < from.images.length; i++)
        if (imagePart(from.images[i] as string) !== from.imageParts[i]) return false;
      if (!failingNamespaces.has(w.namespace) && from.failures.every((f) => f === "")) return true;
      for (let i = 0; i < w.pods.length; i++) {
        const pod = w.pods[i] as RawObject;
        if ((failuresByPod.get(`${w.namespace}/${pod.metadata.name}`) ?? "") !== from.failures[i])
          return false;
      }
      return true;
    },
    /** The key; null: not reusable (an object without a resourceVersion). */
    keyOf(
      w: WorkloadGroup<RawObject>,
      scope: WorkloadScope,
      profile: string,
      parts: KeyParts,
    ): string | null {
      const versions = objectVersions(w.obj, w.pods);
      if (versions === null) return null;
      const head = JSON.stringify([
        versions,
        profile,
        scope.pullSecrets,
        scope.serviceAccountAnnotations,
        scope.sharedNodes,
        scope.sharedNodeVerification,
        scope.nodePulls,
        parts.failures,
      ]);
      // The same text as one JSON.stringify of the whole, with each image's part written once.
      return `${head.slice(0, -1)},[${parts.imageParts.join(",")}]]`;
    },
  };
}
