// Image references exactly as distribution/reference parses them (ParseNormalizedNamed, which
// Kubernetes uses for defaulting and the kubelet for pulling), with go-digest's validation.
//
//   reference        := name [ ":" tag ] [ "@" digest ]
//   name             := [domain '/'] remote-name
//   domain           := host [':' port-number]
//   host             := domain-name | '[' IPv6address ']'
//   domain-name      := domain-component ['.' domain-component]*
//   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
//   remote-name      := path-component ['/' path-component]*
//   path-component   := /[a-z0-9]+/ [separator /[a-z0-9]+/]*   separator := /[_.]|__|[-]+/
//   tag              := /[\w][\w.-]{0,127}/
//   digest           := algorithm ":" /[0-9a-fA-F]{32,}/
//
// The grammar is scanned by hand rather than with the upstream regular expressions: JavaScript's
// backtracking engine can take super-linear time on them, and these parsers see untrusted input.
// Every function here runs in time linear in its input.
import { InvalidImageReferenceError } from "./errors.ts";
import { atLeastMinor } from "./kube-version.ts";

/** Shared between callers (parses are cached), so never changed once made. */
export interface ImageReference {
  /** "docker.io", "ghcr.io", "localhost:5000"; "" only in distribution's odd cases (see tests). */
  readonly domain: string;
  /** "library/nginx" */
  readonly path: string;
  /** domain + "/" + path */
  readonly name: string;
  readonly tag: string | null;
  /** "sha256:…" */
  readonly digest: string | null;
  /** How docker shows the name: "nginx", "bitnami/redis", "ghcr.io/org/app". */
  readonly familiarName: string;
}

export const DEFAULT_DOMAIN = "docker.io";
const LEGACY_DEFAULT_DOMAIN = "index.docker.io";
const OFFICIAL_REPO_PREFIX = "library/";
const NAME_TOTAL_LENGTH_MAX = 255;

/**
 * How a cluster's Kubernetes validates references. distribution/reference v0.6.0 (vendored from
 * Kubernetes 1.32) applies the 255-character limit to the path only; earlier releases to the
 * whole name, domain included (distribution/reference#9).
 */
export interface ReferenceRules {
  lengthLimitOn: "name" | "path";
}

/** The current rules: what Kubernetes 1.32 and later do. */
export const CURRENT_REFERENCE_RULES: ReferenceRules = { lengthLimitOn: "path" };

/** The rules of a cluster's version (`v1.31.4`); the current ones when the version is unknown. */
export function referenceRulesFor(gitVersion: string | null | undefined): ReferenceRules {
  return atLeastMinor(gitVersion, 32) ? CURRENT_REFERENCE_RULES : { lengthLimitOn: "name" };
}
const TAG_MAX = 128;

/** go-digest's registered algorithms and their hex lengths (Kubernetes links sha256 and sha512). */
const DIGEST_HEX_LENGTH = new Map([
  ["sha256", 64],
  ["sha384", 96],
  ["sha512", 128],
]);

const code = (s: string, i: number) => s.charCodeAt(i);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isLower = (c: number) => c >= 97 && c <= 122;
const isUpper = (c: number) => c >= 65 && c <= 90;
const isLowerAlnum = (c: number) => isLower(c) || isDigit(c);
const isAlnum = (c: number) => isLower(c) || isUpper(c) || isDigit(c);
const isWord = (c: number) => isAlnum(c) || c === 95; // \w in Go's RE2: [0-9A-Za-z_]
const isHex = (c: number) => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const isLowerHex = (c: number) => isDigit(c) || (c >= 97 && c <= 102);

function isDomainComponent(s: string): boolean {
  if (s.length === 0 || !isAlnum(code(s, 0)) || !isAlnum(code(s, s.length - 1))) return false;
  for (let i = 1; i < s.length - 1; i++) {
    const c = code(s, i);
    if (!isAlnum(c) && c !== 45) return false;
  }
  return true;
}

function isPort(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isDigit(code(s, i))) return false;
  return true;
}

/** host [':' port], the whole string. */
export function isDomainAndPort(s: string): boolean {
  let host = s;
  let port: string | null = null;
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close < 2) return false;
    for (let i = 1; i < close; i++) {
      const c = code(s, i);
      if (!isHex(c) && c !== 58) return false;
    }
    const rest = s.slice(close + 1);
    if (rest === "") return true;
    return rest.startsWith(":") && isPort(rest.slice(1));
  }
  const colon = s.indexOf(":");
  if (colon >= 0) {
    host = s.slice(0, colon);
    port = s.slice(colon + 1);
    if (!isPort(port)) return false;
  }
  if (host.length === 0) return false;
  let start = 0;
  for (let i = 0; i <= host.length; i++) {
    if (i === host.length || code(host, i) === 46) {
      if (!isDomainComponent(host.slice(start, i))) return false;
      start = i + 1;
    }
  }
  return true;
}

/** [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)* */
function isPathComponent(s: string): boolean {
  const n = s.length;
  if (n === 0 || !isLowerAlnum(code(s, 0)) || !isLowerAlnum(code(s, n - 1))) return false;
  let i = 0;
  while (i < n) {
    while (i < n && isLowerAlnum(code(s, i))) i++;
    if (i === n) return true;
    const sepStart = i;
    while (i < n && !isLowerAlnum(code(s, i))) i++;
    const sep = s.slice(sepStart, i);
    if (!(sep === "." || sep === "_" || sep === "__" || /^-+$/.test(sep))) return false;
  }
  return true;
}

function isRemoteName(s: string): boolean {
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i === s.length || code(s, i) === 47) {
      if (!isPathComponent(s.slice(start, i))) return false;
      start = i + 1;
    }
  }
  return true;
}

function isTag(s: string): boolean {
  if (s.length === 0 || s.length > TAG_MAX || !isWord(code(s, 0))) return false;
  for (let i = 1; i < s.length; i++) {
    const c = code(s, i);
    if (!isWord(c) && c !== 46 && c !== 45) return false;
  }
  return true;
}

/** distribution's digestPat: [A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)* ":" [0-9a-fA-F]{32,} */
function matchesDigestPattern(s: string): boolean {
  const colon = s.indexOf(":");
  if (colon < 1) return false;
  const algorithm = s.slice(0, colon);
  const hex = s.slice(colon + 1);
  if (hex.length < 32) return false;
  for (let i = 0; i < hex.length; i++) if (!isHex(code(hex, i))) return false;
  let expectLetter = true;
  for (let i = 0; i < algorithm.length; i++) {
    const c = code(algorithm, i);
    if (expectLetter) {
      if (!isUpper(c) && !isLower(c)) return false;
      expectLetter = false;
    } else if (c === 45 || c === 95 || c === 43 || c === 46) {
      expectLetter = true;
    } else if (!isAlnum(c)) {
      return false;
    }
  }
  return !expectLetter;
}

/** go-digest's Digest.Validate, for a string that already matches the digest pattern. */
function digestProblem(digest: string): string | null {
  const colon = digest.indexOf(":");
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = DIGEST_HEX_LENGTH.get(algorithm);
  if (length === undefined) return "unsupported digest algorithm";
  if (hex.length !== length) return "invalid checksum digest length";
  for (let i = 0; i < hex.length; i++) if (!isLowerHex(code(hex, i))) return "invalid checksum digest format";
  return null;
}

interface Parsed {
  domain: string;
  path: string;
  tag: string | null;
  digest: string | null;
}

/** The anchored reference pattern; null when it does not match. */
function matchReference(s: string): Parsed | null {
  let rest = s;
  let digest: string | null = null;
  const at = s.indexOf("@");
  if (at >= 0) {
    digest = s.slice(at + 1);
    rest = s.slice(0, at);
    if (!matchesDigestPattern(digest)) return null;
  }
  const splitTag = (nameAndTag: string): { remote: string; tag: string | null } | null => {
    const colon = nameAndTag.indexOf(":");
    if (colon < 0) return { remote: nameAndTag, tag: null };
    const tag = nameAndTag.slice(colon + 1);
    return isTag(tag) ? { remote: nameAndTag.slice(0, colon), tag } : null;
  };
  // With a domain: it can only end at the first "/" (domains contain no "/").
  const slash = rest.indexOf("/");
  if (slash >= 0 && isDomainAndPort(rest.slice(0, slash))) {
    const parts = splitTag(rest.slice(slash + 1));
    if (parts && isRemoteName(parts.remote)) {
      return { domain: rest.slice(0, slash), path: parts.remote, tag: parts.tag, digest };
    }
  }
  // Without one: the whole name is a remote name, and cannot also be split into a domain
  // (had it been splittable, the branch above would have matched).
  const parts = splitTag(rest);
  if (parts && isRemoteName(parts.remote)) return { domain: "", path: parts.remote, tag: parts.tag, digest };
  return null;
}

/** distribution/reference's Parse: a reference without normalisation. Throws the reason. */
export function parseReferenceStrict(s: string, rules: ReferenceRules = CURRENT_REFERENCE_RULES): Parsed {
  if (s === "") throw new InvalidImageReferenceError(s, "repository name must have at least one component");
  const parsed = matchReference(s);
  if (!parsed) {
    const lower = s.toLowerCase();
    if (lower !== s && matchReference(lower)) {
      throw new InvalidImageReferenceError(s, "repository name must be lowercase");
    }
    throw new InvalidImageReferenceError(s, "invalid reference format");
  }
  // Before v0.6.0 the whole name, domain included; from it the path only (see ReferenceRules).
  const nameLength =
    parsed.domain && rules.lengthLimitOn === "name"
      ? parsed.domain.length + 1 + parsed.path.length
      : parsed.path.length;
  if (nameLength > NAME_TOTAL_LENGTH_MAX) {
    throw new InvalidImageReferenceError(
      s,
      `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`,
    );
  }
  if (parsed.digest) {
    const problem = digestProblem(parsed.digest);
    if (problem) throw new InvalidImageReferenceError(s, problem);
  }
  return parsed;
}

function isIdentifier(s: string): boolean {
  if (s.length !== 64) return false;
  for (let i = 0; i < 64; i++) if (!isLowerHex(code(s, i))) return false;
  return true;
}

/** distribution's splitDockerDomain. */
function splitDockerDomain(name: string): [domain: string, remainder: string] {
  const slash = name.indexOf("/");
  if (slash < 0) return [DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX + name];
  const maybeDomain = name.slice(0, slash);
  const maybeRemote = name.slice(slash + 1);
  let domain: string;
  let remote: string;
  if (maybeDomain === "localhost") [domain, remote] = [maybeDomain, maybeRemote];
  else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) [domain, remote] = [DEFAULT_DOMAIN, maybeRemote];
  else if (maybeDomain.includes(".") || maybeDomain.includes(":"))
    [domain, remote] = [maybeDomain, maybeRemote];
  else if (maybeDomain.toLowerCase() !== maybeDomain) [domain, remote] = [maybeDomain, maybeRemote];
  else [domain, remote] = [DEFAULT_DOMAIN, name];
  if (domain === DEFAULT_DOMAIN && !remote.includes("/")) remote = OFFICIAL_REPO_PREFIX + remote;
  return [domain, remote];
}

/** The name docker shows: docker.io and a single-level library/ removed. */
export function familiarName(domain: string, path: string): string {
  if (domain !== DEFAULT_DOMAIN) return domain ? `${domain}/${path}` : path;
  if (path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes("/")) return rest;
  }
  return path;
}

/**
 * Parses an image reference the way Kubernetes does (distribution/reference's
 * ParseNormalizedNamed): docker.io by default, library/ for single names, lowercase
 * repository, tag of at most 128 characters, digest `algorithm:hex` validated like go-digest.
 * Throws InvalidImageReferenceError with distribution's reason for invalid input.
 */
export function parseImageReference(
  ref: string,
  rules: ReferenceRules = CURRENT_REFERENCE_RULES,
): ImageReference {
  const cache = PARSED[rules.lengthLimitOn];
  const known = cache.get(ref);
  if (known) return known;
  const parsed = Object.freeze(parseUncached(ref, rules));
  if (cache.size >= PARSED_LIMIT) cache.clear();
  cache.set(ref, parsed);
  return parsed;
}

/**
 * Valid references already parsed, by rules: a fleet runs few distinct images in many containers,
 * and a snapshot parses each container's image several times. Bounded: cleared when full.
 */
const PARSED: Record<ReferenceRules["lengthLimitOn"], Map<string, ImageReference>> = {
  name: new Map(),
  path: new Map(),
};
const PARSED_LIMIT = 10_000;

function parseUncached(ref: string, rules: ReferenceRules): ImageReference {
  if (typeof ref !== "string") throw new InvalidImageReferenceError(String(ref), "not a string");
  if (isIdentifier(ref)) {
    throw new InvalidImageReferenceError(
      ref,
      `invalid repository name (${ref}), cannot specify 64-byte hexadecimal strings`,
    );
  }
  const [domain, remainder] = splitDockerDomain(ref);
  const colon = remainder.indexOf(":");
  const remote = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw new InvalidImageReferenceError(
      ref,
      `invalid reference format: repository name (${remote}) must be lowercase`,
    );
  }
  let parsed: Parsed;
  try {
    parsed = parseReferenceStrict(`${domain}/${remainder}`, rules);
  } catch (error) {
    // Report against what the user wrote, not the normalised string.
    if (error instanceof InvalidImageReferenceError) throw new InvalidImageReferenceError(ref, error.reason);
    throw error;
  }
  const name = parsed.domain ? `${parsed.domain}/${parsed.path}` : parsed.path;
  return {
    domain: parsed.domain,
    path: parsed.path,
    name,
    tag: parsed.tag,
    digest: parsed.digest,
    familiarName: familiarName(parsed.domain, parsed.path),
  };
}

/** Like parseImageReference, but returns null instead of throwing. */
export function tryParseImageReference(
  ref: string,
  rules: ReferenceRules = CURRENT_REFERENCE_RULES,
): ImageReference | null {
  try {
    return parseImageReference(ref, rules);
  } catch (error) {
    if (error instanceof InvalidImageReferenceError) return null;
    throw error;
  }
}
