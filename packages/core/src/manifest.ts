// A published manifest in, facts and findings out: what `kubectl apply` would create, defaulted
// the way the API server defaults it, evaluated by the same rules as a live cluster. Runtime
// rules have no pods to read here, so they are listed as unevaluated, never as passed.
import { parseAllDocuments } from "yaml";
import {
  type CredentialSources,
  containersOf,
  DEFAULT_CUSTOM_POD_SPEC_PATHS,
  type PodSpecPaths,
  podSpecOf,
  pullSecretsOf,
  type SpecContainer,
  serviceAccountAnnotationsOf,
  serviceAccountPullSecrets,
} from "./pod-spec.ts";
import type { PolicySource } from "./policy-source.ts";
import { defaultPullPolicy, isPullPolicy, type PullPolicy } from "./pull-policy.ts";
import type { RegistryVisibility } from "./registry.ts";
import { assessContainer, buildRuleContext } from "./rules/evaluate.ts";
import {
  DEFAULT_PROFILES,
  type ProfilesFile,
  profileNameFor,
  type ResolvedProfile,
  resolveProfile,
} from "./rules/profiles.ts";
import { isCompliant } from "./rules/score.ts";
import type { ContainerFacts, RuleResult } from "./rules/types.ts";
import type { TagKind } from "./tag-kind.ts";

export interface ManifestOptions {
  /** Profiles file deciding each namespace's profile (the built-in defaults when absent). */
  profiles?: ProfilesFile;
  /** Use this profile for every object instead of the file's assignments. */
  profile?: string;
  /** The cluster the manifest is meant for (profiles can select on it); "manifest" by default. */
  cluster?: string;
  clusterLabels?: Record<string, string>;
  /** Namespace for objects without one, as `kubectl apply -n`; "default" by default. */
  namespace?: string;
  /** Where custom resources keep pod templates, by kind. */
  podSpecPaths?: PodSpecPaths;
}

export interface ManifestContainer {
  facts: ContainerFacts;
  tagKind: TagKind;
  registry: string;
  visibility: RegistryVisibility;
  profile: string;
  findings: RuleResult[];
  /** Rules that need data a manifest does not have (pods, pull events). */
  unevaluated: string[];
  compliant: boolean;
}

export interface ManifestEvaluation {
  containers: ManifestContainer[];
  /** Objects read, by kind (containers come only from kinds with a pod spec). */
  kinds: Record<string, number>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export class InvalidManifestError extends Error {
  override readonly name = "InvalidManifestError";
}

/** The objects of a YAML or JSON stream; `List` objects are unpacked, empty documents skipped. */
export function manifestObjects(text: string): Obj[] {
  const docs = parseAllDocuments(text);
  const out: Obj[] = [];
  for (const [i, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    const error = doc.errors[0];
    if (error) throw new InvalidManifestError(`document ${i + 1} is not valid YAML: ${error.message}`);
    unpack(doc.toJS(), out);
  }
  return out;
}

function unpack(value: unknown, out: Obj[]): void {
  if (!isObj(value)) return;
  if (typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items)) {
    for (const item of value.items) unpack(item, out);
  } else out.push(value);
}

const metadataOf = (o: Obj): Obj => (isObj(o.metadata) ? o.metadata : {});
const nameOf = (o: Obj) => String(metadataOf(o).name ?? metadataOf(o).generateName ?? "");

/** The policy the API server stores: the manifest's own, else the default for the image. */
function defaultedPolicy(c: SpecContainer): { policy: PullPolicy; source: PolicySource } {
  if (c.imagePullPolicy !== null && isPullPolicy(c.imagePullPolicy))
    return {
      policy: c.imagePullPolicy,
      source: { source: "explicit", evidence: `the manifest sets imagePullPolicy: ${c.imagePullPolicy}` },
    };
  const policy = defaultPullPolicy(c.image);
  return {
    policy,
    source: {
      source: "defaulted",
      evidence: `the manifest omits imagePullPolicy: the API server defaults it to ${policy} for ${c.image}`,
    },
  };
}

/**
 * The ServiceAccounts the manifest creates. Secrets are not judged: one the manifest does not
 * create may well exist in the cluster, so a referenced secret is never reported missing here.
 */
function credentialSources(objects: Obj[], namespaceOf: (o: Obj) => string): CredentialSources {
  const serviceAccountSecrets = new Map<string, string[]>();
  const serviceAccountAnnotations = new Map<string, string[]>();
  for (const o of objects)
    if (o.kind === "ServiceAccount") {
      const key = `${namespaceOf(o)}/${nameOf(o)}`;
      serviceAccountSecrets.set(key, serviceAccountPullSecrets(o));
      const annotations = metadataOf(o).annotations;
      serviceAccountAnnotations.set(key, isObj(annotations) ? Object.keys(annotations).sort() : []);
    }
  return { serviceAccountSecrets, secrets: null, serviceAccountAnnotations };
}

/** Evaluates every container of every object with a pod spec in a manifest. */
export function evaluateManifest(
  input: string | readonly unknown[],
  options: ManifestOptions = {},
): ManifestEvaluation {
  const objects = typeof input === "string" ? manifestObjects(input) : input.filter(isObj);
  const cluster = options.cluster ?? "manifest";
  const namespaceOf = (o: Obj) => String(metadataOf(o).namespace ?? options.namespace ?? "default");
  const sources = credentialSources(objects, namespaceOf);
  const namespaceLabels = new Map(
    objects
      .filter((o) => o.kind === "Namespace")
      .map((o) => [nameOf(o), (metadataOf(o).labels ?? {}) as Record<string, string>]),
  );
  const file = options.profiles ?? DEFAULT_PROFILES;
  const resolved = new Map<string, ResolvedProfile>();
  const profileFor = (namespace: string) => {
    const name =
      options.profile ??
      profileNameFor(
        file,
        { name: cluster, labels: options.clusterLabels ?? {} },
        { name: namespace, labels: namespaceLabels.get(namespace) ?? {} },
      );
    const known = resolved.get(name);
    if (known) return known;
    const profile = resolveProfile(file, name);
    resolved.set(name, profile);
    return profile;
  };

  const kinds: Record<string, number> = {};
  const containers: ManifestContainer[] = [];
  for (const o of objects) {
    const kind = String(o.kind ?? "");
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    const podSpec = podSpecOf(kind, o, { ...DEFAULT_CUSTOM_POD_SPEC_PATHS, ...options.podSpecPaths });
    if (!podSpec) continue;
    const namespace = namespaceOf(o);
    const profile = profileFor(namespace);
    const pullSecrets = pullSecretsOf(podSpec, namespace, sources);
    for (const c of containersOf(podSpec)) {
      const { policy, source } = defaultedPolicy(c);
      const facts: ContainerFacts = {
        subject: { cluster, namespace, kind, name: nameOf(o), container: c.name, containerType: c.type },
        image: c.image,
        imagePullPolicy: policy,
        policySource: source,
        pullSecrets,
        // A ServiceAccount the manifest does not create is assumed to carry what a provider needs.
        serviceAccountAnnotations: serviceAccountAnnotationsOf(podSpec, namespace, sources),
      };
      containers.push(evaluated(facts, profile));
    }
  }
  return { containers, kinds };
}

function evaluated(facts: ContainerFacts, profile: ResolvedProfile): ManifestContainer {
  const ctx = buildRuleContext(facts, profile.settings);
  const { results, unevaluated } = assessContainer(facts, profile);
  return {
    facts,
    tagKind: ctx.tagKind,
    registry: ctx.registry,
    visibility: ctx.visibility,
    profile: profile.name,
    findings: results,
    unevaluated,
    compliant: isCompliant(results),
  };
}
