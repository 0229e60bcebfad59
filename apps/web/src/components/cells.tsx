import { Link, link, muted, td } from "~/components/ui.tsx";
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
