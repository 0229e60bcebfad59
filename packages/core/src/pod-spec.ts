// Where an object keeps its pod spec, which containers it declares, and where their pull
// credentials come from: the parts of reading a workload that do not depend on how it was
// obtained (a live object from the API server or a manifest from a repository).
import type { PullSecretRef } from "./rules/types.ts";

/** What pulls an image in a pod: its containers of each kind, and its image volumes (`spec.volumes[].image`). */
export const CONTAINER_TYPES = ["container", "init", "ephemeral", "volume"] as const;
export type ContainerType = (typeof CONTAINER_TYPES)[number];
export const CONTAINER_TYPE_WORDS: Readonly<Record<ContainerType, string>> = {
  container: "container",
  init: "init container",
  ephemeral: "ephemeral container",
  volume: "image volume",
};

/** The pod spec's container lists, with the type of container each holds. */
export const CONTAINER_LISTS = [
  { list: "containers", type: "container" },
  { list: "initContainers", type: "init" },
  { list: "ephemeralContainers", type: "ephemeral" },
] as const satisfies ReadonlyArray<{ list: string; type: ContainerType }>;
/** Where a pulled image is declared: a container list, or the pod's volumes. */
export type ContainerList = (typeof CONTAINER_LISTS)[number]["list"] | "volumes";

/**
 * An image volume is stored beside the containers under `volume/<name>`: a volume may share its
 * name with a container (they are separate namespaces in a pod spec), and "/" is in neither a
 * container's nor a volume's name, so the key cannot collide.
 */
export const IMAGE_VOLUME_PREFIX = "volume/";
export const imageVolumeKey = (volume: string) => `${IMAGE_VOLUME_PREFIX}${volume}`;
/** The volume's own name for a key made by `imageVolumeKey`, else null. */
export const imageVolumeName = (key: string) =>
  key.startsWith(IMAGE_VOLUME_PREFIX) ? key.slice(IMAGE_VOLUME_PREFIX.length) : null;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const TEMPLATE = ["spec", "template", "spec"];

/** Pod spec paths of the built-in kinds. Custom resources are added per kind (`PodSpecPaths`). */
export const BUILTIN_POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ["spec"],
  PodTemplate: ["template", "spec"],
  Deployment: TEMPLATE,
  StatefulSet: TEMPLATE,
  DaemonSet: TEMPLATE,
  ReplicaSet: TEMPLATE,
  ReplicationController: TEMPLATE,
  Job: TEMPLATE,
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

/**
 * Where custom resources keep pod templates, by kind: Argo Rollouts and OpenKruise CloneSets
 * keep one at spec.template.spec like a Deployment. Operators add their own kinds here.
 */
export const DEFAULT_CUSTOM_POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Rollout: TEMPLATE,
  CloneSet: TEMPLATE,
  AdvancedStatefulSet: TEMPLATE,
  BroadcastJob: TEMPLATE,
};

export type PodSpecPaths = Readonly<Record<string, readonly string[]>>;

export function valueAt(object: unknown, path: readonly string[]): unknown {
  let cur: unknown = object;
  for (const key of path) cur = isObj(cur) ? cur[key] : undefined;
  return cur;
}

/** The pod spec of an object of a kind that has one (built-in or configured), else null. */
export function podSpecOf(
  kind: string,
  object: unknown,
  custom: PodSpecPaths = DEFAULT_CUSTOM_POD_SPEC_PATHS,
): Obj | null {
  const path = BUILTIN_POD_SPEC_PATHS[kind] ?? custom[kind];
  if (!path) return null;
  const spec = valueAt(object, path);
  return isObj(spec) ? spec : null;
}

/** One container, or one image volume, as a pod spec declares it. */
export interface SpecContainer {
  /** The container's name; for an image volume, `imageVolumeKey` of its name. */
  name: string;
  /** The image (an image volume's `reference`). */
  image: string;
  /** As written (an image volume's `pullPolicy`); null when absent (a manifest that relies on defaulting). */
  imagePullPolicy: string | null;
  list: ContainerList;
  type: ContainerType;
}

/**
 * The pod's image volumes (beta from 1.33, on by default from 1.35, GA in 1.36): each is pulled
 * like a container's image, with its own pull policy defaulted the same way.
 */
function imageVolumesOf(podSpec: Obj): SpecContainer[] {
  const volumes = Array.isArray(podSpec.volumes) ? podSpec.volumes : [];
  return volumes
    .filter((v): v is Obj => isObj(v) && isObj(v.image))
    .map((v) => {
      const image = v.image as Obj;
      return {
        name: imageVolumeKey(String(v.name ?? "")),
        image: typeof image.reference === "string" ? image.reference : "",
        imagePullPolicy: typeof image.pullPolicy === "string" ? image.pullPolicy : null,
        list: "volumes",
        type: "volume",
      };
    });
}

/** Every container and image volume of a pod spec, addressed by list and name. */
export function containersOf(podSpec: Obj): SpecContainer[] {
  const out: SpecContainer[] = [];
  for (const { list, type } of CONTAINER_LISTS) {
    const items = podSpec[list];
    if (!Array.isArray(items)) continue;
    for (const c of items) {
      if (!isObj(c)) continue;
      out.push({
        name: String(c.name ?? ""),
        image: typeof c.image === "string" ? c.image : "",
        imagePullPolicy: typeof c.imagePullPolicy === "string" ? c.imagePullPolicy : null,
        list,
        type,
      });
    }
  }
  out.push(...imageVolumesOf(podSpec));
  return out;
}

/** The ServiceAccount a pod runs as: `default` when the spec names none. */
export function serviceAccountOf(podSpec: Obj): string {
  const name = podSpec.serviceAccountName ?? podSpec.serviceAccount;
  return typeof name === "string" && name !== "" ? name : "default";
}

const secretNames = (list: unknown): string[] =>
  Array.isArray(list) ? list.filter(isObj).map((s) => String(s.name ?? "")) : [];

/** What is known of a namespace's ServiceAccounts and Secrets (metadata only). */
export interface CredentialSources {
  /** Pull secrets per ServiceAccount, keyed `namespace/name`; null when ServiceAccounts were not read. */
  serviceAccountSecrets: ReadonlyMap<string, readonly string[]> | null;
  /** Secrets that exist, keyed `namespace/name`; null when Secrets were not read. */
  secrets: ReadonlySet<string> | null;
  /**
   * Annotation keys per ServiceAccount, keyed `namespace/name` (a token credential provider may
   * require some); null, or absent, when ServiceAccounts were not read.
   */
  serviceAccountAnnotations?: ReadonlyMap<string, readonly string[]> | null;
}

/** The annotation keys of the pod's ServiceAccount; null when they are not known. */
export function serviceAccountAnnotationsOf(
  podSpec: Obj,
  namespace: string,
  sources: CredentialSources,
): readonly string[] | null {
  if (!sources.serviceAccountAnnotations) return null;
  return sources.serviceAccountAnnotations.get(`${namespace}/${serviceAccountOf(podSpec)}`) ?? null;
}

/** The ServiceAccount's imagePullSecrets, as `CredentialSources` keys them. */
export function serviceAccountPullSecrets(serviceAccount: unknown): string[] {
  return isObj(serviceAccount) ? secretNames(serviceAccount.imagePullSecrets) : [];
}

/**
 * The pull secrets a pod's image pulls carry: the pod's own, then its ServiceAccount's (the
 * ServiceAccount admission plugin adds those only to pods that list none, but a pod that does is
 * still pulled with whatever its spec names, so both count as configured).
 */
export function pullSecretsOf(podSpec: Obj, namespace: string, sources: CredentialSources): PullSecretRef[] {
  const exists = (name: string) => (sources.secrets ? sources.secrets.has(`${namespace}/${name}`) : null);
  const own = secretNames(podSpec.imagePullSecrets);
  const fromSa = sources.serviceAccountSecrets?.get(`${namespace}/${serviceAccountOf(podSpec)}`) ?? [];
  return [
    ...own.map((name) => ({ name, source: "pod" as const, exists: exists(name) })),
    ...fromSa
      .filter((name) => !own.includes(name))
      .map((name) => ({ name, source: "serviceAccount" as const, exists: exists(name) })),
  ];
}
