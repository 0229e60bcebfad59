// What nodes report for a workload's containers (pod status): the digests running and since when,
// the containers waiting and why, and which pods wait on a pull.
import {
  imageVolumeName,
  PULL_FAILURE_WAITING_REASONS,
  parseImageID,
  type RuntimeFacts,
  waitingCause,
} from "@pullsight/core";
import { type PullFailureStart, podContainerKey } from "@pullsight/db";
import type { ContainerRecord } from "./container-record.ts";
import { awaitsImageVolumes, imageVolumeStatus } from "./image-volumes.ts";
import type { RawObject, RawSnapshot } from "./k8s/reader.ts";

type Obj = Record<string, unknown>;

/** Waiting reasons of a container whose image could not be pulled, or would not be (Never). */
const PULL_WAITING_REASONS = new Set([...PULL_FAILURE_WAITING_REASONS, "ErrImageNeverPull"]);

/** A container status waiting on its image (a failed pull, or Never without the image). */
export const isWaitingOnPull = (s: Obj) =>
  PULL_WAITING_REASONS.has(String(((s.state as Obj | undefined)?.waiting as Obj | undefined)?.reason));

/**
 * Pods with a container waiting on its image, or not created while image volumes are pulled:
 * whose failure starts the collector looks up in events.
 */
export function podsWaitingOnPulls(raw: RawSnapshot): Array<{ namespace: string; pod: string }> {
  return (raw.objects.pods ?? [])
    .filter((pod) => allStatuses(pod).some(isWaitingOnPull) || awaitsImageVolumes(pod))
    .map((pod) => ({ namespace: pod.metadata.namespace ?? "", pod: pod.metadata.name }));
}

const NO_STATUSES: readonly Obj[] = Object.freeze([]);
const listOf = (v: unknown): readonly Obj[] => (Array.isArray(v) ? (v as Obj[]) : NO_STATUSES);

/**
 * Every container's status: app, init and ephemeral containers all pull their images. Read for
 * every pod several times a snapshot, so a pod with app containers only (most) gets its own list,
 * not a copy.
 */
export function allStatuses(pod: RawObject): readonly Obj[] {
  const status = (pod.status ?? {}) as Obj;
  const app = listOf(status.containerStatuses);
  const init = listOf(status.initContainerStatuses);
  const ephemeral = listOf(status.ephemeralContainerStatuses);
  if (!init.length && !ephemeral.length) return app;
  return [...app, ...init, ...ephemeral];
}

/** A container's statuses in a pod, or an image volume's (`imageVolumeStatus`). */
function statusesOf(
  pod: RawObject,
  container: string,
  failureStarts: ReadonlyMap<string, PullFailureStart> = new Map(),
): Obj[] {
  if (imageVolumeName(container) !== null) {
    const status = imageVolumeStatus(pod, container, failureStarts);
    return status ? [status] : [];
  }
  // Called for every container of every pod: picked without concatenating the pod's lists.
  const status = (pod.status ?? {}) as Obj;
  const found: Obj[] = [];
  for (const list of [
    status.containerStatuses,
    status.initContainerStatuses,
    status.ephemeralContainerStatuses,
  ])
    for (const s of (list as Obj[] | undefined) ?? []) if (s.name === container) found.push(s);
  return found;
}

/** The earlier of two ISO 8601 instants (either may be missing). */
const earlier = (a: string | undefined, b: string | undefined) => (!a ? b : !b ? a : a < b ? a : b);

/** When a running container started (on the image it runs). */
function startedAt(s: Obj): string | undefined {
  const at = ((s.state as Obj | undefined)?.running as Obj | undefined)?.startedAt;
  const ms = typeof at === "string" ? Date.parse(at) : Number.NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

type Waiting = RuntimeFacts["waiting"][number];

/** A waiting state's cause: what its message names (1.32+), else the latest failed attempt's event. */
function causeOf(reason: string, message: string | null, failure: PullFailureStart | undefined) {
  const stated = message === null ? null : waitingCause(reason, message);
  if (stated) return { cause: stated, causeSource: "status" as const };
  if (failure?.cause) return { cause: failure.cause, causeSource: "events" as const };
  return {};
}

export function runtimeOf(
  pods: RawObject[],
  container: string,
  failureStarts: ReadonlyMap<string, PullFailureStart>,
): RuntimeFacts {
  const waiting = new Map<string, Waiting>();
  const running = new Map<string | null, RuntimeFacts["running"][number]>();
  for (const pod of pods) {
    const ns = pod.metadata.namespace ?? "";
    const nodeName = String((pod.spec as Obj | undefined)?.nodeName ?? "");
    for (const s of statusesOf(pod, container, failureStarts)) {
      const { digest } = parseImageID(String(s.imageID ?? ""));
      if (digest) {
        const entry = running.get(digest) ?? { digest, nodes: [], pods: 0 };
        entry.pods += 1;
        if (!entry.nodes.includes(nodeName)) entry.nodes.push(nodeName);
        const since = earlier(entry.since, startedAt(s));
        if (since) entry.since = since;
        running.set(digest, entry);
      }
      const w = (s.state as Obj | undefined)?.waiting as Obj | undefined;
      if (!w?.reason) continue;
      const reason = String(w.reason);
      const message = String(w.message ?? "");
      const failed =
        (typeof s.failureKey === "string" ? failureStarts.get(s.failureKey) : undefined) ??
        failureStarts.get(podContainerKey(ns, pod.metadata.name, container)) ??
        failureStarts.get(podContainerKey(ns, pod.metadata.name, null));
      // An image volume's waiting state is assembled from events: its message states no cause.
      const stated = typeof s.failureKey === "string" ? null : message;
      const cause = PULL_WAITING_REASONS.has(reason) ? causeOf(reason, stated, failed) : {};
      const k = `${reason}\u0000${message}\u0000${cause.cause ?? ""}\u0000${cause.causeSource ?? ""}`;
      const entry = waiting.get(k) ?? { reason, message, pods: 0, ...cause, instances: [] };
      entry.pods += 1;
      const first = failed?.first.toISOString();
      entry.instances?.push({ pod: pod.metadata.name, node: nodeName, ...(first ? { since: first } : {}) });
      const since = earlier(entry.since, first);
      if (since) entry.since = since;
      waiting.set(k, entry);
    }
  }
  // Sorted, so that evidence built from them changes only when the facts do.
  for (const r of running.values()) r.nodes.sort();
  for (const w of waiting.values()) w.instances?.sort((a, b) => a.pod.localeCompare(b.pod));
  return {
    running: [...running.values()].sort((a, b) => String(a.digest).localeCompare(String(b.digest))),
    waiting: [...waiting.values()].sort(
      (a, b) =>
        a.reason.localeCompare(b.reason) ||
        a.message.localeCompare(b.message) ||
        String(a.cause).localeCompare(String(b.cause)),
    ),
  };
}

export function runningOf(pods: RawObject[], container: string): ContainerRecord["running"] {
  const byKey = new Map<string, ContainerRecord["running"][number]>();
  for (const pod of pods) {
    const nodeName = String((pod.spec as Obj | undefined)?.nodeName ?? "");
    for (const s of statusesOf(pod, container)) {
      const { digest } = parseImageID(String(s.imageID ?? ""));
      if (!digest) continue;
      const k = `${nodeName}\u0000${digest}`;
      const entry = byKey.get(k) ?? { nodeName, image: String(s.image ?? ""), digest, pods: 0 };
      entry.pods += 1;
      byKey.set(k, entry);
    }
  }
  return [...byKey.values()].sort(
    (a, b) => a.nodeName.localeCompare(b.nodeName) || String(a.digest).localeCompare(String(b.digest)),
  );
}
