// What the reader keeps of each listed object: only the fields a snapshot's facts read
// (facts.ts and core's policySource). A pod as the API returns it is 5–10 kB of JSON, most of it
// status conditions, volumes, env, probes and managedFields of controllers; its projection is a
// few hundred bytes. The page is parsed whole and then dropped, so a cluster in flight costs its
// projections, not its JSON (README, Benchmarks: peak RSS per 10,000-pod cluster).
//
// Shapes are never trusted: a value that is not the expected object or array is kept as it is,
// so facts.ts sees the same oddities it would have seen unprojected.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;

/** The keys of `o` that are present, in a new object; anything but an object is returned as is. */
function pick(o: unknown, keys: readonly string[]): unknown {
  if (!isObj(o)) return o;
  const out: Obj = {};
  for (const k of keys) if (k in o) out[k] = o[k];
  return out;
}

const mapItems = (v: unknown, f: (item: unknown) => unknown) => (Array.isArray(v) ? v.map(f) : v);

/**
 * The last-applied configuration is kept only where it can say whether a container's pull policy
 * was written (core/policy-source.ts): on objects with containers. Elsewhere it is a copy of the
 * whole object as applied; on a Secret, that copy holds the secret's data.
 */
function metadata(m: unknown, withContainers: boolean): unknown {
  if (!isObj(m)) return m;
  // resourceVersion: whether the object changed since the previous snapshot (facts-memory.ts).
  const out = pick(m, ["name", "namespace", "uid", "resourceVersion", "labels", "ownerReferences"]) as Obj;
  if (withContainers && isObj(m.annotations) && LAST_APPLIED in m.annotations)
    out.annotations = { [LAST_APPLIED]: m.annotations[LAST_APPLIED] };
  // Only server-side apply entries are evidence of a policy's source (core/policy-source.ts).
  if (Array.isArray(m.managedFields)) {
    const applied = m.managedFields.filter((e) => isObj(e) && e.operation === "Apply");
    if (applied.length) out.managedFields = applied;
  }
  if (Array.isArray(out.ownerReferences))
    out.ownerReferences = out.ownerReferences.map((r) => pick(r, ["kind", "name", "uid", "controller"]));
  return out;
}

function podSpec(spec: unknown): unknown {
  if (!isObj(spec)) return spec;
  const out = pick(spec, ["nodeName", "serviceAccountName", "imagePullSecrets"]) as Obj;
  for (const list of CONTAINER_LISTS)
    if (list in spec) out[list] = mapItems(spec[list], (c) => pick(c, ["name", "image", "imagePullPolicy"]));
  // Only image volumes are pulled; every other volume source is dropped.
  if (Array.isArray(spec.volumes)) {
    const images = spec.volumes
      .filter((v) => isObj(v) && isObj(v.image))
      .map((v) => pick(v, ["name", "image"]));
    if (images.length) out.volumes = images;
  }
  return out;
}

/** A container's mounts of image volumes, with the digest the kubelet reports for each (ImageVolumeWithDigest). */
function imageVolumeMounts(mounts: unknown): unknown {
  if (!Array.isArray(mounts)) return undefined;
  const kept = mounts
    .filter((m) => isObj(m) && isObj(m.volumeStatus) && isObj(m.volumeStatus.image))
    .map((m) => pick(m, ["name", "volumeStatus"]));
  return kept.length ? kept : undefined;
}

/** spec.template.spec (workloads), spec.jobTemplate.spec.template.spec (CronJob) or spec (Pod). */
function spec(s: unknown): unknown {
  if (!isObj(s)) return s;
  if (CONTAINER_LISTS.some((k) => k in s)) return podSpec(s);
  const out: Obj = {};
  if (isObj(s.template)) out.template = { spec: podSpec(s.template.spec) };
  if (isObj(s.jobTemplate) && isObj(s.jobTemplate.spec))
    out.jobTemplate = {
      spec: {
        template: isObj(s.jobTemplate.spec.template)
          ? { spec: podSpec(s.jobTemplate.spec.template.spec) }
          : s.jobTemplate.spec.template,
      },
    };
  return out;
}

function status(s: unknown): unknown {
  if (!isObj(s)) return s;
  const out: Obj = {};
  for (const list of ["containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"])
    if (list in s)
      out[list] = mapItems(s[list], (cs) => {
        if (!isObj(cs)) return cs;
        const p = pick(cs, ["name", "image", "imageID"]) as Obj;
        const mounts = imageVolumeMounts(cs.volumeMounts);
        if (mounts) p.volumeMounts = mounts;
        if (isObj(cs.state) && "waiting" in cs.state)
          p.state = { waiting: pick(cs.state.waiting, ["reason", "message"]) };
        else if (isObj(cs.state) && "running" in cs.state)
          p.state = { running: pick(cs.state.running, ["startedAt"]) };
        // A finished init container started too: event coverage counts its start.
        else if (isObj(cs.state) && "terminated" in cs.state)
          p.state = { terminated: pick(cs.state.terminated, ["startedAt"]) };
        return p;
      });
  return out;
}

/** Any listed object (pod, workload, node, namespace, ServiceAccount, Secret metadata) reduced to what facts read. */
/**
 * A pod's identity matters only when it is its own workload (a bare pod): a pod with a controller
 * is known by its owner, and of its labels only pod-template-hash is read (to name a Deployment
 * whose ReplicaSet was not read).
 */
function ownedPodMetadata(m: Obj): Obj {
  const hash = isObj(m.labels) ? m.labels["pod-template-hash"] : undefined;
  const { uid: _uid, labels: _labels, ...rest } = m;
  return hash === undefined ? rest : { ...rest, labels: { "pod-template-hash": hash } };
}

/** A pod's spec, or a workload's with a pod template (CronJob: in its job template). */
function hasContainers(s: unknown): boolean {
  if (!isObj(s)) return false;
  if (CONTAINER_LISTS.some((k) => k in s)) return true;
  return (
    (isObj(s.template) && isObj(s.template.spec)) ||
    (isObj(s.jobTemplate) && isObj(s.jobTemplate.spec) && isObj(s.jobTemplate.spec.template))
  );
}

const isPod = (o: Obj) => isObj(o.spec) && CONTAINER_LISTS.some((k) => k in (o.spec as Obj));
const hasController = (m: unknown) =>
  isObj(m) && Array.isArray(m.ownerReferences) && m.ownerReferences.some((r) => isObj(r) && r.controller);

export function projectObject<T>(o: T): T {
  if (!isObj(o)) return o;
  const out: Obj = {};
  if ("metadata" in o) {
    const m = metadata(o.metadata, "spec" in o && hasContainers(o.spec));
    out.metadata = isPod(o) && hasController(m) ? ownedPodMetadata(m as Obj) : m;
  }
  if ("spec" in o) out.spec = spec(o.spec);
  if ("status" in o) out.status = status(o.status);
  if ("imagePullSecrets" in o) out.imagePullSecrets = o.imagePullSecrets; // ServiceAccount
  return out as T;
}

/**
 * An object whose annotations are read (a namespace's may name its owning team): projected as any
 * other, with its annotations except kubectl's last-applied copy of the whole object.
 */
export function projectWithAnnotations<T>(o: T): T {
  const out = projectObject(o);
  if (!isObj(o) || !isObj(o.metadata) || !isObj(o.metadata.annotations) || !isObj(out)) return out;
  const { [LAST_APPLIED]: _applied, ...annotations } = o.metadata.annotations;
  if (Object.keys(annotations).length) (out.metadata as Obj).annotations = annotations;
  return out;
}

/**
 * A kind listed as metadata only (Secrets): its name and namespace, nothing else. Not its
 * annotations (kubectl's last-applied configuration of a Secret holds its data), labels or
 * managed fields (they name the data's keys): facts only ask whether a secret of that name exists.
 */
export function projectMetadataOnly<T>(o: T): T {
  if (!isObj(o)) return o;
  return { metadata: pick(o.metadata, ["name", "namespace", "uid"]) } as T;
}
