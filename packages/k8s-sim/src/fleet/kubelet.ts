// What the kubelet writes: event messages in each version's wording, Go duration strings,
// imageID in each runtime's format, registry errors by cause.

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

export type SimFailure = "not-found" | "unauthorized" | "rate-limited" | "network" | "tls" | "timeout";

/** A registry error as containerd reports it, by cause. */
export function registryError(image: string, canonical: string, tag: string, cause: SimFailure): string {
  const ref = `${canonical}:${tag || "latest"}`;
  const head = `rpc error: code = Unknown desc = failed to pull and unpack image ${q(ref)}: failed to resolve reference ${q(ref)}`;
  const host = canonical.split("/")[0];
  switch (cause) {
    case "not-found":
      return `rpc error: code = NotFound desc = failed to pull and unpack image ${q(ref)}: failed to resolve reference ${q(ref)}: ${ref}: not found`;
    case "unauthorized":
      return `${head}: failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://${host}/token?scope=repository%3A${encodeURIComponent(canonical.split("/").slice(1).join("/"))}%3Apull: 401 Unauthorized`;
    case "rate-limited":
      return `${head}: unexpected status from HEAD request to https://registry-1.docker.io/v2/${canonical.split("/").slice(1).join("/")}/manifests/${tag || "latest"}: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit`;
    case "network":
      return `${head}: failed to do request: Head "https://${host}/v2/": dial tcp: lookup ${host} on 10.96.0.10:53: no such host`;
    case "tls":
      return `${head}: failed to do request: Head "https://${host}/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority`;
    case "timeout":
      return `${head}: failed to do request: Head "https://${host}/v2/": dial tcp 10.20.30.40:443: i/o timeout`;
  }
  return image;
}

export type Runtime = "containerd" | "docker" | "cri-o";

/** status.containerStatuses[].imageID in the node runtime's format. */
export function imageID(runtime: Runtime, written: string, canonical: string, digest: string): string {
  if (runtime === "docker") return `docker-pullable://${written}@${digest}`;
  return `${canonical}@${digest}`;
}
