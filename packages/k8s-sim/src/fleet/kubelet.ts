// The simulated kubelet: whether it pulls (by policy and node cache), what it writes (event
// messages in each version's wording, Go duration strings, imageID in each runtime's format,
// registry errors by cause) and its configuration as /configz reports it.
import { recordEnsure, recordPluginError, recordPull, type Tristate } from "./kubelet-metrics.ts";
import type { SimContainer, SimContainerState, SimNode, SimPod } from "./model.ts";
import type { Random } from "./random.ts";
import type { EventRecorder } from "./recorder.ts";
import type { SimRegistry } from "./registry.ts";

/** Go's time.Duration.String for a whole number of nanoseconds. */
export function goDuration(ns: number): string {
  if (ns === 0) return "0s";
  let u = Math.round(ns);
  const frac = (v: number, digits: number) => {
    const s = String(v).padStart(digits, "0").replace(/0+$/, "");
    return s ? `.${s}` : "";
  };
  if (u < 1e3) return `${u}ns`;
  if (u < 1e6) return `${Math.floor(u / 1e3)}${frac(u % 1e3, 3)}µs`;
  if (u < 1e9) return `${Math.floor(u / 1e6)}${frac(u % 1e6, 6)}ms`;
  const h = Math.floor(u / 3.6e12);
  u %= 3.6e12;
  const m = Math.floor(u / 6e10);
  u %= 6e10;
  const s = `${Math.floor(u / 1e9)}${frac(u % 1e9, 9)}s`;
  return h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
}

export const minorOf = (gitVersion: string) => Number(/^v1\.(\d+)/.exec(gitVersion)?.[1] ?? 30);

const q = (s: string) => JSON.stringify(s);

/** The BackOff event: it never names the cause. */
export function backOffMessage(image: string): string {
  return `Back-off pulling image ${q(image)}`;
}

/**
 * What pod status shows after a failed pull: right after an attempt, the error's name and the
 * kubelet's message; in back-off, ImagePullBackOff, whose message carries the previous attempt's
 * error from 1.32 (image_manager.go prevPullErrMsg) and nothing before. Which of the two a
 * snapshot meets depends on timing; a quarter of pods (by uid) are met right after an attempt.
 */
function waitingAfterFailure(minor: number, p: SimPod, image: string, err: string, name: PullErrorName) {
  const message = attemptMessage(image, err, name);
  if (Number.parseInt(p.uid.slice(-2), 16) % 4 === 0) return { reason: name, message };
  return {
    reason: "ImagePullBackOff",
    message: minor >= 32 ? `${backOffMessage(image)}: ${name}: ${message}` : backOffMessage(image),
  };
}

export function pullingMessage(image: string): string {
  return `Pulling image ${q(image)}`;
}

export function alreadyPresentMessage(image: string, minor: number): string {
  return minor >= 33
    ? `Container image ${q(image)} already present on machine and can be accessed by the pod`
    : `Container image ${q(image)} already present on machine`;
}

/** Pulled after a pull, in the wording of the cluster's kubelet; durations in nanoseconds. */
export function pulledMessage(
  image: string,
  minor: number,
  pullNs: number,
  waitNs: number,
  sizeBytes: number,
): string {
  if (minor < 19) return `Successfully pulled image ${q(image)}`;
  if (minor < 28) return `Successfully pulled image ${q(image)} in ${goDuration(pullNs)}`;
  const ms = (ns: number) => Math.floor(ns / 1e6) * 1e6; // Truncate(time.Millisecond)
  const head = `Successfully pulled image ${q(image)} in ${goDuration(ms(pullNs))} (${goDuration(ms(waitNs))} including waiting)`;
  return minor < 30 ? head : `${head}. Image size: ${sizeBytes} bytes.`;
}

export type SimFailure =
  | "not-found"
  | "unauthorized"
  | "rate-limited"
  | "network"
  | "tls"
  | "timeout"
  | "policy-refused"
  | "kubelet-throttled"
  | "signature";

/** The kubelet's error name for a failed pull: its own, or the CRI error the runtime returned. */
export type PullErrorName = "ErrImagePull" | "SignatureValidationFailed";

const GRPC_UNKNOWN = "rpc error: code = Unknown desc = ";

/**
 * A failed pull as the kubelet sees it, by cause: the runtime's error (containerd's wording, or
 * CRI-O's for signature policy; the kubelet's own for its pull throttle) and its error name.
 * From 1.28 the kubelet's CRI client drops the gRPC prefix of an Unknown status
 * (k8s.io/cri-client remote_image.go). `at` varies the address a timeout names, as DNS
 * round-robin does, so repeated attempts differ and client-go's aggregator can combine them.
 */
export function pullError(
  canonical: string,
  tag: string,
  cause: SimFailure,
  minor: number,
  at: number,
): { err: string; name: PullErrorName } {
  if (cause === "kubelet-throttled") return { err: "pull QPS exceeded.", name: "ErrImagePull" };
  if (cause === "signature")
    return {
      err: "SignatureValidationFailed: Source image rejected: A signature was required, but no signature exists",
      name: "SignatureValidationFailed",
    };
  const err = registryError(canonical, tag, cause, at);
  return {
    err: minor >= 28 && err.startsWith(GRPC_UNKNOWN) ? err.slice(GRPC_UNKNOWN.length) : err,
    name: "ErrImagePull",
  };
}

/** The waiting message the kubelet writes for a pull error (evalCRIPullErr). */
function attemptMessage(image: string, err: string, name: PullErrorName): string {
  if (name === "SignatureValidationFailed")
    return `image pull failed for ${image} because the signature validation failed${err.slice(name.length)}`;
  return err;
}

/** A registry error as containerd reports it, by cause. */
function registryError(canonical: string, tag: string, cause: SimFailure, at: number): string {
  const ref = `${canonical}:${tag || "latest"}`;
  const head = `${GRPC_UNKNOWN}failed to pull and unpack image ${q(ref)}: failed to resolve reference ${q(ref)}`;
  const host = canonical.split("/")[0];
  const path = canonical.split("/").slice(1).join("/");
  const minute = Math.floor(at / 60_000);
  switch (cause) {
    case "not-found":
      return `rpc error: code = NotFound desc = failed to pull and unpack image ${q(ref)}: failed to resolve reference ${q(ref)}: ${ref}: not found`;
    case "unauthorized":
      return `${head}: failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://${host}/token?scope=repository%3A${encodeURIComponent(path)}%3Apull: 401 Unauthorized`;
    case "rate-limited":
      return `${head}: unexpected status from HEAD request to https://registry-1.docker.io/v2/${path}/manifests/${tag || "latest"}: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit`;
    case "policy-refused":
      return `${head}: unexpected status from HEAD request to https://${host}/v2/${path}/manifests/${tag || "latest"}: 412 Precondition Failed`;
    case "network":
      return `${head}: failed to do request: Head "https://${host}/v2/": dial tcp: lookup ${host} on 10.96.0.10:53: no such host`;
    case "tls":
      return `${head}: failed to do request: Head "https://${host}/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority`;
    default:
      return `${head}: failed to do request: Head "https://${host}/v2/": dial tcp 10.20.${minute % 250}.${(minute >> 3) % 250}:443: i/o timeout`;
  }
}

export type Runtime = "containerd" | "docker" | "cri-o";

/** status.containerStatuses[].imageID in the node runtime's format. */
export function imageID(runtime: Runtime, written: string, canonical: string, digest: string): string {
  if (runtime === "docker") return `docker-pullable://${written}@${digest}`;
  return `${canonical}@${digest}`;
}

/** What a pull decision needs from its cluster. */
export interface PullContext {
  minor: number;
  registry: SimRegistry;
  rng: Random;
  recorder: EventRecorder;
  /** The pull secrets of a pod's ServiceAccount that exist. */
  validSecrets(p: SimPod): string[];
}

export interface PullOutcome {
  digest: string | null;
  waiting: { reason: string; message: string } | null;
  /** The container started: whether its Pulled event reached the API server (ground truth of coverage). */
  pulledEvent?: boolean;
  /** The container waits: why, in the product's words (ground truth of failure causes). */
  cause?: SimFailure | "invalid-name" | "never-pull";
}

/** The kubelet's decision for one container: pull or not, by policy and node cache; events. */
export function kubeletPull(
  ctx: PullContext,
  p: SimPod,
  node: SimNode,
  c: SimContainer,
  at: number,
): PullOutcome {
  const src = { pod: p, node, container: c };
  const ev = (
    reason: string,
    type: "Normal" | "Warning",
    message: string,
    pullNs: number | null = null,
    aggregate = false,
  ) => ctx.recorder.emit(src, { reason, type, message, at, pullNs }, aggregate);
  // "Error: <name>" comes from startContainer (kuberuntime_container.go), which an image volume's
  // pull (getImageVolumes, before any container) never reaches.
  const errorLine = (name: string) => {
    if (c.type !== "volume") ev("Failed", "Warning", `Error: ${name}`, null, true);
  };
  // Every call is one EnsureImageExists; an unparsable name fails before presence is known.
  const ensure = (present: Tristate, required: Tristate) =>
    recordEnsure(node.metrics, c.policy, present, required);
  if (!c.repo) {
    ensure("unknown", "unknown");
    const msg = `Failed to apply default image tag ${q(c.image)}: couldn't parse image reference ${q(c.image)}: invalid reference format: repository name (${c.image.split(":")[0]}) must be lowercase`;
    ev("InspectFailed", "Warning", msg, null, true);
    errorLine("InvalidImageName");
    return { digest: null, waiting: { reason: "InvalidImageName", message: msg }, cause: "invalid-name" };
  }
  const repo = c.repo;
  const refKey = `${repo.canonical}:${c.tag || "latest"}`;
  const present = c.digest ? node.images.has(`${repo.canonical}@${c.digest}`) : node.tags.has(refKey);
  const cachedDigest = c.digest ?? node.tags.get(refKey) ?? null;
  if (c.policy === "Never" || (c.policy === "IfNotPresent" && present)) {
    ensure(present ? "true" : "false", "false");
    if (present) {
      const pulledEvent = ev("Pulled", "Normal", alreadyPresentMessage(c.image, ctx.minor));
      const img = node.images.get(`${repo.canonical}@${cachedDigest}`);
      if (img) img.lastUsed = at;
      return { digest: cachedDigest, waiting: null, pulledEvent };
    }
    const msg = `Container image ${q(c.image)} is not present with pull policy of Never`;
    ev("ErrImageNeverPull", "Warning", msg, null, true);
    errorLine("ErrImageNeverPull");
    return { digest: null, waiting: { reason: "ErrImageNeverPull", message: msg }, cause: "never-pull" };
  }
  const incident = ctx.registry.incidentAt(repo.registry, at);
  let failure: SimFailure | null = null;
  // A failing exec plugin leaves the pull without credentials (pkg/credentialprovider/plugin).
  const pluginFailed = !!repo.nodeCredentials && !!incident?.credentialPluginDown;
  if (pluginFailed) recordPluginError(node.metrics);
  if (c.missingTag) failure = "not-found";
  else if (pluginFailed) failure = "unauthorized";
  else if (repo.private && !repo.nodeCredentials && ctx.validSecrets(p).length === 0)
    failure = "unauthorized";
  else if (incident?.failure) failure = incident.failure;
  ensure(present ? "true" : "false", "true");
  ev("Pulling", "Normal", pullingMessage(c.image));
  if (failure) {
    const { err, name } = pullError(repo.canonical, c.tag, failure, ctx.minor, at);
    ev("Failed", "Warning", `Failed to pull image ${q(c.image)}: ${err}`, null, true);
    errorLine(name);
    ev("BackOff", "Normal", backOffMessage(c.image), null, true);
    return {
      digest: present ? cachedDigest : null,
      waiting: waitingAfterFailure(ctx.minor, p, c.image, err, name),
      cause: failure,
    };
  }
  const digest = c.digest ?? ctx.registry.digestOf(repo, c.tag);
  const slow = incident?.slowdown ?? 1;
  const pullNs = Math.round(repo.pullSeconds * node.speed * slow * ctx.rng.logNormal(1, 0.35) * 1e9);
  const waitNs = Math.round(pullNs * (1 + ctx.rng.next() * 0.3));
  const pulledEvent = ev(
    "Pulled",
    "Normal",
    pulledMessage(c.image, ctx.minor, pullNs, waitNs, repo.sizeBytes),
    reportedPullNs(ctx.minor, pullNs),
  );
  recordPull(node.metrics, pullNs / 1e9, repo.sizeBytes);
  node.tags.set(refKey, digest);
  const names = [`${repo.canonical}@${digest}`, ...(c.tag ? [`${repo.canonical}:${c.tag}`] : [])];
  node.images.set(`${repo.canonical}@${digest}`, { names, sizeBytes: repo.sizeBytes, lastUsed: at });
  return { digest, waiting: null, pulledEvent };
}

/**
 * The kubelet's pulls for one pod (kuberuntime_manager.go SyncPod): image volumes first; while
 * one fails no container is created, so none pulls its image and each waits in
 * ContainerCreating (PodInitializing behind init containers). A retry keeps what started and
 * pulls what waits; what starts on a retry starts then.
 */
export function syncPodPulls(
  ctx: PullContext,
  p: SimPod,
  node: SimNode,
  at: number,
  previous: SimContainerState[] = [],
): SimContainerState[] {
  const before = new Map(previous.map((s) => [`${s.type}/${s.name}`, s]));
  const pull = (c: SimContainer): SimContainerState => {
    const old = before.get(`${c.type}/${c.name}`);
    if (old && !old.waiting) return old;
    const next: SimContainerState = { name: c.name, type: c.type, ...kubeletPull(ctx, p, node, c, at) };
    return old && !next.waiting ? { ...next, startedAt: at } : next;
  };
  const all = p.workload.containers;
  const volumes = all.filter((c) => c.type === "volume").map(pull);
  const blocked = volumes.find((v) => v.waiting);
  const reason = all.some((c) => c.type === "init") ? "PodInitializing" : "ContainerCreating";
  const containers = all
    .filter((c) => c.type !== "volume")
    .map(
      (c): SimContainerState =>
        blocked
          ? {
              name: c.name,
              type: c.type,
              digest: null,
              waiting: { reason, message: "" },
              blockedBy: blocked.name,
            }
          : pull(c),
    );
  return [...containers, ...volumes];
}

/**
 * The pull time a Pulled message states: none before 1.19, nanoseconds until 1.28, whole
 * milliseconds from then on.
 */
export function reportedPullNs(minor: number, pullNs: number): number | null {
  if (minor < 19) return null;
  return minor >= 28 ? Math.floor(pullNs / 1e6) * 1e6 : pullNs;
}

/**
 * A node's kubelet configuration as `/api/v1/nodes/{name}/proxy/configz` reports it (the
 * `kubeletconfig` object), by the node's position in the cluster. Every fourth node pulls in
 * parallel; maxParallelImagePulls exists from 1.27.
 */
export function kubeletConfig(index: number, minor: number, runtime: Runtime): Record<string, unknown> {
  const parallel = index % 4 === 3;
  return {
    enableServer: true,
    serializeImagePulls: !parallel,
    ...(minor >= 27 ? { maxParallelImagePulls: parallel ? 5 : null } : {}),
    registryPullQPS: 5,
    registryBurst: 10,
    imageGCHighThresholdPercent: 85,
    imageGCLowThresholdPercent: 80,
    imageMinimumGCAge: "2m0s",
    ...(minor >= 29 ? { imageMaximumGCAge: "0s" } : {}),
    // KEP-2535 (on by default from 1.35): configz shows the defaulted policy; every fourth node
    // checks the credentials of every cached image.
    ...(minor >= 35
      ? {
          imagePullCredentialsVerificationPolicy:
            index % 4 === 0 ? "AlwaysVerify" : "NeverVerifyPreloadedImages",
        }
      : {}),
    runtimeRequestTimeout: "2m0s",
    containerRuntimeEndpoint:
      runtime === "docker" ? "unix:///var/run/dockershim.sock" : "unix:///run/containerd/containerd.sock",
  };
}
