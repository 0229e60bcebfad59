// The pull-related kubelet settings of a cluster's nodes (read through the opt-in configz
// permission), counted per setting for the snapshot's stats, and what the nodes' /metrics say of
// image pulls (the same permission).
import { type KubeletPullMetrics, summarizeEnsure } from "@pullsight/core";

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

/**
 * What the nodes' kubelet metrics say of image pulls, for the snapshot's stats (`kubeletMetrics`):
 * per node and for the cluster, how many ensure-image requests the node's cache answered, how many
 * went to the registry and how many of those `Always` caused, successful pulls and their seconds.
 * Counters run from each kubelet's start.
 */
export function summarizeKubeletMetrics(
  read: ReadonlyArray<{ node: string; metrics: KubeletPullMetrics }>,
  nodes: number,
) {
  const pulls = read.flatMap((r) => (r.metrics.pulls ? [r.metrics.pulls] : []));
  return {
    nodes,
    read: read.length,
    ensureSecretPulledImages: read.filter((r) => r.metrics.ensureSecretPulledImages === true).length,
    ensure: summarizeEnsure(read.map((r) => r.metrics.ensure)),
    pulls: pulls.length
      ? {
          count: pulls.reduce((a, p) => a + p.count, 0),
          sumSeconds: pulls.reduce((a, p) => a + p.sumSeconds, 0),
        }
      : null,
    perNode: read.map((r) => ({
      node: r.node,
      ensure: summarizeEnsure([r.metrics.ensure]),
      pulls: r.metrics.pulls
        ? { count: r.metrics.pulls.count, sumSeconds: r.metrics.pulls.sumSeconds }
        : null,
    })),
  };
}
