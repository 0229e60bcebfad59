// The pull-related kubelet settings of a cluster's nodes (read through the opt-in configz
// permission), counted per setting for the snapshot's stats.
/**
 * The pull-related kubelet settings of a cluster's nodes, counted by value (a snapshot's
 * `stats.kubelet`): how many nodes pull one image at a time, how many in parallel and how many.
 */
export function summarizeKubelet(
  configs: ReadonlyArray<{ node: string; config: Record<string, unknown> }>,
  nodes: number,
) {
  const SETTINGS = [
    "serializeImagePulls",
    "maxParallelImagePulls",
    "registryPullQPS",
    "registryBurst",
    "imageGCHighThresholdPercent",
    "imageMaximumGCAge",
    // KEP-2535: absent before the gate, or where configz predates it.
    "imagePullCredentialsVerificationPolicy",
  ] as const;
  const bySetting: Record<string, Record<string, number>> = {};
  for (const setting of SETTINGS) {
    const counts: Record<string, number> = {};
    for (const { config } of configs) {
      // Absent means the kubelet's default: serial pulls, no parallel limit, 5 QPS, burst 10.
      const key = String(config[setting] ?? "default");
      counts[key] = (counts[key] ?? 0) + 1;
    }
    bySetting[setting] = counts;
  }
  return { nodes, read: configs.length, ...bySetting };
}
