// Asking a registry whether a reference still resolves: the words for its answers, where a registry
// is reached, the bearer challenge it sends (RFC 9110 §11.6.1 auth-params, as the Docker token
// flow uses them) and the credentials a Docker config file holds for it. No I/O here.
import { tryParseImageReference } from "./image-reference.ts";

/**
 * What a registry said of a reference. resolved: it names a digest; not-found: 404 (tag or
 * repository gone); unauthorized: 401/403 with the credentials held; refused: 412 (a policy gate,
 * a registry shutting down); rate-limited: 429 and no answer before the round ended; unreachable:
 * no HTTP answer (connection, timeout, circuit open); failing: 5xx or an answer without a digest.
 */
export const PROBE_OUTCOMES = [
  "resolved",
  "not-found",
  "unauthorized",
  "refused",
  "rate-limited",
  "unreachable",
  "failing",
] as const;
export type ProbeOutcome = (typeof PROBE_OUTCOMES)[number];

/** Answers that say something about the reference (the others say something about the registry). */
export const CONCLUSIVE_OUTCOMES: readonly ProbeOutcome[] = [
  "resolved",
  "not-found",
  "unauthorized",
  "refused",
];

/** How many of a round's references got no answer about the reference itself (counts by outcome). */
export function unansweredOf(outcomes: Readonly<Record<string, number | undefined>>): number {
  return Object.entries(outcomes).reduce(
    (n, [o, count]) => (CONCLUSIVE_OUTCOMES.includes(o as ProbeOutcome) ? n : n + (count ?? 0)),
    0,
  );
}

/**
 * Why a running image is at risk of not pulling as it runs now: the registry no longer serves it
 * (not-found, refused, unauthorized: PS019) or serves different content under its tag (tag-moved:
 * PS020). The "Will it pull?" view and its CSV filter by these.
 */
export const AT_RISK_CAUSES = ["not-found", "refused", "unauthorized", "tag-moved"] as const;
export type AtRiskCause = (typeof AT_RISK_CAUSES)[number];

/** The rules whose findings are references at risk. */
export const AT_RISK_RULES = { latent: "PS019", moved: "PS020" } as const;

/** The media types a manifest HEAD accepts: an index first, so the digest is the one nodes record. */
export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** The outcome an HTTP status means for a manifest request (after any token exchange). */
export function outcomeOfStatus(status: number): ProbeOutcome {
  if (status >= 200 && status < 300) return "resolved";
  if (status === 404) return "not-found";
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 412) return "refused";
  if (status === 429) return "rate-limited";
  return "failing";
}

/** Where to ask about one image: the registry's name, the repository and the tag or digest. */
export interface ProbeTarget {
  registry: string;
  repository: string;
  /** The digest where the image names one (what a node pulls), else the tag ("latest" if none). */
  reference: string;
}

export function probeTarget(image: string): ProbeTarget | null {
  const ref = tryParseImageReference(image);
  if (!ref) return null;
  return {
    registry: ref.domain || "docker.io",
    repository: ref.path,
    reference: ref.digest ?? ref.tag ?? "latest",
  };
}

/** Registry names that are one registry: Docker Hub's aliases. */
const DOCKER_HUB = new Set([
  "docker.io",
  "index.docker.io",
  "registry-1.docker.io",
  "registry.hub.docker.com",
]);

/** A registry name as configs and references write it, reduced to the name references resolve to. */
export function canonicalRegistry(written: string): string {
  const host = written
    .trim()
    .replace(/^[a-z]+:\/\//i, "")
    .split("/")[0]
    ?.toLowerCase();
  if (!host) return "";
  return DOCKER_HUB.has(host) ? "docker.io" : host;
}

/**
 * The base URL of a registry's API: an operator's override (a mirror, a proxy), else HTTPS on the
 * registry's host (Docker Hub's API host for docker.io); plain HTTP only for localhost, as
 * containerd does.
 */
export function registryEndpoint(
  registry: string,
  overrides: ReadonlyMap<string, string> = new Map(),
): string {
  const own = overrides.get(registry);
  if (own) return own.replace(/\/+$/, "");
  if (registry === "docker.io") return "https://registry-1.docker.io";
  const host = registry.split(":")[0];
  return `${host === "localhost" || host === "127.0.0.1" ? "http" : "https"}://${registry}`;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;

/**
 * The challenges of a `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"`, several
 * separated by commas. Parameter names are case-insensitive (lower-cased here); quoted values
 * unescape `\x` to `x`. Returns what it could read up to the first malformed part.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < header.length && chars.test(header[i] as string)) i++;
  };
  const token = () => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(header);
    if (!m) return null;
    i = TOKEN.lastIndex;
    return m[0];
  };
  const quoted = () => {
    let v = "";
    for (i++; i < header.length; i++) {
      const c = header[i] as string;
      if (c === "\\") v += header[++i] ?? "";
      else if (c === '"') {
        i++;
        return v;
      } else v += c;
    }
    return null;
  };
  for (;;) {
    skip(/[\s,]/);
    const scheme = token();
    if (!scheme) return out;
    const challenge: Challenge = { scheme, params: {} };
    out.push(challenge);
    for (;;) {
      skip(/\s/);
      const start = i;
      const name = token();
      skip(/\s/);
      if (!name || header[i] !== "=") {
        i = start;
        break;
      }
      i++;
      skip(/\s/);
      const value = header[i] === '"' ? quoted() : token();
      if (value === null) return out;
      // Defined, not assigned: a parameter named `__proto__` is a parameter, not a prototype.
      Object.defineProperty(challenge.params, name.toLowerCase(), {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      skip(/\s/);
      if (header[i] !== ",") break;
      i++;
    }
  }
}

/** A username and password for one registry. */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/**
 * The credentials a Docker config file (`~/.docker/config.json`, a `kubernetes.io/dockerconfigjson`
 * Secret's content) holds per registry: `auths` entries with `auth` (base64 `user:password`) or
 * `username` and `password`. Keys are reduced to registry names (`https://index.docker.io/v1/` is
 * docker.io). Identity tokens and credential helpers are not read: they need a program to run.
 */
export function dockerConfigCredentials(config: unknown): Map<string, RegistryCredentials> {
  const out = new Map<string, RegistryCredentials>();
  const auths = (config as { auths?: unknown } | null)?.auths;
  if (!auths || typeof auths !== "object") return out;
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    const e = (entry ?? {}) as { auth?: unknown; username?: unknown; password?: unknown };
    let creds: RegistryCredentials | null = null;
    if (typeof e.auth === "string" && e.auth) {
      const decoded = decodeBase64(e.auth);
      const colon = decoded.indexOf(":");
      if (colon > 0) creds = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    } else if (typeof e.username === "string" && typeof e.password === "string") {
      creds = { username: e.username, password: e.password };
    }
    const registry = canonicalRegistry(key);
    if (creds && registry) out.set(registry, creds);
  }
  return out;
}

/** The Secret types the kubelet reads pull credentials from, and the data key each keeps them under. */
export const PULL_SECRET_KEYS = {
  "kubernetes.io/dockerconfigjson": ".dockerconfigjson",
  "kubernetes.io/dockercfg": ".dockercfg",
} as const;

/**
 * The credentials per registry of an image pull Secret as the API serves it (data base64): a
 * `dockerconfigjson` holds a Docker config (`auths`), the legacy `dockercfg` the `auths` map alone.
 * Null when the Secret is not a pull secret or its content cannot be read: the kubelet ignores it too.
 */
export function pullSecretCredentials(secret: unknown): Map<string, RegistryCredentials> | null {
  const s = (secret ?? {}) as { type?: unknown; data?: Record<string, unknown> };
  const key = PULL_SECRET_KEYS[s.type as keyof typeof PULL_SECRET_KEYS];
  const encoded = key ? s.data?.[key] : undefined;
  if (typeof encoded !== "string") return null;
  try {
    const parsed = JSON.parse(decodeBase64(encoded)) as unknown;
    return dockerConfigCredentials(s.type === "kubernetes.io/dockercfg" ? { auths: parsed } : parsed);
  } catch {
    return null;
  }
}

/** Base64 to UTF-8 text with the platform's own decoders; "" when it is not base64. */
function decodeBase64(s: string): string {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)));
  } catch {
    return "";
  }
}

/**
 * Seconds or an HTTP date in `Retry-After`, as the instant (ms) a client may ask again; null when
 * absent or unreadable.
 */
export function retryAfterAt(header: string | null | undefined, now: number): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return now + Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(now, at);
}

/** `RateLimit-Remaining: 76;w=21600` (Docker Hub's form): the number before any parameter. */
export function rateLimitNumber(header: string | null | undefined): number | null {
  const m = /^\s*(\d+)/.exec(header ?? "");
  return m ? Number(m[1]) : null;
}
