// What a kubelet's /metrics page says of image pulls (all ALPHA metrics, read through the opt-in
// nodes/proxy permission), reduced to what Pullsight keeps per node:
//  - kubelet_image_manager_ensure_image_requests_total{pull_policy,present_locally,pull_required}
//    (1.35+, pkg/kubelet/images): every time the kubelet made sure a container's image was there —
//    served from the node's cache (present, no pull) or sent to the registry (a pull), by policy;
//  - kubelet_image_pull_duration_seconds (1.30+, pkg/kubelet/metrics/metrics.go): successful
//    pulls, by image size class;
//  - kubernetes_feature_enabled{name="KubeletEnsureSecretPulledImages"}: whether the node checks
//    credentials of cached images (KEP-2535).
// Counters run from the kubelet's start: a restart sets them back to zero.
import { readMetrics, type Series } from "./prometheus-text.ts";

export const ENSURE_REQUESTS = "kubelet_image_manager_ensure_image_requests_total";
export const PULL_DURATION = "kubelet_image_pull_duration_seconds";
const FEATURE_ENABLED = "kubernetes_feature_enabled";

/** EnsureImageExists calls of one pull policy. */
export interface EnsureRequests {
  /** Served from the node's cache: present, no pull. */
  cached: number;
  /** Sent to the registry: a pull was required. */
  pulled: number;
  /** Refused or failed before it could be told (Never without the image, an unparsable name). */
  other: number;
}

export interface KubeletPullMetrics {
  /** By pull policy (`Always`, `IfNotPresent`, `Never`); null where the kubelet has no such metric (before 1.35). */
  ensure: Record<string, EnsureRequests> | null;
  /** Successful pulls and their total seconds; null where the kubelet has no such metric (before 1.30). */
  pulls: { count: number; sumSeconds: number } | null;
  /** KubeletEnsureSecretPulledImages as the kubelet reports it; null where it does not. */
  ensureSecretPulledImages: boolean | null;
}

/** The kubelet's lowercase policy label in the API's spelling. */
const POLICY: Record<string, string> = { always: "Always", ifnotpresent: "IfNotPresent", never: "Never" };

function ensureOf(series: Series[]): KubeletPullMetrics["ensure"] {
  const samples = series.filter((s) => s.name === ENSURE_REQUESTS);
  if (!samples.length) return null;
  const out: Record<string, EnsureRequests> = {};
  for (const s of samples) {
    const policy = POLICY[s.labels.pull_policy ?? ""] ?? s.labels.pull_policy ?? "unknown";
    const entry = out[policy] ?? { cached: 0, pulled: 0, other: 0 };
    if (s.labels.pull_required === "true") entry.pulled += s.value;
    else if (s.labels.pull_required === "false" && s.labels.present_locally === "true")
      entry.cached += s.value;
    else entry.other += s.value;
    out[policy] = entry;
  }
  return out;
}

/**
 * The pull-related facts of one kubelet's /metrics text. Throws the parser's error on text that
 * is not the Prometheus text format (the caller records it as the node's failure).
 */
export function kubeletPullMetricsOf(text: string): KubeletPullMetrics {
  const series = readMetrics(text);
  const counts = series.filter((s) => s.name === `${PULL_DURATION}_count`);
  const sum = (name: string) => series.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);
  const gate = series.find(
    (s) => s.name === FEATURE_ENABLED && s.labels.name === "KubeletEnsureSecretPulledImages",
  );
  return {
    ensure: ensureOf(series),
    pulls: counts.length
      ? { count: sum(`${PULL_DURATION}_count`), sumSeconds: sum(`${PULL_DURATION}_sum`) }
      : null,
    ensureSecretPulledImages: gate ? gate.value === 1 : null,
  };
}

/** What the nodes' ensure-image requests add up to: how often the cache answers, how much `Always` costs. */
export interface EnsureSummary {
  requests: number;
  cached: number;
  pulled: number;
  /** Pulls of images whose policy is Always. */
  pulledByAlways: number;
}

export function summarizeEnsure(nodes: ReadonlyArray<KubeletPullMetrics["ensure"]>): EnsureSummary | null {
  const known = nodes.filter((n): n is NonNullable<typeof n> => n !== null);
  if (!known.length) return null;
  const out: EnsureSummary = { requests: 0, cached: 0, pulled: 0, pulledByAlways: 0 };
  for (const byPolicy of known)
    for (const [policy, r] of Object.entries(byPolicy)) {
      out.requests += r.cached + r.pulled + r.other;
      out.cached += r.cached;
      out.pulled += r.pulled;
      if (policy === "Always") out.pulledByAlways += r.pulled;
    }
  return out;
}
