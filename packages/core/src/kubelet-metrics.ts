// What a kubelet's /metrics page says of image pulls (all ALPHA metrics, read through the opt-in
// nodes/proxy permission), reduced to what Pullsight keeps per node:
//  - kubelet_image_manager_ensure_image_requests_total{pull_policy,present_locally,pull_required}
//    (1.35+, pkg/kubelet/images): every time the kubelet made sure a container's image was there —
//    served from the node's cache (present, no pull) or sent to the registry (a pull), by policy;
//  - kubelet_image_pull_duration_seconds (1.30+, pkg/kubelet/metrics/metrics.go): successful
//    pulls, by image size class, in the kubelet's buckets;
//  - kubelet_image_garbage_collected_total (1.29+, with `reason` age/space from 1.30): images the
//    kubelet deleted, each of them a pull again when a pod needs it;
//  - kubelet_credential_provider_plugin_errors_total{plugin_name} (named without `_total` before
//    the metric was renamed): failed credential provider plugin runs;
//  - kubernetes_feature_enabled{name="KubeletEnsureSecretPulledImages"}: whether the node checks
//    credentials of cached images (KEP-2535);
//  - process_start_time_seconds (component-base's process collector): when the kubelet started.
// Counters run from the kubelet's start: a restart sets them back to zero (kubelet-counters.ts).
import { readMetrics, type Series } from "./prometheus-text.ts";

export const ENSURE_REQUESTS = "kubelet_image_manager_ensure_image_requests_total";
export const PULL_DURATION = "kubelet_image_pull_duration_seconds";
export const GARBAGE_COLLECTED = "kubelet_image_garbage_collected_total";
const CREDENTIAL_PROVIDER_ERRORS = [
  "kubelet_credential_provider_plugin_errors_total",
  "kubelet_credential_provider_plugin_errors",
];
const FEATURE_ENABLED = "kubernetes_feature_enabled";
const START_TIME = "process_start_time_seconds";

/** metrics.go imagePullDurationBuckets: the upper bounds (seconds) of the kubelet's pull histogram. */
export const KUBELET_PULL_BUCKETS: readonly number[] = [
  1, 5, 10, 20, 30, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600,
];

/** EnsureImageExists calls of one pull policy. */
export interface EnsureRequests {
  /** Served from the node's cache: present, no pull. */
  cached: number;
  /** Sent to the registry: a pull was required. */
  pulled: number;
  /**
   * `Never` with the image on the node but not served to the pod: the kubelet could not verify the
   * pod's credentials for it (KEP-2535) and reports ErrImageNeverPull as if the image were missing.
   */
  unverified: number;
  /** Refused or failed before it could be told (Never without the image, an unparsable name). */
  other: number;
}

export interface KubeletPullMetrics {
  /** By pull policy (`Always`, `IfNotPresent`, `Never`); null where the kubelet has no such metric (before 1.35). */
  ensure: Record<string, EnsureRequests> | null;
  /**
   * Successful pulls, their total seconds and how many took at most each of KUBELET_PULL_BUCKETS
   * (cumulative, all size classes); null where the kubelet has no such metric (before 1.30).
   */
  pulls: { count: number; sumSeconds: number; buckets: number[] } | null;
  /** Images deleted by the kubelet's garbage collection, by reason (`age`, `space`, `unspecified`). */
  garbageCollected: Record<string, number> | null;
  /** Failed credential provider plugin runs, by plugin. */
  credentialProviderErrors: Record<string, number> | null;
  /** When the kubelet started (seconds since the epoch): its counters began then. */
  startTime: number | null;
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
    const entry = out[policy] ?? { cached: 0, pulled: 0, unverified: 0, other: 0 };
    // With Never a required pull is never made (image_manager.go EnsureImageExists).
    if (s.labels.pull_required === "true" && policy === "Never") entry.unverified += s.value;
    else if (s.labels.pull_required === "true") entry.pulled += s.value;
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
  const gate = series.find(
    (s) => s.name === FEATURE_ENABLED && s.labels.name === "KubeletEnsureSecretPulledImages",
  );
  const start = series.find((s) => s.name === START_TIME);
  return {
    ensure: ensureOf(series),
    pulls: pullsOf(series),
    garbageCollected: byLabel(series, [GARBAGE_COLLECTED], "reason"),
    credentialProviderErrors: byLabel(series, CREDENTIAL_PROVIDER_ERRORS, "plugin_name"),
    ensureSecretPulledImages: gate ? gate.value === 1 : null,
    startTime: start && Number.isFinite(start.value) ? start.value : null,
  };
}

function pullsOf(series: Series[]): KubeletPullMetrics["pulls"] {
  const of = (suffix: string) => series.filter((s) => s.name === `${PULL_DURATION}${suffix}`);
  const counts = of("_count");
  if (!counts.length) return null;
  const total = (list: Series[]) => list.reduce((a, s) => a + s.value, 0);
  const buckets = of("_bucket");
  return {
    count: total(counts),
    sumSeconds: total(of("_sum")),
    // A bound a kubelet does not report (another version's buckets) is read as none at or below it.
    buckets: KUBELET_PULL_BUCKETS.map((le) => total(buckets.filter((s) => Number(s.labels.le) === le))),
  };
}

/** A counter's samples summed by one label (absent label: `unspecified`); null without the counter. */
function byLabel(series: Series[], names: readonly string[], label: string): Record<string, number> | null {
  const samples = series.filter((s) => names.includes(s.name));
  if (!samples.length) return null;
  const out: Record<string, number> = {};
  for (const s of samples) {
    const key = s.labels[label] || "unspecified";
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
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
      out.requests += r.cached + r.pulled + r.unverified + r.other;
      out.cached += r.cached;
      out.pulled += r.pulled;
      if (policy === "Always") out.pulledByAlways += r.pulled;
    }
  return out;
}
