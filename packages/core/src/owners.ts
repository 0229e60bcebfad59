// Which workload a pod belongs to: owner references are climbed through the controllers that were
// read (a ReplicaSet to its Deployment, a Job to its CronJob), so a workload is named the way its
// owners know it, whether the objects came from a live cluster or a set of manifests.

/** The part of a Kubernetes object that ownership reads. */
export interface OwnedObject {
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: unknown;
    annotations?: unknown;
    ownerReferences?: unknown;
  };
}

/** Controllers that own pods, outermost last: a CronJob owns Jobs, a Deployment owns ReplicaSets. */
export const CONTROLLER_KINDS = [
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "CronJob",
  "Job",
  "ReplicaSet",
] as const;

/** A workload as found: its object (when its kind was read, or the bare pod) and the pods it owns. */
export interface WorkloadGroup<O extends OwnedObject> {
  namespace: string;
  kind: string;
  name: string;
  obj: O | null;
  pods: O[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export const labelsOf = (o: OwnedObject): Record<string, string> =>
  isObj(o.metadata.labels) ? (o.metadata.labels as Record<string, string>) : {};

/** String-valued annotations (anything else in the map is ignored). */
export const annotationsOf = (o: OwnedObject): Record<string, string> =>
  isObj(o.metadata.annotations)
    ? Object.fromEntries(
        Object.entries(o.metadata.annotations).filter((e): e is [string, string] => typeof e[1] === "string"),
      )
    : {};

/** The owner reference marked as controller, if any. */
export function controllerOf(o: OwnedObject): Obj | undefined {
  const refs = o.metadata.ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  for (const r of refs) if (isObj(r) && r.controller === true) return r;
  return undefined;
}

interface Owner<O> {
  kind: string;
  name: string;
  obj?: O;
}

interface Controller<O> {
  kind: string;
  obj: O;
  /** The workload it belongs to (itself when nothing read owns it), once known. */
  top?: Owner<O>;
}

/** Resolves owner chains against the controllers that were read. */
function ownerResolver<O extends OwnedObject>(
  controllers: ReadonlyArray<{ kind: string; objects: readonly O[] }>,
) {
  const byUid = new Map<string, Controller<O>>();
  for (const { kind, objects } of controllers)
    for (const obj of objects) if (obj.metadata.uid) byUid.set(obj.metadata.uid, { kind, obj });

  // A controller's workload is resolved once for all its pods. It stands for itself while its own
  // owners are resolved, so owner references that form a cycle end there instead of looping.
  const workloadOf = (c: Controller<O>): Owner<O> => {
    if (c.top) return c.top;
    c.top = { kind: c.kind, name: c.obj.metadata.name, obj: c.obj };
    const above = topOwner(c.obj);
    if (above) c.top = above;
    return c.top;
  };

  /** The workload that owns an object; null when it is its own. */
  const topOwner = (obj: O): Owner<O> | null => {
    const ref = controllerOf(obj);
    if (!ref) return null;
    const owner = byUid.get(String(ref.uid));
    if (owner) return workloadOf(owner);
    // The owner's kind was not read: ReplicaSet names carry their Deployment's name.
    if (ref.kind === "ReplicaSet") {
      const hash = labelsOf(obj)["pod-template-hash"];
      const name = String(ref.name);
      if (hash && name.endsWith(`-${hash}`))
        return { kind: "Deployment", name: name.slice(0, -hash.length - 1) };
    }
    return { kind: String(ref.kind), name: String(ref.name) };
  };
  return topOwner;
}

/**
 * Workloads with their pods: every controller that no other controller owns, and every pod under
 * its outermost owner (a pod whose owner was not read, or is of a kind not listed, forms a
 * workload of that owner's kind; a bare pod is a workload of kind Pod).
 */
export function groupWorkloads<O extends OwnedObject>(
  controllers: ReadonlyArray<{ kind: string; objects: readonly O[] }>,
  pods: readonly O[],
): Array<WorkloadGroup<O>> {
  const topOwner = ownerResolver(controllers);
  const key = (ns: string | undefined, kind: string, name: string) => `${ns ?? ""}/${kind}/${name}`;
  const workloads = new Map<string, WorkloadGroup<O>>();
  for (const { kind, objects } of controllers)
    for (const obj of objects) {
      if (topOwner(obj)) continue;
      const namespace = obj.metadata.namespace ?? "";
      workloads.set(key(namespace, kind, obj.metadata.name), {
        namespace,
        kind,
        name: obj.metadata.name,
        obj,
        pods: [],
      });
    }
  for (const pod of pods) {
    const owner = topOwner(pod);
    const kind = owner?.kind ?? "Pod";
    const name = owner?.name ?? pod.metadata.name;
    const k = key(pod.metadata.namespace, kind, name);
    let entry = workloads.get(k);
    if (!entry) {
      const obj = owner ? (owner.obj ?? null) : pod;
      entry = { namespace: pod.metadata.namespace ?? "", kind, name, obj, pods: [] };
      workloads.set(k, entry);
    }
    entry.pods.push(pod);
  }
  return [...workloads.values()];
}

/**
 * Nodes on which pods of more than one namespace run, so that an image one namespace pulled with
 * its credentials is in another's reach. DaemonSet pods run everywhere and do not count.
 */
export function nodesSharedAcrossNamespaces(
  pods: ReadonlyArray<OwnedObject & { spec?: unknown }>,
): Set<string> {
  const nsPerNode = new Map<string, Set<string>>();
  for (const pod of pods) {
    const node = isObj(pod.spec) ? pod.spec.nodeName : undefined;
    if (typeof node !== "string" || !node || controllerOf(pod)?.kind === "DaemonSet") continue;
    const set = nsPerNode.get(node) ?? new Set<string>();
    set.add(pod.metadata.namespace ?? "");
    nsPerNode.set(node, set);
  }
  return new Set([...nsPerNode].filter(([, set]) => set.size > 1).map(([node]) => node));
}

/** The node a pod was scheduled on, if any. */
export const nodeOf = (pod: OwnedObject & { spec?: unknown }): string | null =>
  isObj(pod.spec) && typeof pod.spec.nodeName === "string" ? pod.spec.nodeName : null;
