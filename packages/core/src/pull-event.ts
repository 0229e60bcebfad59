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
//   BackOff            Back-off pulling image "X"   (the status message adds ": ErrImagePull: <error>")
//   ErrImageNeverPull  Container image "X" is not present with pull policy of Never
//   InspectFailed      Failed to apply default image tag "X": couldn't parse image reference "X": …
//                      Failed to inspect image "X": <error>
// The same wordings appear in container status `state.waiting` (reasons ErrImagePull,
// ImagePullBackOff, InvalidImageName, ErrImageNeverPull), which this parser also reads.
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
  failureCause: FailureCause | null;
}

/** Event and waiting reasons that concern image pulling. */
export const PULL_EVENT_REASONS = [
  "Pulling",
  "Pulled",
  "Failed",
  "BackOff",
  "ErrImageNeverPull",
  "InspectFailed",
  "ErrImagePull",
  "ImagePullBackOff",
  "InvalidImageName",
] as const;

const MAX_MESSAGE = 65_536;

const FIELD_PATH_PREFIX = /^spec\.(?:initContainers|containers|ephemeralContainers)\{[^{}]{0,253}\}: /;

/** "Error: X" lines the kubelet emits as reason Failed, by the pull error they name. */
const ERROR_LINE_CAUSES = new Map<string, FailureCause>([
  ["ErrImagePull", "unknown"],
  ["ImagePullBackOff", "unknown"],
  ["InvalidImageName", "invalid-name"],
  ["ErrImageNeverPull", "never-pull"],
  ["ImageInspectError", "unknown"],
  ["RegistryUnavailable", "network"],
  ["ErrRegistryUnavailable", "network"],
  ["SignatureValidationFailed", "unknown"],
]);

function facts(reason: string, image: string | null, partial: Partial<PullEventFacts> = {}): PullEventFacts {
  return {
    reason,
    image,
    alreadyPresent: false,
    pullDurationSeconds: null,
    waitingDurationSeconds: null,
    imageSizeBytes: null,
    failureCause: null,
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

  switch (reason) {
    case "Pulling": {
      const q = quotedAfter(text, "Pulling image ");
      return q ? facts(reason, q.image) : null;
    }
    case "Pulled": {
      const present = quotedAfter(text, "Container image ");
      if (present?.rest.startsWith(" already present on machine")) {
        return facts(reason, present.image, { alreadyPresent: true });
      }
      const pulled = quotedAfter(text, "Successfully pulled image ");
      return pulled ? facts(reason, pulled.image, parsePulledTail(pulled.rest)) : null;
    }
    case "ErrImageNeverPull": {
      const q = quotedAfter(text, "Container image ");
      return facts(reason, q?.image ?? null, { failureCause: "never-pull" });
    }
    case "InvalidImageName":
    case "InspectFailed": {
      const invalid = quotedAfter(text, "Failed to apply default image tag ");
      if (invalid) return facts(reason, invalid.image, { failureCause: "invalid-name" });
      const inspect = quotedAfter(text, "Failed to inspect image ");
      if (inspect) {
        const cause = classifyPullFailure(errorAfter(inspect.rest));
        return facts(reason, inspect.image, { failureCause: cause });
      }
      return reason === "InvalidImageName" ? facts(reason, null, { failureCause: "invalid-name" }) : null;
    }
    case "BackOff":
    case "ImagePullBackOff": {
      const q = quotedAfter(text, "Back-off pulling image ");
      if (!q)
        return reason === "ImagePullBackOff"
          ? facts(reason, null, { failureCause: classifyOrUnknown(text) })
          : null;
      // The status message carries the previous error: `: ErrImagePull: <error>`.
      const detail = errorAfter(q.rest).replace(
        /^(?:ErrImagePull|RegistryUnavailable|SignatureValidationFailed):\s*/,
        "",
      );
      return facts(reason, q.image, { failureCause: classifyOrUnknown(detail) });
    }
    case "Failed":
    case "ErrImagePull": {
      const failed = quotedAfter(text, "Failed to pull image ");
      if (failed)
        return facts(reason, failed.image, { failureCause: classifyOrUnknown(errorAfter(failed.rest)) });
      const errorLine = /^Error: ([A-Za-z]+)$/.exec(text);
      const named = errorLine?.[1] ? ERROR_LINE_CAUSES.get(errorLine[1]) : undefined;
      if (named) return facts(reason, null, { failureCause: named });
      if (reason === "ErrImagePull") {
        // A waiting message: the registry's error on its own, or "image pull failed for X because…".
        const unavailable = /^image pull failed for (\S{1,4096}) because the registry is unavailable/.exec(
          text,
        );
        if (unavailable?.[1]) return facts(reason, unavailable[1], { failureCause: "network" });
        return facts(reason, null, { failureCause: classifyOrUnknown(text) });
      }
      return null;
    }
    default:
      return null;
  }
}

function classifyOrUnknown(text: string): FailureCause {
  return text ? classifyPullFailure(text) : "unknown";
}
