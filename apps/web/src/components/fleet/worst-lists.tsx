import { SnapshotStatus } from "~/components/snapshot-status.tsx";
import { card, Empty, Grade, Link, link, muted, Section, SeverityBadge } from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Clusters = Outputs["fleet"]["overview"]["clusters"];
type Namespaces = Outputs["fleet"]["worstNamespaces"];
type Workloads = Outputs["workloads"]["list"]["rows"];

const LIMIT = 5;
const list = `${card} divide-y divide-slate-100 text-sm dark:divide-slate-800`;
const item = "flex items-center justify-between gap-2 px-3 py-2";

/** Where to look first: the lowest-scoring clusters and namespaces, the workloads with most findings. */
export function WorstLists({
  clusters,
  namespaces,
  workloads,
}: {
  clusters: Clusters;
  namespaces: Namespaces;
  workloads: Workloads;
}) {
  return (
    <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
      <WorstClusters clusters={clusters} />
      <WorstNamespaces worst={namespaces} />
      <WorstWorkloads workloads={workloads} />
    </div>
  );
}

function WorstClusters({ clusters }: { clusters: Clusters }) {
  const worst = clusters
    .filter((c) => c.score !== null)
    .sort((a, b) => (a.score ?? 0) - (b.score ?? 0))
    .slice(0, LIMIT);
  return (
    <Section title="Worst clusters">
      <ol className={list}>
        {worst.map((c) => (
          <li key={c.id} className={item}>
            <Link href={`/clusters/${encodeURIComponent(c.name)}`} className={link}>
              {c.name}
            </Link>
            <span className="flex items-center gap-2">
              <SnapshotStatus status={c.lastSnapshotStatus} />
              <Grade score={c.score} grade={c.grade} />
            </span>
          </li>
        ))}
      </ol>
    </Section>
  );
}

function WorstNamespaces({ worst }: { worst: Namespaces }) {
  return (
    <Section title="Worst namespaces">
      {worst.length === 0 ? (
        <Empty title="No namespace scored yet." />
      ) : (
        <ol className={list}>
          {worst.map((n) => (
            <li key={`${n.cluster}/${n.name}`} className={item}>
              <Link
                href={`/workloads?cluster=${encodeURIComponent(n.cluster)}&namespace=${encodeURIComponent(n.name)}&sort=findings&order=desc`}
                className={link}
              >
                {n.cluster}/{n.name}
              </Link>
              <span className="flex items-center gap-2">
                <span className={`text-xs ${muted}`}>
                  {n.team} · {num(n.findings.open)} open
                </span>
                <Grade score={n.score} grade={n.grade} />
              </span>
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}

function WorstWorkloads({ workloads }: { workloads: Workloads }) {
  return (
    <Section title="Worst workloads">
      {workloads.length === 0 ? (
        <Empty title="No workloads collected yet." />
      ) : (
        <ol className={list}>
          {workloads.map((w) => (
            <li key={String(w.id)} className={item}>
              <Link href={`/workloads/${w.id}`} className={`${link} truncate`}>
                {w.cluster}/{w.namespace}/{w.name}
              </Link>
              <span className="flex shrink-0 items-center gap-2">
                <SeverityBadge severity={w.maxSeverity} />
                <span className="tabular-nums">{num(w.findings)}</span>
              </span>
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}
