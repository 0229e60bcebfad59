// What a simulated kubelet's /metrics says of image pulls, kept from the same decisions that emit
// its events (kubelet.ts kubeletPull), in the kubelet's own names (all ALPHA):
//  - kubelet_image_pull_duration_seconds{image_size_in_bytes} (pkg/kubelet/metrics/metrics.go,
//    1.30+): a histogram of successful pulls, by the image's size class;
//  - kubelet_image_manager_ensure_image_requests_total{present_locally,pull_policy,pull_required}
//    (pkg/kubelet/images, 1.35+): every EnsureImageExists call;
//  - kubernetes_feature_enabled{name="KubeletEnsureSecretPulledImages",stage}: the gate (1.33+);
//  - kubelet_credential_provider_plugin_errors_total{plugin_name}: failed runs of the node's
//    credential provider plugin (a counter vector: no sample until the first error);
//  - process_start_time_seconds (component-base's process collector): the kubelet's start.
// Counters run from the kubelet's start: the node's creation, or its last restart (restartKubelet).

/** metrics.go imagePullDurationBuckets. */
export const IMAGE_PULL_BUCKETS = [
  1, 5, 10, 20, 30, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600,
] as const;

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** metrics.go imageSizeBuckets: the lower bound of each size class and its label. */
const IMAGE_SIZE_CLASSES: ReadonlyArray<readonly [number, string]> = [
  [0, "0-10MB"],
  [10 * MiB, "10MB-100MB"],
  [100 * MiB, "100MB-500MB"],
  [500 * MiB, "500MB-1GB"],
  [1 * GiB, "1GB-5GB"],
  [5 * GiB, "5GB-10GB"],
  [10 * GiB, "10GB-20GB"],
  [20 * GiB, "20GB-30GB"],
  [30 * GiB, "30GB-40GB"],
  [40 * GiB, "40GB-60GB"],
  [60 * GiB, "60GB-100GB"],
  [100 * GiB, "GT100GB"],
];

export const imageSizeClass = (bytes: number): string =>
  [...IMAGE_SIZE_CLASSES].reverse().find(([lower]) => bytes >= lower)?.[1] ?? "0-10MB";

export type Tristate = "true" | "false" | "unknown";

export interface KubeletMetrics {
  /** When the kubelet started (ms on the simulated clock): its counters began at zero then. */
  startedAt: number;
  /** EnsureImageExists calls by `pull_policy|present_locally|pull_required`. */
  ensure: Map<string, number>;
  /** Successful pulls' durations in seconds, by image size class. */
  pulls: Map<string, number[]>;
  /** Failed runs of the node's credential provider plugin. */
  pluginErrors: number;
}

/** The plugin of the simulated fleet's node credential provider (its ECR registry). */
export const CREDENTIAL_PROVIDER_PLUGIN = "ecr-credential-provider";

export const newKubeletMetrics = (startedAt: number): KubeletMetrics => ({
  startedAt,
  ensure: new Map(),
  pulls: new Map(),
  pluginErrors: 0,
});

export function recordPluginError(m: KubeletMetrics) {
  m.pluginErrors += 1;
}

/** The node's kubelet restarts at `at`: every counter starts again from zero. */
export function restartKubelet(node: { metrics: KubeletMetrics }, at: number) {
  node.metrics = newKubeletMetrics(at);
}

export function recordEnsure(m: KubeletMetrics, policy: string, present: Tristate, required: Tristate) {
  const key = `${policy.toLowerCase()}|${present}|${required}`;
  m.ensure.set(key, (m.ensure.get(key) ?? 0) + 1);
}

export function recordPull(m: KubeletMetrics, seconds: number, sizeBytes: number) {
  const size = imageSizeClass(sizeBytes);
  const list = m.pulls.get(size) ?? [];
  list.push(seconds);
  m.pulls.set(size, list);
}

function pullHistogram(m: KubeletMetrics): string[] {
  const name = "kubelet_image_pull_duration_seconds";
  const lines = [`# HELP ${name} [ALPHA] Duration in seconds to pull an image.`, `# TYPE ${name} histogram`];
  for (const size of [...m.pulls.keys()].sort()) {
    const seconds = m.pulls.get(size) ?? [];
    for (const le of IMAGE_PULL_BUCKETS)
      lines.push(
        `${name}_bucket{image_size_in_bytes="${size}",le="${le}"} ${seconds.filter((s) => s <= le).length}`,
      );
    lines.push(`${name}_bucket{image_size_in_bytes="${size}",le="+Inf"} ${seconds.length}`);
    lines.push(`${name}_sum{image_size_in_bytes="${size}"} ${seconds.reduce((a, b) => a + b, 0)}`);
    lines.push(`${name}_count{image_size_in_bytes="${size}"} ${seconds.length}`);
  }
  return lines;
}

function ensureCounter(m: KubeletMetrics): string[] {
  const name = "kubelet_image_manager_ensure_image_requests_total";
  const lines = [
    `# HELP ${name} [ALPHA] Number of ensure-image requests processed by the kubelet.`,
    `# TYPE ${name} counter`,
  ];
  for (const [key, n] of [...m.ensure].sort(([a], [b]) => a.localeCompare(b))) {
    const [policy, present, required] = key.split("|");
    lines.push(
      `${name}{present_locally="${present}",pull_policy="${policy}",pull_required="${required}"} ${n}`,
    );
  }
  return lines;
}

/** The pull-related part of the node's /metrics page at the cluster's version. */
export function kubeletMetricsText(m: KubeletMetrics, minor: number): string {
  const lines: string[] = [
    "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.",
    "# TYPE process_start_time_seconds gauge",
    `process_start_time_seconds ${m.startedAt / 1000}`,
  ];
  if (minor >= 33) {
    const beta = minor >= 35;
    lines.push(
      "# HELP kubernetes_feature_enabled [BETA] This metric records the data about the stage and enablement of a k8s feature.",
      "# TYPE kubernetes_feature_enabled gauge",
      `kubernetes_feature_enabled{name="KubeletEnsureSecretPulledImages",stage="${beta ? "BETA" : "ALPHA"}"} ${beta ? 1 : 0}`,
    );
  }
  if (minor >= 35) lines.push(...ensureCounter(m));
  if (m.pluginErrors > 0) {
    const name = "kubelet_credential_provider_plugin_errors_total";
    lines.push(
      `# HELP ${name} [ALPHA] Number of errors from credential provider plugin`,
      `# TYPE ${name} counter`,
      `${name}{plugin_name="${CREDENTIAL_PROVIDER_PLUGIN}"} ${m.pluginErrors}`,
    );
  }
  if (minor >= 30) lines.push(...pullHistogram(m));
  return `${lines.join("\n")}\n`;
}
