import { tryParseImageReference } from "./image-reference.ts";

/**
 * The image a node runs, from `status.containerStatuses[].imageID`, in every runtime's format:
 * - containerd / CRI-O: `docker.io/library/nginx@sha256:…`
 * - dockershim: `docker-pullable://nginx@sha256:…` (pulled from a registry),
 *   `docker://sha256:…` (an image id, e.g. built or loaded locally)
 * - bare `sha256:…` (an image id with no repository)
 * - empty while the container has not started
 * `name` is normalised like parseImageReference's (`docker.io/library/nginx`), or as written when
 * it does not parse; `digest` is `algorithm:hex` or null.
 */
export function parseImageID(imageID: string): { name: string | null; digest: string | null } {
  if (typeof imageID !== "string") return { name: null, digest: null };
  let s = imageID.trim();
  const scheme = s.indexOf("://");
  if (scheme >= 0 && scheme < 32 && /^[a-z][a-z0-9+.-]*$/.test(s.slice(0, scheme))) s = s.slice(scheme + 3);
  if (s === "") return { name: null, digest: null };
  const at = s.lastIndexOf("@");
  const isDigest = (d: string) =>
    /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/.test(d);
  if (at < 0) {
    if (isDigest(s)) return { name: null, digest: s };
    // A name with no digest (some runtimes report the tag while the image resolves).
    const ref = tryParseImageReference(s);
    return { name: ref ? ref.name : s, digest: null };
  }
  const namePart = s.slice(0, at);
  const digestPart = s.slice(at + 1);
  const digest = isDigest(digestPart) ? digestPart : null;
  if (namePart === "") return { name: null, digest };
  const ref = tryParseImageReference(namePart);
  return { name: ref ? ref.name : namePart, digest };
}
