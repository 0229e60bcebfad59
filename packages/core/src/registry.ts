import type { ImageReference } from "./image-reference.ts";

export type RegistryVisibility = "public" | "private";

/**
 * Registries (optionally narrowed to a path prefix) that serve public images by default.
 * Anything else is treated as private. A pattern is `domain` or `domain/path-prefix`;
 * `*` matches within one DNS label ("*.azurecr.io").
 */
export const DEFAULT_PUBLIC_REGISTRIES: readonly string[] = [
  "docker.io",
  "ghcr.io",
  "quay.io",
  "registry.k8s.io",
  "k8s.gcr.io",
  "mcr.microsoft.com",
  "public.ecr.aws",
  "gcr.io/distroless",
  "gcr.io/google-containers",
  "gcr.io/google_containers",
  "cgr.dev",
  "docker.elastic.co",
  "registry.access.redhat.com",
  "registry.gitlab.com",
  "nvcr.io/nvidia",
];

function labelGlobMatches(pattern: string, value: string): boolean {
  const p = pattern.split(".");
  const v = value.split(".");
  if (p.length !== v.length) return false;
  return p.every((label, i) => {
    const actual = v[i] as string;
    if (label === "*") return actual.length > 0;
    if (!label.includes("*")) return label === actual;
    const [prefix = "", suffix = ""] = label.split("*", 2);
    return (
      actual.length >= prefix.length + suffix.length && actual.startsWith(prefix) && actual.endsWith(suffix)
    );
  });
}

/** Whether `ref` (domain and path) falls under a registry pattern. */
export function registryMatches(pattern: string, domain: string, path: string): boolean {
  const slash = pattern.indexOf("/");
  const patternDomain = (slash < 0 ? pattern : pattern.slice(0, slash)).toLowerCase();
  const patternPath = slash < 0 ? "" : pattern.slice(slash + 1);
  if (!labelGlobMatches(patternDomain, domain.toLowerCase())) return false;
  return patternPath === "" || path === patternPath || path.startsWith(`${patternPath}/`);
}

/** Public or private, from a list of public registry patterns. */
export function registryVisibility(
  ref: Pick<ImageReference, "domain" | "path">,
  publicRegistries: readonly string[] = DEFAULT_PUBLIC_REGISTRIES,
): RegistryVisibility {
  return publicRegistries.some((p) => registryMatches(p, ref.domain, ref.path)) ? "public" : "private";
}
