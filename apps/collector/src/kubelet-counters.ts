// Kubelet counters over time: each snapshot's reading per node against the node's previous one
// (growth, restarts handled), and per node what grew since the start of the previous UTC day —
// stored days plus this reading — which PS021 judges the workload's nodes by.
import {
  addCounters,
  type CounterReading,
  type Counters,
  counterGrowth,
  countersOf,
  type NodePullFacts,
  pullRequestsOf,
} from "@pullsight/core";
import { type Db, getKubeletNodeGrowth, getKubeletReadings, type KubeletNodeReading } from "@pullsight/db";
import type { RawSnapshot } from "./k8s/reader.ts";

const DAY_MS = 86_400_000;

export interface KubeletWindow {
  /** Start of the window: 00:00 UTC of the day before the snapshot. */
  since: Date;
  /** Per node whose kubelet counted ensure-image requests: what its counters grew by since then. */
  growth: ReadonlyMap<string, Counters>;
}

export interface KubeletCounters {
  readings: KubeletNodeReading[];
  window: KubeletWindow;
}

const hasEnsure = (c: Counters) => Object.keys(c).some((k) => k.startsWith("ensure/"));

/** This snapshot's readings and each node's recent growth; null when kubelet metrics were not read. */
export async function kubeletCountersOf(
  db: Db,
  cluster: string,
  raw: RawSnapshot,
): Promise<KubeletCounters | null> {
  if (!raw.kubeletMetrics?.length) return null;
  const at = raw.startedAt.getTime();
  const since = new Date(Math.floor(at / DAY_MS) * DAY_MS - DAY_MS);
  const [previous, stored] = await Promise.all([
    getKubeletReadings(db, cluster),
    getKubeletNodeGrowth(db, cluster, since),
  ]);
  const readings = raw.kubeletMetrics.map(({ node, metrics }) => {
    const reading: CounterReading = { startTime: metrics.startTime, counters: countersOf(metrics) };
    return { node, reading, growth: counterGrowth(previous.get(node) ?? null, reading) };
  });
  const growth = new Map<string, Counters>();
  for (const r of readings) {
    // A node measured: its kubelet has the counter, and a growth is known (not a first reading).
    if (!hasEnsure(r.reading.counters) || (!r.growth && !stored.has(r.node))) continue;
    growth.set(r.node, addCounters(stored.get(r.node), r.growth?.growth));
  }
  return { readings, window: { since, growth } };
}

/** What the kubelets of a workload's nodes counted in the window. */
export function nodePullsOf(nodes: readonly string[], window: KubeletWindow): NodePullFacts {
  const measured = nodes.filter((n) => window.growth.has(n));
  const counts = pullRequestsOf(addCounters(...measured.map((n) => window.growth.get(n))));
  return {
    nodes: nodes.length,
    measured: measured.length,
    since: window.since.toISOString(),
    cached: counts.cached,
    pulled: counts.pulled,
    pulledByAlways: counts.pulledByAlways,
  };
}
