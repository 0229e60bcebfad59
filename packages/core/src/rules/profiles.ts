// Profiles map clusters and namespaces (by name glob or labels) to rule severities and settings.
// They live in a reviewed YAML file; `production` and `development` are built in and can be
// extended. The first assignment that matches a namespace decides its profile.
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { notificationsSchema } from "../notifications.ts";
import { DEFAULT_PRIVATE_REGISTRIES, DEFAULT_PUBLIC_REGISTRIES } from "../registry.ts";
import { DEFAULT_MUTABLE_TAGS, DEFAULT_VARIANT_TAGS } from "../tag-kind.ts";
import { DEFAULT_OWNER_KEYS, normalizeTeam, type Ownership, ownerFromMetadata } from "../teams.ts";
import { RULES, RULES_BY_ID } from "./catalog.ts";
import { RULE_LEVELS, type RuleLevel, type RuleSettings } from "./types.ts";

export const BUILTIN_PROFILES = ["production", "development"] as const;
export type BuiltinProfile = (typeof BUILTIN_PROFILES)[number];

export const DEFAULT_SETTINGS: RuleSettings = {
  mutableTags: [...DEFAULT_MUTABLE_TAGS],
  variantTags: [...DEFAULT_VARIANT_TAGS],
  publicRegistries: [...DEFAULT_PUBLIC_REGISTRIES],
  privateRegistries: [...DEFAULT_PRIVATE_REGISTRIES],
  nodeCredentialRegistries: ["*.dkr.ecr.*.amazonaws.com", "*.pkg.dev", "*.azurecr.io", "gcr.io", "*.gcr.io"],
  serviceAccountTokenRegistries: [],
  serviceAccountTokenAnnotations: [],
  overwritableTagRegistries: [],
  floatingIsMutable: false,
  pullLatencyBudgetSeconds: 30,
  registryFailureRatio: 0.1,
  minPullsForStats: 5,
  alwaysPullShare: 0.5,
};

const level = z.enum(RULE_LEVELS);
const ruleId = z
  .string()
  .refine((id) => RULES_BY_ID.has(id), { error: (i) => `unknown rule id ${JSON.stringify(i.input)}` });
const glob = z.string().min(1).max(253);
const selector = z
  .object({
    names: z.array(glob).min(1).optional().describe("Name globs (`*` matches any run of characters)."),
    labels: z
      .record(z.string(), z.string())
      .optional()
      .describe("Every label must be present with this value."),
  })
  .strict();

const settingsSchema = z
  .object({
    mutableTags: z
      .array(z.string().min(1))
      .optional()
      .describe("Words that make a tag mutable, alone or as a component (`latest`, `main-latest`)."),
    variantTags: z
      .array(z.string().min(1))
      .optional()
      .describe("Variant names that, without a version, follow the newest release (`alpine`, `slim`)."),
    publicRegistries: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "Registries anyone may pull from (`domain` or `domain/path`, `*` within one DNS label), added to the built-in list.",
      ),
    privateRegistries: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "Registries that need credentials, added to the built-in list; the longer matching pattern wins. A registry on neither list has unknown visibility.",
      ),
    nodeCredentialRegistries: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "Registries a kubelet credential provider serves as the node (ECR, GAR, ACR): pods pulling from them need no pull secret (PS007).",
      ),
    serviceAccountTokenRegistries: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "Registries a kubelet credential provider serves with the pod's ServiceAccount token (KEP-4412, Kubernetes 1.34+): pods pulling from them need no pull secret (PS007).",
      ),
    serviceAccountTokenAnnotations: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "Annotation keys a ServiceAccount must carry for the ServiceAccount-token provider to serve its pods (the provider's requiredServiceAccountAnnotationKeys); pods whose ServiceAccount lacks one get no credentials from it.",
      ),
    overwritableTagRegistries: z
      .array(z.string().min(1))
      .optional()
      .describe("Registries that let a full version tag be pushed again (PS017 fires for them)."),
    floatingIsMutable: z
      .boolean()
      .optional()
      .describe("Judge floating versions like named mutable tags (PS002, PS003) instead of PS016."),
    pullLatencyBudgetSeconds: z.number().positive().optional(),
    registryFailureRatio: z.number().min(0).max(1).optional(),
    minPullsForStats: z.number().int().min(1).optional(),
    alwaysPullShare: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        "Share of the registry pulls on a workload's nodes caused by `Always` (kubelet metrics) above which PS021 fires.",
      ),
  })
  .strict();

const profileSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lowercase letters, digits and dashes"),
    description: z.string().optional(),
    extends: z.string().optional().describe("A built-in profile or one defined earlier in this file."),
    rules: z.record(ruleId, level).optional().describe("Severity per rule id, or off."),
    settings: settingsSchema.optional(),
  })
  .strict();

const ownersSchema = z
  .object({
    keys: z
      .array(z.string().min(1).max(317))
      .min(1)
      .default([...DEFAULT_OWNER_KEYS])
      .describe("Namespace label or annotation keys naming the owning team, tried in order (labels first)."),
    assignments: z
      .array(
        z
          .object({
            owner: z
              .string()
              .refine((v) => normalizeTeam(v) !== null, { error: "an owner needs a name" })
              .describe("The team; case and surrounding spaces are ignored."),
            clusters: selector.optional(),
            namespaces: selector.optional(),
          })
          .strict(),
      )
      .default([])
      .describe("Owners that win over labels and annotations: the first matching assignment decides."),
  })
  .strict();

export const profilesFileSchema = z
  .object({
    apiVersion: z.literal("pullsight.dev/v1"),
    kind: z.literal("Profiles"),
    owners: ownersSchema.default({ keys: [...DEFAULT_OWNER_KEYS], assignments: [] }),
    notifications: notificationsSchema.optional().describe("Weekly digests and pull-failure alerts."),
    profiles: z.array(profileSchema).default([]),
    assignments: z
      .array(
        z
          .object({
            profile: z.string(),
            clusters: selector.optional(),
            namespaces: selector.optional(),
          })
          .strict(),
      )
      .default([]),
    defaultProfile: z.string().default("production"),
  })
  .strict()
  .superRefine((file, ctx) => {
    const known = new Set<string>(BUILTIN_PROFILES);
    file.profiles.forEach((p, i) => {
      if (known.has(p.name) && !BUILTIN_PROFILES.includes(p.name as BuiltinProfile)) {
        ctx.addIssue({
          code: "custom",
          path: ["profiles", i, "name"],
          message: `duplicate profile ${p.name}`,
        });
      }
      if (p.extends && !known.has(p.extends)) {
        ctx.addIssue({
          code: "custom",
          path: ["profiles", i, "extends"],
          message: `unknown profile ${p.extends} (define it earlier)`,
        });
      }
      known.add(p.name);
    });
    file.assignments.forEach((a, i) => {
      if (!known.has(a.profile))
        ctx.addIssue({
          code: "custom",
          path: ["assignments", i, "profile"],
          message: `unknown profile ${a.profile}`,
        });
    });
    if (!known.has(file.defaultProfile)) {
      ctx.addIssue({
        code: "custom",
        path: ["defaultProfile"],
        message: `unknown profile ${file.defaultProfile}`,
      });
    }
  });

export type ProfilesFile = z.infer<typeof profilesFileSchema>;

/** A profile with every rule's level and every setting resolved. */
export interface ResolvedProfile {
  name: string;
  levels: Record<string, RuleLevel>;
  settings: RuleSettings;
}

export class InvalidProfilesError extends Error {
  override readonly name = "InvalidProfilesError";
}

/** Parses and validates a profiles YAML file; errors name the path and the problem. */
export function parseProfiles(yamlText: string): ProfilesFile {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (error) {
    throw new InvalidProfilesError(
      `profiles file is not valid YAML: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = profilesFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new InvalidProfilesError(`invalid profiles file:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The file used when the operator gives none: namespaces labelled env=dev|development|test get development. */
export const DEFAULT_PROFILES: ProfilesFile = {
  apiVersion: "pullsight.dev/v1",
  kind: "Profiles",
  owners: { keys: [...DEFAULT_OWNER_KEYS], assignments: [] },
  profiles: [],
  assignments: [
    { profile: "development", namespaces: { labels: { environment: "development" } } },
    { profile: "development", namespaces: { labels: { env: "dev" } } },
    { profile: "development", namespaces: { labels: { env: "development" } } },
    { profile: "development", namespaces: { labels: { env: "test" } } },
    { profile: "development", clusters: { labels: { env: "dev" } } },
  ],
  defaultProfile: "production",
};

/** JSON Schema for editors (yaml-language-server). */
export function profilesJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(profilesFileSchema, { io: "input", target: "draft-2020-12" }) as Record<
    string,
    unknown
  >;
}

function builtinLevels(name: BuiltinProfile): Record<string, RuleLevel> {
  return Object.fromEntries(RULES.map((r) => [r.id, r.defaults[name]]));
}

/** Resolves one profile by name through its `extends` chain. */
export function resolveProfile(file: ProfilesFile, name: string): ResolvedProfile {
  if (BUILTIN_PROFILES.includes(name as BuiltinProfile)) {
    const override = file.profiles.find((p) => p.name === name);
    const base: ResolvedProfile = {
      name,
      levels: builtinLevels(name as BuiltinProfile),
      settings: { ...DEFAULT_SETTINGS },
    };
    return override ? apply(base, override) : base;
  }
  const profile = file.profiles.find((p) => p.name === name);
  if (!profile) throw new InvalidProfilesError(`unknown profile ${name}`);
  const base = resolveProfile(file, profile.extends ?? "production");
  return apply({ ...base, name }, profile);
}

/**
 * Registry lists a profile adds to what it extends (built-ins included): declaring one registry
 * must not forget Docker Hub. A more specific pattern in the other list overrides a built-in
 * (`privateRegistries: [ghcr.io/acme]`). Every other list replaces the one it extends.
 */
const ADDITIVE_SETTINGS = new Set(["publicRegistries", "privateRegistries"]);

function apply(base: ResolvedProfile, profile: z.infer<typeof profileSchema>): ResolvedProfile {
  const settings = { ...base.settings };
  for (const [key, value] of Object.entries(profile.settings ?? {})) {
    if (value === undefined) continue;
    const inherited = (settings as Record<string, unknown>)[key];
    (settings as Record<string, unknown>)[key] =
      ADDITIVE_SETTINGS.has(key) && Array.isArray(inherited) && Array.isArray(value)
        ? [...new Set([...inherited, ...value])]
        : value;
  }
  return { name: profile.name, levels: { ...base.levels, ...(profile.rules ?? {}) }, settings };
}

/** `*` matches any run of characters; everything else literally. Linear, no RegExp. */
export function globMatches(pattern: string, value: string): boolean {
  const parts = pattern.split("*");
  if (parts.length === 1) return pattern === value;
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last))
    return false;
  let at = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const found = value.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

interface Scope {
  name: string;
  labels?: Record<string, string>;
}

function selectorMatches(sel: z.infer<typeof selector> | undefined, scope: Scope): boolean {
  if (!sel) return true;
  if (sel.names && !sel.names.some((g) => globMatches(g, scope.name))) return false;
  if (sel.labels) {
    for (const [k, v] of Object.entries(sel.labels)) if (scope.labels?.[k] !== v) return false;
  }
  return true;
}

/** The profile name for a namespace of a cluster: the first matching assignment, else the default. */
export function profileNameFor(file: ProfilesFile, cluster: Scope, namespace: Scope): string {
  const hit = file.assignments.find(
    (a) => selectorMatches(a.clusters, cluster) && selectorMatches(a.namespaces, namespace),
  );
  return hit?.profile ?? file.defaultProfile;
}

/** The team owning a namespace of a cluster: the first matching override, else its labels and annotations. */
export function ownerFor(
  file: ProfilesFile,
  cluster: Scope,
  namespace: Scope & { annotations?: Record<string, string> },
): Ownership {
  const hit = file.owners.assignments.find(
    (a) => selectorMatches(a.clusters, cluster) && selectorMatches(a.namespaces, namespace),
  );
  if (hit) return { owner: normalizeTeam(hit.owner), source: "override" };
  return ownerFromMetadata(file.owners.keys, namespace.labels ?? {}, namespace.annotations ?? {});
}
