// A cluster's kubelet counters per UTC day (KubeletClusterDay: the growth of its nodes' counters,
// restarts handled): what the nodes' caches answered, what went to the registry and by which
// policy, successful pulls with their duration percentiles from the kubelet's own histogram
// (merged over days by adding bucket counts, so a percentile is the bucket it falls in), images
// garbage collected and credential provider plugin errors.
import {
  addCounters,
  bucketQuantile,
  type Counters,
  familyOf,
  pullBucketsOf,
  pullRequestsOf,
} from "@pullsight/core";
import { z } from "zod";
import { type Db, poolOf } from "../client.ts";

/** A percentile as the kubelet bucket it falls in: (lower, upper] seconds, upper null for +Inf. */
const bucketRange = z.object({ lower: z.number(), upper: z.number().nullable() }).nullable();

const kubeletDay = z.object({
  /** UTC day, YYYY-MM-DD. */
  day: z.string(),
  /** Nodes whose counters grew that day (first readings are baselines and do not count). */
  nodes: z.number(),
  /** Kubelet restarts seen: what those kubelets counted between the last reading and the restart is lost. */
  resets: z.number(),
  /** Ensure-image requests (1.35+): answered by the cache, and sent to the registry by policy. */
  cached: z.number(),
  pulledByAlways: z.number(),
  pulledByIfNotPresent: z.number(),
  /** `Never` requests for an image on the node whose credentials the kubelet could not verify (KEP-2535). */
  unverified: z.number(),
  /** Successful pulls (1.30+) and their percentiles (null without pulls). */
  pulls: z.number(),
  p50: bucketRange,
  p95: bucketRange,
  garbageCollected: z.number(),
  credentialProviderErrors: z.number(),
});
export type KubeletDay = z.infer<typeof kubeletDay>;

export const kubeletDaysResult = z.object({
  days: z.array(kubeletDay),
  /** Over every day shown: successful pulls and their percentiles from the merged histogram. */
  total: z.object({ pulls: z.number(), p50: bucketRange, p95: bucketRange }).nullable(),
});
export type KubeletDays = z.infer<typeof kubeletDaysResult>;

// A counter that did not grow is not stored: absent is zero here; the cluster page says which
// counters the kubelets report at all (from the newest snapshot's reading).
const sum = (r: Record<string, number> | null) => (r ? Object.values(r).reduce((a, b) => a + b, 0) : 0);

function dayOf(day: Date, counters: Counters, nodes: number, resets: number): KubeletDay {
  const requests = pullRequestsOf(counters);
  const h = pullBucketsOf(counters);
  return {
    day: day.toISOString().slice(0, 10),
    nodes,
    resets,
    cached: requests.cached,
    pulledByAlways: requests.pulledByAlways,
    pulledByIfNotPresent: requests.pulledByIfNotPresent,
    unverified: requests.unverified,
    pulls: h ? h.total : 0,
    p50: h ? bucketQuantile(h, 0.5) : null,
    p95: h ? bucketQuantile(h, 0.95) : null,
    garbageCollected: sum(familyOf(counters, "gc")),
    credentialProviderErrors: sum(familyOf(counters, "credentialProviderErrors")),
  };
}

/** The cluster's last `days` UTC days up to `now`, oldest first; only days with measured growth. */
export async function getKubeletDays(db: Db, clusterId: number, now: Date, days = 30): Promise<KubeletDays> {
  const from = new Date(now.getTime() - (days - 1) * 86_400_000);
  // Pooled SQL rather than an ORM call: this is on the cluster page, and each ORM call costs more
  // to compile than the read. The day as text: the driver would read a DATE at local midnight.
  const { rows } = await poolOf(db).query<{ day: string; counters: Counters; nodes: number; resets: number }>(
    `SELECT day::text AS day, counters, nodes, resets FROM "KubeletClusterDay"
     WHERE "clusterId" = $1 AND day >= $2::date ORDER BY day`,
    [clusterId, from.toISOString().slice(0, 10)],
  );
  const merged = addCounters(...rows.map((r) => r.counters));
  const h = pullBucketsOf(merged);
  return {
    days: rows.map((r) => dayOf(new Date(`${r.day}T00:00:00Z`), r.counters, r.nodes, r.resets)),
    total: h ? { pulls: h.total, p50: bucketQuantile(h, 0.5), p95: bucketQuantile(h, 0.95) } : null,
  };
}
