// Was a container's imagePullPolicy chosen by a person, filled in by the API server, or can it
// not be told? Every object read from the API has a policy (defaulting happens at creation), so
// the answer comes from evidence, strongest first:
//  1. kubectl.kubernetes.io/last-applied-configuration: client-side apply keeps the manifest as
//     sent. The container carries imagePullPolicy → explicit; it does not → defaulted.
//  2. metadata.managedFields entries with operation Apply: server-side apply owns exactly the
//     fields the applier sent. An Apply manager owns the container's f:imagePullPolicy →
//     explicit; Apply managers own the container but not the policy → defaulted.
//     Update entries own defaulted fields too (the API server attributes them to whoever created
//     the object), so they prove nothing and are ignored.
//  3. Otherwise unknown.
// A policy that differs from what the default would be for the *current* image was either set
// explicitly or is a leftover default from an earlier image (defaulting happens only once); the
// evidence says which of the two the facts support.
// An image volume (spec.volumes[].image) is judged the same way by its image.pullPolicy, which the
// API server defaults exactly like a container's.
import { type ContainerList, imageVolumeName } from "./pod-spec.ts";
import { defaultPullPolicy } from "./pull-policy.ts";

export type PolicySourceKind = "explicit" | "defaulted" | "unknown";
export interface PolicySource {
  source: PolicySourceKind;
  evidence: string;
}

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Where the pod spec sits: Pod → spec; workloads → spec.template.spec; CronJob → spec.jobTemplate.spec.template.spec. */
export function podSpecPath(object: unknown): string[] | null {
  if (!isObj(object) || !isObj(object.spec)) return null;
  const spec = object.spec;
  if (CONTAINER_LISTS.some((k) => Array.isArray(spec[k]))) return ["spec"];
  if (isObj(spec.template) && isObj(spec.template.spec)) return ["spec", "template", "spec"];
  const jt = spec.jobTemplate;
  if (isObj(jt) && isObj(jt.spec) && isObj(jt.spec.template) && isObj(jt.spec.template.spec)) {
    return ["spec", "jobTemplate", "spec", "template", "spec"];
  }
  return null;
}

function at(object: unknown, path: readonly string[]): unknown {
  let cur: unknown = object;
  for (const key of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

type ListName = ContainerList;

/** An image volume's entry: a volume with an `image` source. */
const isImageVolume = (v: unknown): v is Obj => isObj(v) && isObj(v.image);

/**
 * The container named `name` in a pod spec (in `list` when given), and which list it is in. An
 * image volume is found by its key (`imageVolumeKey`) or, with list "volumes", by its own name.
 */
export function findContainer(
  podSpec: unknown,
  name: string,
  only?: ListName,
): { container: Obj; list: ListName } | null {
  if (!isObj(podSpec)) return null;
  const volume = imageVolumeName(name);
  if (volume !== null || only === "volumes") {
    const items = Array.isArray(podSpec.volumes) ? podSpec.volumes : [];
    const found = items.find((v) => isImageVolume(v) && v.name === (volume ?? name));
    return isObj(found) ? { container: found, list: "volumes" } : null;
  }
  for (const list of only ? [only] : CONTAINER_LISTS) {
    const items = podSpec[list];
    if (!Array.isArray(items)) continue;
    const container = items.find((c) => isObj(c) && c.name === name);
    if (isObj(container)) return { container, list };
  }
  return null;
}

/** Where an entry keeps its image and policy: a container's own fields, an image volume's `image`. */
const imageFields = (entry: Obj, list: ListName): Obj =>
  list === "volumes" ? (isObj(entry.image) ? entry.image : {}) : entry;
const IMAGE_KEY = (list: ListName) => (list === "volumes" ? "reference" : "image");
const POLICY_KEY = (list: ListName) => (list === "volumes" ? "pullPolicy" : "imagePullPolicy");
/** How the evidence names the policy field. */
const policyField = (list: ListName) => (list === "volumes" ? "image.pullPolicy" : "imagePullPolicy");

const entryWord = (list: ListName) => (list === "volumes" ? "image volume" : "container");
const stringOrNull = (v: unknown) => (typeof v === "string" ? v : null);

/** Whether a managed-fields entry for a container or image volume owns its policy. */
function ownsPolicy(managed: Obj, list: ListName): boolean {
  if (list !== "volumes") return "f:imagePullPolicy" in managed;
  const image = managed["f:image"];
  return isObj(image) && "f:pullPolicy" in image;
}

function policyOf(entry: Obj, list: ListName): unknown {
  return imageFields(entry, list)[POLICY_KEY(list)];
}
function imageOf(entry: Obj, list: ListName): unknown {
  return imageFields(entry, list)[IMAGE_KEY(list)];
}

interface Current {
  policy: string | null;
  image: string | null;
  list: ListName;
}

function defaultNote(current: Current): string {
  if (current.image === null || current.policy === null) return "";
  const wouldBe = defaultPullPolicy(current.image);
  return current.policy === wouldBe
    ? ` (${current.policy} is also what the API server would default to for ${current.image})`
    : ` (the default for ${current.image} would be ${wouldBe})`;
}

function fromLastApplied(object: Obj, path: string[], name: string, current: Current): PolicySource | null {
  const raw = at(object, ["metadata", "annotations", LAST_APPLIED]);
  if (typeof raw !== "string" || raw === "") return null;
  let applied: unknown;
  try {
    applied = JSON.parse(raw);
  } catch {
    return null;
  }
  const appliedContainer = findContainer(at(applied, path), name, current.list);
  if (!appliedContainer) return null;
  const field = policyField(current.list);
  const appliedPolicy = policyOf(appliedContainer.container, current.list);
  if (typeof appliedPolicy === "string" && appliedPolicy !== "") {
    const changed =
      current.policy !== null && current.policy !== appliedPolicy
        ? `; the object now has ${current.policy}, so it was changed after the last apply`
        : "";
    return {
      source: "explicit",
      evidence: `${LAST_APPLIED} sets ${field}: ${appliedPolicy}${changed}${defaultNote(current)}`,
    };
  }
  if (current.policy !== null && current.image !== null) {
    const applied = imageOf(appliedContainer.container, current.list);
    const appliedImage = typeof applied === "string" ? applied : null;
    const wouldBe = defaultPullPolicy(current.image);
    if (current.policy !== wouldBe) {
      if (appliedImage !== null && defaultPullPolicy(appliedImage) === current.policy) {
        return {
          source: "defaulted",
          evidence:
            `${LAST_APPLIED} omits ${field}: ${current.policy} is a leftover default from an earlier image ` +
            `(${appliedImage}); for the current image ${current.image} the default would be ${wouldBe}`,
        };
      }
      return {
        source: "unknown",
        evidence:
          `${LAST_APPLIED} omits ${field}, yet the object has ${current.policy} where the default for ` +
          `${current.image} is ${wouldBe}: set outside kubectl apply, or left over from an earlier image`,
      };
    }
  }
  return {
    source: "defaulted",
    evidence: `${LAST_APPLIED} omits ${field}: the API server defaulted it${defaultNote(current)}`,
  };
}

/** fieldsV1 path for a container: f:spec → … → f:<list> → k:{"name":"…"}. */
function managedContainer(fieldsV1: unknown, path: string[], list: string, name: string): Obj | null {
  let cur: unknown = fieldsV1;
  for (const key of path) {
    if (!isObj(cur)) return null;
    cur = cur[`f:${key}`];
  }
  if (!isObj(cur)) return null;
  const items = cur[`f:${list}`];
  if (!isObj(items)) return null;
  const wanted = imageVolumeName(name) ?? name;
  for (const [key, value] of Object.entries(items)) {
    if (!key.startsWith("k:")) continue;
    try {
      const k = JSON.parse(key.slice(2)) as unknown;
      if (isObj(k) && k.name === wanted && isObj(value)) return value;
    } catch {
      // not a key of this shape
    }
  }
  return null;
}

function fromManagedFields(object: Obj, path: string[], name: string, current: Current): PolicySource | null {
  const entries = at(object, ["metadata", "managedFields"]);
  if (!Array.isArray(entries)) return null;
  const appliers: string[] = [];
  const owners: string[] = [];
  for (const entry of entries) {
    if (!isObj(entry) || entry.operation !== "Apply") continue;
    const container = managedContainer(entry.fieldsV1, path, current.list, name);
    if (!container) continue;
    const manager = typeof entry.manager === "string" ? entry.manager : "unknown manager";
    appliers.push(manager);
    if (ownsPolicy(container, current.list)) owners.push(manager);
  }
  if (owners.length) {
    return {
      source: "explicit",
      evidence: `server-side apply by ${owners.join(", ")} owns ${policyField(current.list)}${
        current.policy ? ` (${current.policy})` : ""
      }${defaultNote(current)}`,
    };
  }
  if (appliers.length) {
    if (
      current.policy !== null &&
      current.image !== null &&
      current.policy !== defaultPullPolicy(current.image)
    ) {
      return {
        source: "unknown",
        evidence:
          `server-side apply by ${appliers.join(", ")} sends this ${entryWord(current.list)} without ${policyField(current.list)}, yet the object has ` +
          `${current.policy}${defaultNote(current)}: a leftover default from an earlier image, or set by another writer`,
      };
    }
    return {
      source: "defaulted",
      evidence: `server-side apply by ${appliers.join(", ")} sends this ${entryWord(current.list)} without ${policyField(current.list)}: the API server defaulted it${defaultNote(current)}`,
    };
  }
  return null;
}

/**
 * Whether a container's imagePullPolicy was chosen by a person, filled in by the API server, or
 * cannot be told, for any object as the API returns it (a Pod, or a workload whose
 * spec.template, or a CronJob whose spec.jobTemplate.spec.template, holds the pod spec).
 */
export function policySource(object: unknown, containerName: string, list?: ListName): PolicySource {
  const path = podSpecPath(object);
  if (!isObj(object) || !path) {
    return {
      source: "unknown",
      evidence:
        "not an object with a pod spec (spec, spec.template.spec or spec.jobTemplate.spec.template.spec)",
    };
  }
  const found = findContainer(at(object, path), containerName, list);
  if (!found)
    return {
      source: "unknown",
      evidence: `no ${imageVolumeName(containerName) === null ? "container" : "image volume"} named ${JSON.stringify(imageVolumeName(containerName) ?? containerName)} in the pod spec`,
    };
  const current: Current = {
    policy: stringOrNull(policyOf(found.container, found.list)),
    image: stringOrNull(imageOf(found.container, found.list)),
    list: found.list,
  };
  const evidence =
    fromLastApplied(object, path, containerName, current) ??
    fromManagedFields(object, path, containerName, current);
  if (evidence) return evidence;
  if (current.policy === null) {
    return {
      source: "unknown",
      evidence: `the object carries no ${policyField(found.list)} (not read from the API server?)`,
    };
  }
  return {
    source: "unknown",
    evidence:
      `no ${LAST_APPLIED} and no server-side apply entry for this ${entryWord(found.list)}` +
      (current.image !== null && current.policy !== defaultPullPolicy(current.image)
        ? `; ${current.policy} differs from the default for ${current.image} (${defaultPullPolicy(current.image)}), so it was set explicitly or left over from an earlier image`
        : `; ${current.policy} matches the default for ${current.image ?? "the image"}, so nothing shows whether a person chose it`),
  };
}
