// A kubelet's counters run from its start, so what happened between two readings is their growth,
// and a restart sets them back to zero. A reading is flattened into named counters; the growth
// between two readings of one node is the difference, or — when the kubelet restarted in
// between — everything counted since the restart (what it counted between the earlier reading
// and the restart is lost, as in Prometheus' increase()). A restart is known from the kubelet's
// process_start_time_seconds, else from any counter going down.
import type { KubeletPullMetrics } from "./kubelet-metrics.ts";
import { KUBELET_PULL_BUCKETS } from "./kubelet-metrics.ts";

/** Counter name → value, e.g. `ensure/Always/pulled`, `pulls/count`, `pulls/le/10`, `gc/age`. */
export type Counters = Record<string, number>;

export interface CounterReading {
  /** The kubelet's start (seconds since the epoch), when it reports it. */
  startTime: number | null;
  counters: Counters;
}

/** The counters of one kubelet metrics reading, flattened. */
export function countersOf(m: KubeletPullMetrics): Counters {
  const out: Counters = {};
  for (const [policy, r] of Object.entries(m.ensure ?? {})) {
    out[`ensure/${policy}/cached`] = r.cached;
    out[`ensure/${policy}/pulled`] = r.pulled;
    if (r.unverified) out[`ensure/${policy}/unverified`] = r.unverified;
    out[`ensure/${policy}/other`] = r.other;
  }
  if (m.pulls) {
    out["pulls/count"] = m.pulls.count;
    out["pulls/sum"] = m.pulls.sumSeconds;
    KUBELET_PULL_BUCKETS.forEach((le, i) => {
      out[`pulls/le/${le}`] = m.pulls?.buckets[i] ?? 0;
    });
  }
  for (const [reason, n] of Object.entries(m.garbageCollected ?? {})) out[`gc/${reason}`] = n;
  for (const [plugin, n] of Object.entries(m.credentialProviderErrors ?? {}))
    out[`credentialProviderErrors/${plugin}`] = n;
  return out;
}

export interface CounterGrowth {
  growth: Counters;
  /** The kubelet restarted since the previous reading. */
  reset: boolean;
}

/**
 * What a node's counters grew by since its previous reading; null for its first reading (a
 * baseline: when what it counted so far happened is unknown).
 */
export function counterGrowth(
  previous: CounterReading | null,
  current: CounterReading,
): CounterGrowth | null {
  if (!previous) return null;
  const restarted =
    previous.startTime !== null && current.startTime !== null
      ? current.startTime !== previous.startTime
      : Object.entries(previous.counters).some(([k, v]) => (current.counters[k] ?? 0) < v);
  const growth: Counters = {};
  for (const [k, v] of Object.entries(current.counters)) {
    const d = restarted ? v : v - (previous.counters[k] ?? 0);
    // A counter that went down without a restart (a lying endpoint) grew by nothing.
    if (d > 0) growth[k] = d;
  }
  return { growth, reset: restarted };
}

export function addCounters(...all: ReadonlyArray<Counters | null | undefined>): Counters {
  const out: Counters = {};
  for (const c of all)
    for (const [k, v] of Object.entries(c ?? {})) if (Number.isFinite(v)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** What a set of counters says of the registry: requests the cache answered, pulls, and pulls by Always. */
export interface PullRequestCounts {
  cached: number;
  pulled: number;
  pulledByAlways: number;
  pulledByIfNotPresent: number;
  /** `Never` requests for an image on the node whose credentials the kubelet could not verify. */
  unverified: number;
  /** Whether any ensure-image counter is in there (1.35+ kubelets). */
  known: boolean;
}

export function pullRequestsOf(c: Counters): PullRequestCounts {
  const out: PullRequestCounts = {
    cached: 0,
    pulled: 0,
    pulledByAlways: 0,
    pulledByIfNotPresent: 0,
    unverified: 0,
    known: false,
  };
  for (const [k, v] of Object.entries(c)) {
    const [kind, policy, outcome] = k.split("/");
    if (kind !== "ensure") continue;
    out.known = true;
    if (outcome === "cached") out.cached += v;
    if (outcome === "unverified") out.unverified += v;
    if (outcome !== "pulled") continue;
    out.pulled += v;
    if (policy === "Always") out.pulledByAlways += v;
    if (policy === "IfNotPresent") out.pulledByIfNotPresent += v;
  }
  return out;
}

/** A counter family summed by its last part (`gc/age` → age), or null when none is there. */
export function familyOf(
  c: Counters,
  family: "gc" | "credentialProviderErrors",
): Record<string, number> | null {
  const entries = Object.entries(c).filter(([k]) => k.startsWith(`${family}/`));
  if (!entries.length) return null;
  return Object.fromEntries(entries.map(([k, v]) => [k.slice(family.length + 1), v]));
}

/** The kubelet pull histogram in a set of counters: count per bucket (not cumulative), +Inf last. */
export function pullBucketsOf(
  c: Counters,
): { bounds: readonly number[]; counts: number[]; total: number } | null {
  const total = c["pulls/count"];
  if (total === undefined) return null;
  const cumulative = KUBELET_PULL_BUCKETS.map((le) => c[`pulls/le/${le}`] ?? 0);
  const counts = [...cumulative, total].map((n, i) => Math.max(0, n - (i ? (cumulative[i - 1] ?? 0) : 0)));
  return { bounds: KUBELET_PULL_BUCKETS, counts, total };
}

/**
 * The bucket the q-quantile of a kubelet histogram falls in: its bounds in seconds (upper null for
 * +Inf). The kubelet's buckets are all that is known of each pull, so the answer is a range, not
 * an interpolated number; null when the histogram is empty.
 */
export function bucketQuantile(
  h: { bounds: readonly number[]; counts: readonly number[]; total: number },
  q: number,
): { lower: number; upper: number | null } | null {
  if (h.total <= 0) return null;
  // The sample at rank ⌈q·n⌉ (1-based), as a nearest-rank percentile.
  const rank = Math.max(1, Math.ceil(Math.min(Math.max(q, 0), 1) * h.total));
  let seen = 0;
  for (let i = 0; i < h.counts.length; i++) {
    seen += h.counts[i] ?? 0;
    if (seen >= rank) return { lower: i ? (h.bounds[i - 1] ?? 0) : 0, upper: h.bounds[i] ?? null };
  }
  return { lower: h.bounds[h.bounds.length - 1] ?? 0, upper: null };
}
