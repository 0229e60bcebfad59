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

/** The container named `name` in a pod spec (in `list` when given), and which list it is in. */
export function findContainer(
  podSpec: unknown,
  name: string,
  only?: ListName,
): { container: Obj; list: ListName } | null {
  if (!isObj(podSpec)) return null;
  for (const list of only ? [only] : CONTAINER_LISTS) {
    const items = podSpec[list];
    if (!Array.isArray(items)) continue;
    const container = items.find((c) => isObj(c) && c.name === name);
    if (isObj(container)) return { container, list };
  }
  return null;
}

type ListName = (typeof CONTAINER_LISTS)[number];

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
  const appliedPolicy = appliedContainer.container.imagePullPolicy;
  if (typeof appliedPolicy === "string" && appliedPolicy !== "") {
    const changed =
      current.policy !== null && current.policy !== appliedPolicy
        ? `; the object now has ${current.policy}, so it was changed after the last apply`
        : "";
    return {
      source: "explicit",
      evidence: `${LAST_APPLIED} sets imagePullPolicy: ${appliedPolicy}${changed}${defaultNote(current)}`,
    };
  }
  if (current.policy !== null && current.image !== null) {
    const appliedImage =
      typeof appliedContainer.container.image === "string" ? appliedContainer.container.image : null;
    const wouldBe = defaultPullPolicy(current.image);
    if (current.policy !== wouldBe) {
      if (appliedImage !== null && defaultPullPolicy(appliedImage) === current.policy) {
        return {
          source: "defaulted",
          evidence:
            `${LAST_APPLIED} omits imagePullPolicy: ${current.policy} is a leftover default from an earlier image ` +
            `(${appliedImage}); for the current image ${current.image} the default would be ${wouldBe}`,
        };
      }
      return {
        source: "unknown",
        evidence:
          `${LAST_APPLIED} omits imagePullPolicy, yet the object has ${current.policy} where the default for ` +
          `${current.image} is ${wouldBe}: set outside kubectl apply, or left over from an earlier image`,
      };
    }
  }
  return {
    source: "defaulted",
    evidence: `${LAST_APPLIED} omits imagePullPolicy: the API server defaulted it${defaultNote(current)}`,
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
  for (const [key, value] of Object.entries(items)) {
    if (!key.startsWith("k:")) continue;
    try {
      const k = JSON.parse(key.slice(2)) as unknown;
      if (isObj(k) && k.name === name && isObj(value)) return value;
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
    if ("f:imagePullPolicy" in container) owners.push(manager);
  }
  if (owners.length) {
    return {
      source: "explicit",
      evidence: `server-side apply by ${owners.join(", ")} owns imagePullPolicy${
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
          `server-side apply by ${appliers.join(", ")} sends this container without imagePullPolicy, yet the object has ` +
          `${current.policy}${defaultNote(current)}: a leftover default from an earlier image, or set by another writer`,
      };
    }
    return {
      source: "defaulted",
      evidence: `server-side apply by ${appliers.join(", ")} sends this container without imagePullPolicy: the API server defaulted it${defaultNote(current)}`,
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
      evidence: `no container named ${JSON.stringify(containerName)} in the pod spec`,
    };
  const current: Current = {
    policy: typeof found.container.imagePullPolicy === "string" ? found.container.imagePullPolicy : null,
    image: typeof found.container.image === "string" ? found.container.image : null,
    list: found.list,
  };
  const evidence =
    fromLastApplied(object, path, containerName, current) ??
    fromManagedFields(object, path, containerName, current);
  if (evidence) return evidence;
  if (current.policy === null) {
    return {
      source: "unknown",
      evidence: "the object carries no imagePullPolicy (not read from the API server?)",
    };
  }
  return {
    source: "unknown",
    evidence:
      `no ${LAST_APPLIED} and no server-side apply entry for this container` +
      (current.image !== null && current.policy !== defaultPullPolicy(current.image)
        ? `; ${current.policy} differs from the default for ${current.image} (${defaultPullPolicy(current.image)}), so it was set explicitly or left over from an earlier image`
        : `; ${current.policy} matches the default for ${current.image ?? "the image"}, so nothing shows whether a person chose it`),
  };
}
