import { Link, link, muted, SeverityBadge, td } from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";

/** A row's workload: its link (when it still exists), and where it runs beneath. */
export function WorkloadCell({
  id,
  name,
  cluster,
  namespace,
  detail,
}: {
  id: bigint | null;
  name: string | null;
  cluster: string;
  namespace: string;
  /** Said after cluster/namespace (a kind, a container). */
  detail?: string | null;
}) {
  return (
    <td className={td}>
      {id ? (
        <Link href={`/workloads/${id}`} className={link}>
          {name}
        </Link>
      ) : (
        (name ?? "–")
      )}
      <span className={`block text-xs ${muted}`}>
        {cluster}/{namespace}
        {detail ? ` · ${detail}` : ""}
      </span>
    </td>
  );
}

/** A row's cluster, as the row's header, linking to the cluster's page. */
export function ClusterHeaderCell({ name }: { name: string }) {
  return (
    <th scope="row" className={`${td} font-medium`}>
      <Link href={`/clusters/${encodeURIComponent(name)}`} className={link}>
        {name}
      </Link>
    </th>
  );
}

/**
 * Open findings as a count cell: the unwaived count (a link to them where one is given) and the
 * waived ones beside it, which the count leaves out.
 */
export function OpenFindingsCell({ open, waived, href }: { open: number; waived: number; href?: string }) {
  return (
    <td className={`${td} text-right tabular-nums`}>
      {href ? (
        <Link href={href} className={link}>
          {num(open)}
        </Link>
      ) : (
        num(open)
      )}
      {waived > 0 && <span className={`ml-1 text-xs ${muted}`}>(+{num(waived)} waived)</span>}
    </td>
  );
}

/**
 * A row about one finding on a workload, as the row's header: severity, the workload (a link while
 * it exists), waived or not, where it runs and whose it is, a detail, and the image beneath.
 */
export function FindingWorkloadHeader({
  row: r,
  detail,
}: {
  row: {
    severity: string;
    workload_id: bigint | null;
    workload_kind: string | null;
    workload: string | null;
    waived: boolean;
    cluster: string;
    namespace: string;
    owner: string;
    image: string | null;
  };
  /** Said after the owner (a container). */
  detail?: string | null;
}) {
  return (
    <th scope="row" className={`${td} font-normal`}>
      <div className="flex flex-wrap items-center gap-2">
        <SeverityBadge severity={r.severity} />
        {r.workload_id ? (
          <Link href={`/workloads/${r.workload_id}`} className={`${link} font-medium`}>
            {r.workload_kind}/{r.workload}
          </Link>
        ) : (
          <span className="font-medium">{r.workload ?? "–"}</span>
        )}
        {r.waived && (
          <span className="rounded bg-slate-200 px-1.5 py-0.5 text-xs dark:bg-slate-700">waived</span>
        )}
      </div>
      <div className={`text-xs ${muted}`}>
        {r.cluster} / {r.namespace} ·{" "}
        <Link href={`/teams/${encodeURIComponent(r.owner)}`} className={link}>
          {r.owner}
        </Link>
        {detail ? ` · ${detail}` : ""}
      </div>
      <div className={`mt-1 font-mono text-xs [overflow-wrap:anywhere] ${muted}`}>{r.image}</div>
    </th>
  );
}
