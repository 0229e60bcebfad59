/** What a person can act on when a pull fails. */
export type FailureCause =
  | "not-found"
  | "unauthorized"
  | "credential-provider"
  | "policy-refused"
  | "rate-limited"
  | "kubelet-throttled"
  | "signature"
  | "network"
  | "tls"
  | "timeout"
  | "invalid-name"
  | "never-pull"
  | "unknown";

export const FAILURE_CAUSES: readonly FailureCause[] = [
  "not-found",
  "unauthorized",
  "credential-provider",
  "policy-refused",
  "rate-limited",
  "kubelet-throttled",
  "signature",
  "network",
  "tls",
  "timeout",
  "invalid-name",
  "never-pull",
  "unknown",
];

/** Where a failure's cause was read: the container's waiting state (1.32+ keeps it there) or kubelet events. */
export type CauseSource = "status" | "events";

// Checked in order; the first cause with a matching signal wins. Order matters where one message
// carries several signals: Docker Hub's "pull access denied, repository does not exist or may
// require authorization" is reported as unauthorized (the registry denied access; it does not say
// the image is missing), "TLS handshake timeout" as a timeout, and a 412 from a registry's token
// endpoint ("failed to fetch oauth token: … 412 Precondition Failed") as a policy refusal, not as
// missing credentials.
// Every pattern is a plain alternation without nested quantifiers: linear on any input.
const SIGNALS: ReadonlyArray<readonly [FailureCause, RegExp]> = [
  [
    "invalid-name",
    /invalid reference format|couldn't parse image|InvalidImageName|must be lowercase|cannot specify 64-byte hexadecimal/i,
  ],
  ["never-pull", /ErrImageNeverPull|pull policy of Never/i],
  // The kubelet's own token bucket (registryPullQPS/registryBurst), before any request leaves the node.
  ["kubelet-throttled", /pull QPS exceeded/i],
  // CRI-O refuses images its signature policy rejects; the kubelet names the CRI error.
  ["signature", /SignatureValidationFailed|signature validation failed|Source image rejected/i],
  // A registry refusing by policy: a vulnerability gate, or Container Registry shutting down.
  ["policy-refused", /\b412\b|Precondition Failed|deprecated and shutting down/i],
  ["rate-limited", /toomanyrequests|too many requests|\b429\b|rate limit|pull rate/i],
  [
    "unauthorized",
    /unauthorized|authentication required|access denied|denied:|requested access to the resource is denied|insufficient_scope|authorization failed|\b401\b|\b403\b|forbidden|no basic auth credentials|failed to fetch (?:anonymous|oauth) token|may require 'docker login'|may require authorization/i,
  ],
  [
    "not-found",
    /manifest unknown|not found|\b404\b|does not exist|no such image|name unknown|code = NotFound/i,
  ],
  ["timeout", /timeout|timed out|deadline exceeded|Client\.Timeout/i],
  ["tls", /x509|certificate|tls:|\bTLS\b|handshake failure|ssl/i],
  [
    "network",
    /no such host|connection refused|connection reset|network is unreachable|no route to host|server misbehaving|dial tcp|dial udp|lookup |\bEOF\b|broken pipe|registry is unavailable|RegistryUnavailable|\b50[0234]\b|bad gateway|service unavailable|proxyconnect/i,
  ],
];

/** Classifies a registry or runtime error message into a cause a person can act on. */
export function classifyPullFailure(message: string): FailureCause {
  // Bound the work on hostile input: the signal is at the start of any real message.
  const text = message.length > 16_384 ? message.slice(0, 16_384) : message;
  for (const [cause, pattern] of SIGNALS) if (pattern.test(text)) return cause;
  return "unknown";
}

/**
 * A kubelet whose credential provider fails logs the error and pulls anonymously: the pod sees
 * only the registry's 401. Where a node credential provider serves the registry, a refusal of
 * credentials is that provider's failure, not a missing pull secret.
 */
export function withCredentialProvider(cause: FailureCause, nodeCredentialProvider: boolean): FailureCause {
  return cause === "unauthorized" && nodeCredentialProvider ? "credential-provider" : cause;
}
