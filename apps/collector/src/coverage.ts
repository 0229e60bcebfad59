// What a snapshot tells about event coverage: the container starts pod status shows since the
// last snapshot counted them, and the containers waiting on a failed pull with or without a stored
// failure event (db's recordEventCoverage compares the starts with stored Pulled events).
import type { ContainerStart, PullFailureStart } from "@pullsight/db";
import { podContainerKey } from "@pullsight/db";
import type { RawSnapshot } from "./k8s/reader.ts";
import { allStatuses, isWaitingOnPull } from "./runtime.ts";

type Obj = Record<string, unknown>;

/**
 * Starts are counted up to a little before the read began: the kubelet's Pulled event precedes
 * the start by moments, but reaches the database only after the watch's next flush.
 */
export const COVERAGE_LAG_MS = 2 * 60_000;
/** The first window reaches back as far as events live (the API server's one-hour TTL). */
export const FIRST_WINDOW_MS = 60 * 60_000;

/** When a container (running, or an init container that ran) last started (ms), if it has. */
function startOf(s: Obj): number {
  const state = (s.state ?? {}) as Obj;
  const at = ((state.running ?? state.terminated) as Obj | undefined)?.startedAt;
  return typeof at === "string" ? Date.parse(at) : Number.NaN;
}

export function containerStarts(raw: RawSnapshot, from: Date, until: Date): ContainerStart[] {
  const out: ContainerStart[] = [];
  const after = from.getTime();
  const upTo = until.getTime();
  for (const pod of raw.objects.pods ?? []) {
    for (const s of allStatuses(pod)) {
      const started = startOf(s);
      // NaN (no start) fails both comparisons.
      if (!(started > after && started <= upTo)) continue;
      out.push({
        namespace: pod.metadata.namespace ?? "",
        pod: pod.metadata.name,
        container: String(s.name ?? ""),
        startedAt: new Date(started),
      });
    }
  }
  return out;
}

/**
 * Containers waiting on a failed pull, and how many of them a failure event of the last hour (the
 * API server's TTL) explains: a pod failing for hours whose events stopped coming through
 * client-go's spam filter counts as failing without one.
 */
export function failingCoverage(raw: RawSnapshot, failures: ReadonlyMap<string, PullFailureStart>) {
  const recent = raw.startedAt.getTime() - FIRST_WINDOW_MS;
  let failing = 0;
  let failingWithEvent = 0;
  for (const pod of raw.objects.pods ?? []) {
    const ns = pod.metadata.namespace ?? "";
    for (const s of allStatuses(pod)) {
      if (!isWaitingOnPull(s)) continue;
      failing += 1;
      const event =
        failures.get(podContainerKey(ns, pod.metadata.name, String(s.name ?? ""))) ??
        failures.get(podContainerKey(ns, pod.metadata.name, null));
      if (event && event.last.getTime() > recent) failingWithEvent += 1;
    }
  }
  return { failing, failingWithEvent };
}
