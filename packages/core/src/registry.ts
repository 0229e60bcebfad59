import type { ImageReference } from "./image-reference.ts";

/**
 * Whether pulling from a registry needs credentials: `public` (anyone may pull), `private`
 * (credentials required), or `unknown` (neither list knows it; declare it in the profile).
 */
export type RegistryVisibility = "public" | "private" | "unknown";
export const REGISTRY_VISIBILITIES: readonly RegistryVisibility[] = ["public", "private", "unknown"];

/**
 * Registries (optionally narrowed to a path prefix) that serve public images: the default
 * registries of Kubernetes, its ecosystem's projects and the big vendors, and their mirrors.
 * A pattern is `domain` or `domain/path-prefix`; `*` matches within one DNS label
 * ("*.azurecr.io"). Registries that host both (ghcr.io, quay.io, Docker Hub) are listed: what
 * they serve without credentials is what published manifests pull.
 */
export const DEFAULT_PUBLIC_REGISTRIES: readonly string[] = [
  "docker.io",
  "index.docker.io",
  "registry-1.docker.io",
  "mirror.gcr.io",
  "ghcr.io",
  "quay.io",
  "registry.k8s.io",
  "k8s.gcr.io",
  "registry.istio.io",
  "mcr.microsoft.com",
  "public.ecr.aws",
  "gcr.io/distroless",
  "gcr.io/google-containers",
  "gcr.io/google_containers",
  "gcr.io/google-samples",
  "gcr.io/istio-release",
  "gcr.io/knative-releases",
  "gcr.io/tekton-releases",
  "gcr.io/kaniko-project",
  "gcr.io/cadvisor",
  "gcr.io/kubebuilder",
  "gcr.io/k8s-staging-*",
  "us-docker.pkg.dev/google-samples",
  "cgr.dev",
  "docker.elastic.co",
  "registry.access.redhat.com",
  "registry.gitlab.com",
  "registry.suse.com",
  "registry.opensuse.org",
  "nvcr.io/nvidia",
  "cr.l5d.io",
  "cr.fluentbit.io",
  "docker.redpanda.com",
  "lscr.io",
  "oci.external-secrets.io",
  "registry.opensource.zalan.do",
];

/**
 * Registries that always need credentials: cloud registries of one account or project,
 * registries that require a login for every image, and names that only resolve inside a
 * network (localhost, `.internal`, `.local`, `.svc.cluster.local`). Checked after the public
 * list, so a public path under a private domain (`gcr.io/distroless`) stays public.
 */
export const DEFAULT_PRIVATE_REGISTRIES: readonly string[] = [
  "*.dkr.ecr.*.amazonaws.com",
  "*.dkr.ecr.*.amazonaws.com.cn",
  "*.azurecr.io",
  "*.pkg.dev",
  "gcr.io",
  "*.gcr.io",
  "*.ocir.io",
  "*.jfrog.io",
  "registry.redhat.io",
  "docker.pkg.github.com",
  "localhost",
  "localhost:*",
  "127.0.0.1",
  "127.0.0.1:*",
  "*.internal",
  "*.*.internal",
  "*.internal:*",
  "*.*.internal:*",
  "*.local",
  "*.*.local",
  "*.local:*",
  "10.*.*.*",
  "10.*.*.*:*",
  "172.*.*.*",
  "172.*.*.*:*",
  "192.168.*.*",
  "192.168.*.*:*",
  "*.svc.cluster.local",
  "*.*.svc.cluster.local",
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
  if (patternPath === "") return true;
  if (patternPath.endsWith("*")) return path.startsWith(patternPath.slice(0, -1));
  return path === patternPath || path.startsWith(`${patternPath}/`);
}

/** The lists a profile resolves visibility with (its own declarations come first). */
export interface VisibilityLists {
  publicRegistries: readonly string[];
  privateRegistries: readonly string[];
}

export const DEFAULT_VISIBILITY_LISTS: VisibilityLists = {
  publicRegistries: DEFAULT_PUBLIC_REGISTRIES,
  privateRegistries: DEFAULT_PRIVATE_REGISTRIES,
};

/** A compiled pair of lists with the answers it has given (a fleet has few distinct repositories). */
interface VisibilityMatcher {
  answers: Map<string, RegistryVisibility>;
}
const MAX_ANSWERS = 50_000;
// Keyed by the lists' array objects: a profile's settings are resolved once and reused for every
// container, so each profile compiles once.
const matchers = new WeakMap<readonly string[], WeakMap<readonly string[], VisibilityMatcher>>();

function matcherFor(lists: VisibilityLists): VisibilityMatcher {
  let byPrivate = matchers.get(lists.publicRegistries);
  if (!byPrivate) {
    byPrivate = new WeakMap();
    matchers.set(lists.publicRegistries, byPrivate);
  }
  let matcher = byPrivate.get(lists.privateRegistries);
  if (!matcher) {
    matcher = { answers: new Map() };
    byPrivate.set(lists.privateRegistries, matcher);
  }
  return matcher;
}

/**
 * Public, private or unknown. The more specific pattern wins when both lists match
 * (`gcr.io/distroless` is public although `gcr.io` is private); on a tie, public.
 */
export function registryVisibility(
  ref: Pick<ImageReference, "domain" | "path">,
  lists: VisibilityLists = DEFAULT_VISIBILITY_LISTS,
): RegistryVisibility {
  const domain = ref.domain || "docker.io";
  const matcher = matcherFor(lists);
  const key = `${domain}/${ref.path}`;
  const known = matcher.answers.get(key);
  if (known) return known;
  const best = (patterns: readonly string[]) =>
    Math.max(-1, ...patterns.filter((p) => registryMatches(p, domain, ref.path)).map((p) => p.length));
  const pub = best(lists.publicRegistries);
  const priv = best(lists.privateRegistries);
  const answer = pub < 0 && priv < 0 ? "unknown" : pub >= priv ? "public" : "private";
  if (matcher.answers.size >= MAX_ANSWERS) matcher.answers.clear();
  matcher.answers.set(key, answer);
  return answer;
}
