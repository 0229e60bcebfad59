import { Link, link, muted, td } from "~/components/ui.tsx";

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
