import { Grade, Stat, Warning } from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Cluster = Outputs["clusters"]["detail"]["cluster"];

/** Says when the cluster's figures may be partial or old, and which reads failed. */
export function SnapshotWarning({ cluster }: { cluster: Cluster }) {
  if (cluster.lastSnapshotStatus === "complete" && !cluster.stale) return null;
  return (
    <Warning>
      {cluster.lastSnapshotStatus === null
        ? "This cluster has never been collected."
        : `The last snapshot is ${cluster.lastSnapshotStatus}${cluster.stale ? " and stale" : ""}${
            cluster.failures.length
              ? `: ${cluster.failures.map((f) => `${f.kind} (${f.reason})`).join(", ")}`
              : ""
          }. Figures below may be partial or out of date.`}
    </Warning>
  );
}

/** The cluster's headline numbers. */
export function ClusterStats({ cluster, namespaces }: { cluster: Cluster; namespaces: number }) {
  return (
    <dl className="grid grid-cols-2 gap-4 md:grid-cols-5">
      <Stat label="Score" value={<Grade score={cluster.score} grade={cluster.grade} />} />
      <Stat label="Namespaces" value={num(namespaces)} />
      <Stat label="Workloads" value={num(cluster.workloads)} />
      <Stat label="Containers" value={num(cluster.containers)} hint={`${num(cluster.compliant)} compliant`} />
      <Stat
        label="Open findings"
        value={num(cluster.findings.open)}
        hint={cluster.findings.waived ? `${num(cluster.findings.waived)} more waived` : undefined}
      />
    </dl>
  );
}
