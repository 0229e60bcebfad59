// Kubelet image events (pkg/kubelet/images/image_manager.go, pkg/kubelet/kuberuntime), every
// wording since 1.18:
//   Pulling            Pulling image "X"
//   Pulled             Container image "X" already present on machine
//                      Container image "X" already present on machine and can be accessed by the pod   (1.33+)
//                      Successfully pulled image "X"                                                   (≤1.18)
//                      Successfully pulled image "X" in 1.2s                                           (1.19+)
//                      Successfully pulled image "X" in 1.2s (1.5s including waiting)                  (1.28+)
//                      Successfully pulled image "X" in 1.2s (1.5s including waiting). Image size: N bytes.  (1.30+)
//   Failed             Failed to pull image "X": <runtime error>
//                      Error: ErrImagePull | ImagePullBackOff | InvalidImageName | ErrImageNeverPull | …
//   BackOff            Back-off pulling image "X"   (no cause; from 1.32 the status message adds
//                      ": <ErrImagePull|RegistryUnavailable|SignatureValidationFailed>: <message>",
//                      kubelet pkg/kubelet/images/image_manager.go, prevPullErrMsg)
//   ErrImageNeverPull  Container image "X" is not present with pull policy of Never
//   InspectFailed      Failed to apply default image tag "X": couldn't parse image reference "X": …
//                      Failed to inspect image "X": <error>
// The same wordings appear in container status `state.waiting` (reasons ErrImagePull,
// ImagePullBackOff, InvalidImageName, ErrImageNeverPull, ImageInspectError, and the CRI errors
// RegistryUnavailable and SignatureValidationFailed whose message is "image pull failed for X
// because the registry is unavailable: …" / "… because the signature validation failed: …",
// evalCRIPullErr in image_manager.go), which this parser also reads.
// client-go's event aggregator (tools/record/events_cache.go) rewrites the message of an event
// whose (source, object, type, reason) had 10 distinct messages within 10 minutes to
// "(combined from similar events): <latest message>"; its count then counts every such event,
// whatever its message. The prefix is removed and the facts say `aggregated`.
// `kubectl describe` in 1.33+ prints "spec.containers{app}: " before the message; that prefix is
// removed. Images are Go %q-quoted in the kubelet's format strings and are unquoted here.
import { classifyPullFailure, type FailureCause } from "./failure-cause.ts";
import { parseGoDuration } from "./go-duration.ts";
import { readGoQuoted } from "./go-quote.ts";

export interface PullEventFacts {
  reason: string;
  /** The image exactly as the kubelet quoted it (the container's `image` field). */
  image: string | null;
  alreadyPresent: boolean;
  pullDurationSeconds: number | null;
  waitingDurationSeconds: number | null;
  imageSizeBytes: number | null;
  /** Null where the message names no cause (a BackOff event, an "Error: ErrImagePull" line). */
  failureCause: FailureCause | null;
  /** The message was rewritten by client-go's aggregator: its count is not a count of pulls. */
  aggregated: boolean;
}

/**
 * Waiting reasons of a container whose image could not be pulled: the kubelet's own
 * (pkg/kubelet/images/types.go) and the CRI's (k8s.io/cri-api/pkg/errors). ErrImageNeverPull is
 * apart: nothing was attempted.
 */
export const PULL_FAILURE_WAITING_REASONS = [
  "ErrImagePull",
  "ImagePullBackOff",
  "InvalidImageName",
  "ImageInspectError",
  "RegistryUnavailable",
  "SignatureValidationFailed",
] as const;

/** Whether a waiting reason is a failed pull's. */
export const isPullFailureReason = (reason: string) =>
  (PULL_FAILURE_WAITING_REASONS as readonly string[]).includes(reason);

/** Event and waiting reasons that concern image pulling. */
export const PULL_EVENT_REASONS = [
  "Pulling",
  "Pulled",
  "Failed",
  "BackOff",
  "ErrImageNeverPull",
  "InspectFailed",
  ...PULL_FAILURE_WAITING_REASONS,
] as const;

const MAX_MESSAGE = 65_536;

const FIELD_PATH_PREFIX = /^spec\.(?:initContainers|containers|ephemeralContainers)\{[^{}]{0,253}\}: /;
const AGGREGATED_PREFIX = "(combined from similar events): ";

/**
 * "Error: X" lines the kubelet emits as reason Failed after each attempt, by the error they name.
 * Most only echo an attempt whose "Failed to pull image" event (or back-off) carries the cause:
 * they name none. The CRI errors and the deterministic ones are causes in themselves.
 */
const ERROR_LINE_CAUSES = new Map<string, FailureCause | null>([
  ["ErrImagePull", null],
  ["ImagePullBackOff", null],
  ["ImageInspectError", null],
  ["InvalidImageName", "invalid-name"],
  ["ErrImageNeverPull", "never-pull"],
  ["RegistryUnavailable", "network"],
  ["ErrRegistryUnavailable", "network"],
  ["SignatureValidationFailed", "signature"],
]);

/** The kubelet's rewording of a CRI error (evalCRIPullErr): the image, and the cause it names. */
const CRI_FAILURE =
  /^image pull failed for (\S{1,4096}) because the (registry is unavailable|signature validation failed)/;

function facts(reason: string, image: string | null, partial: Partial<PullEventFacts> = {}): PullEventFacts {
  return {
    reason,
    image,
    alreadyPresent: false,
    pullDurationSeconds: null,
    waitingDurationSeconds: null,
    imageSizeBytes: null,
    failureCause: null,
    aggregated: false,
    ...partial,
  };
}

/** If `text` starts with `prefix` followed by a Go-quoted image, returns it and what follows. */
function quotedAfter(text: string, prefix: string): { image: string; rest: string } | null {
  if (!text.startsWith(prefix)) return null;
  const q = readGoQuoted(text, prefix.length);
  if (!q) return null;
  return { image: q.value, rest: text.slice(q.end) };
}

/** ` in 1.2s`, ` in 1.2s (1.5s including waiting)`, `. Image size: N bytes.` after a pull. */
function parsePulledTail(rest: string): Partial<PullEventFacts> {
  const out: Partial<PullEventFacts> = {};
  if (!rest.startsWith(" in ")) return out;
  let i = 4;
  const durEnd = rest.indexOf(" ", i);
  const first = durEnd < 0 ? rest.slice(i) : rest.slice(i, durEnd);
  // A final "." can follow the duration when nothing else does.
  out.pullDurationSeconds = parseGoDuration(first.endsWith(".") ? first.slice(0, -1) : first);
  if (durEnd < 0) return out;
  i = durEnd + 1;
  if (rest[i] === "(") {
    const close = rest.indexOf(" including waiting)", i);
    if (close > i) {
      out.waitingDurationSeconds = parseGoDuration(rest.slice(i + 1, close));
      i = close + " including waiting)".length;
    }
  }
  const sizeAt = rest.indexOf("Image size: ", i);
  if (sizeAt >= 0) {
    const m = /^(\d{1,20}) bytes/.exec(
      rest.slice(sizeAt + "Image size: ".length, sizeAt + "Image size: ".length + 40),
    );
    if (m?.[1]) out.imageSizeBytes = Number(m[1]);
  }
  return out;
}

/** The error after `"X": ` in a failure message; "" when there is none. */
function errorAfter(rest: string): string {
  return rest.startsWith(": ") ? rest.slice(2) : rest.replace(/^[:\s]+/, "");
}

/**
 * Facts from a kubelet event (or a container's waiting state) about image pulling, or null when
 * the event is about something else (a container back-off, a failed probe, …).
 */
export function parsePullEvent(reason: string, message: string): PullEventFacts | null {
  if (typeof reason !== "string" || typeof message !== "string") return null;
  let text = message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE) : message;
  text = text.trim().replace(FIELD_PATH_PREFIX, "");
  const aggregated = text.startsWith(AGGREGATED_PREFIX);
  if (aggregated) text = text.slice(AGGREGATED_PREFIX.length);
  const parsed = parseText(reason, text);
  return parsed && aggregated ? { ...parsed, aggregated } : parsed;
}

function parseText(reason: string, text: string): PullEventFacts | null {
  switch (reason) {
    case "Pulling": {
      const q = quotedAfter(text, "Pulling image ");
      return q ? facts(reason, q.image) : null;
    }
    case "Pulled":
      return parsePulled(text);
    case "ErrImageNeverPull": {
      const q = quotedAfter(text, "Container image ");
      return facts(reason, q?.image ?? null, { failureCause: "never-pull" });
    }
    case "InvalidImageName":
    case "InspectFailed":
    case "ImageInspectError":
      return parseInspect(reason, text);
    case "BackOff":
    case "ImagePullBackOff":
      return parseBackOff(reason, text);
    case "RegistryUnavailable":
    case "SignatureValidationFailed": {
      const cri = criFailure(text);
      return facts(reason, cri?.image ?? null, {
        failureCause: cri?.cause ?? (reason === "RegistryUnavailable" ? "network" : "signature"),
      });
    }
    case "Failed":
    case "ErrImagePull":
      return parseFailed(reason, text);
    default:
      return null;
  }
}

function parsePulled(text: string): PullEventFacts | null {
  const present = quotedAfter(text, "Container image ");
  if (present?.rest.startsWith(" already present on machine")) {
    return facts("Pulled", present.image, { alreadyPresent: true });
  }
  const pulled = quotedAfter(text, "Successfully pulled image ");
  return pulled ? facts("Pulled", pulled.image, parsePulledTail(pulled.rest)) : null;
}

function parseInspect(reason: string, text: string): PullEventFacts | null {
  const invalid = quotedAfter(text, "Failed to apply default image tag ");
  if (invalid) return facts(reason, invalid.image, { failureCause: "invalid-name" });
  const inspect = quotedAfter(text, "Failed to inspect image ");
  if (inspect)
    return facts(reason, inspect.image, { failureCause: classifyPullFailure(errorAfter(inspect.rest)) });
  if (reason === "InvalidImageName") return facts(reason, null, { failureCause: "invalid-name" });
  return reason === "ImageInspectError" ? facts(reason, null, { failureCause: classifyOrNull(text) }) : null;
}

/** A back-off: the event names no cause; the 1.32+ status message carries the previous attempt's. */
function parseBackOff(reason: string, text: string): PullEventFacts | null {
  const q = quotedAfter(text, "Back-off pulling image ");
  if (!q)
    return reason === "ImagePullBackOff" ? facts(reason, null, { failureCause: classifyOrNull(text) }) : null;
  const detail = errorAfter(q.rest).replace(
    /^(?:ErrImagePull|RegistryUnavailable|SignatureValidationFailed):\s*/,
    "",
  );
  const cri = criFailure(detail);
  return facts(reason, q.image, { failureCause: cri?.cause ?? classifyOrNull(detail) });
}

function parseFailed(reason: string, text: string): PullEventFacts | null {
  const failed = quotedAfter(text, "Failed to pull image ");
  if (failed)
    return facts(reason, failed.image, { failureCause: classifyPullFailure(errorAfter(failed.rest)) });
  const errorLine = /^Error: ([A-Za-z]+)$/.exec(text)?.[1];
  if (errorLine && ERROR_LINE_CAUSES.has(errorLine))
    return facts(reason, null, { failureCause: ERROR_LINE_CAUSES.get(errorLine) ?? null });
  if (reason !== "ErrImagePull") return null;
  // A waiting message: the registry's error on its own, or the kubelet's CRI-error wording.
  const cri = criFailure(text);
  if (cri) return facts(reason, cri.image, { failureCause: cri.cause });
  return facts(reason, null, { failureCause: classifyOrNull(text) });
}

function criFailure(text: string): { image: string; cause: FailureCause } | null {
  const m = CRI_FAILURE.exec(text);
  if (!m?.[1]) return null;
  return { image: m[1], cause: m[2] === "registry is unavailable" ? "network" : "signature" };
}

/** A message that says nothing names no cause; one that says something unrecognised is "unknown". */
function classifyOrNull(text: string): FailureCause | null {
  return text ? classifyPullFailure(text) : null;
}

/**
 * The cause a container's waiting state names, or null where it names none: a back-off before
 * 1.32 says only `Back-off pulling image "X"`, and then kubelet events have to tell.
 */
export function waitingCause(reason: string, message: string): FailureCause | null {
  return parsePullEvent(reason, message)?.failureCause ?? null;
}
