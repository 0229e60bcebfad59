import { Head, Link, link, muted, SeverityBadge, table, tableWrap, td, tr } from "~/components/ui.tsx";
import { WaiveForm } from "~/components/waive-form.tsx";
import { date } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Row = Outputs["findings"]["list"]["rows"][number];

/** One page of findings; a reviewer or admin (waiveAs set) gets a waive action per open finding. */
export function FindingsTable({
  rows,
  first,
  total,
  titles,
  waiveAs,
}: {
  rows: Row[];
  first: number;
  total: number;
  titles: ReadonlyMap<string, string>;
  waiveAs: string | null;
}) {
  const canWaive = waiveAs !== null;
  return (
    <div className={tableWrap}>
      <table className={table}>
        <caption className="sr-only">
          Findings {first} to {first + rows.length - 1} of {total}
        </caption>
        <Head
          columns={[
            "Severity",
            "Rule",
            "Workload",
            "Container / image",
            "Status",
            "Opened",
            canWaive && "Action",
          ]}
        />
        <tbody>
          {rows.map((f) => (
            <tr key={String(f.finding_id)} className={tr}>
              <td className={td}>
                <SeverityBadge severity={f.severity} />
              </td>
              <th scope="row" className={`${td} font-normal`}>
                <span className="font-medium">{f.rule_id}</span> {titles.get(f.rule_id)}
                {f.message && <span className={`block text-xs ${muted}`}>{f.message}</span>}
              </th>
              <td className={td}>
                {f.workload_id ? (
                  <Link href={`/workloads/${f.workload_id}`} className={link}>
                    {f.workload}
                  </Link>
                ) : (
                  (f.workload ?? "–")
                )}
                <span className={`block text-xs ${muted}`}>
                  {f.cluster}/{f.namespace}
                  {f.workload_kind ? ` · ${f.workload_kind}` : ""}
                </span>
              </td>
              <td className={`${td} text-xs`}>
                {f.container ?? "–"}
                {f.image && <span className="block break-all font-mono">{f.image}</span>}
              </td>
              <td className={td}>
                {f.status}
                {f.status === "resolved" ? (
                  <span className={`block text-xs ${muted}`}>{date(f.resolved_at)}</span>
                ) : f.clearing_since ? (
                  <span className={`block text-xs ${muted}`}>
                    clearing: not seen since {date(f.clearing_since)}
                  </span>
                ) : f.unverified_since ? (
                  <span className={`block text-xs ${muted}`}>
                    unverified: no data since {date(f.unverified_since)}
                  </span>
                ) : (
                  f.collected_at && (
                    <span className={`block text-xs ${muted}`}>confirmed {date(f.collected_at)}</span>
                  )
                )}
              </td>
              <td className={`${td} whitespace-nowrap`}>
                {date(f.opened_at)}
                {f.opened_from !== "snapshot" && (
                  <span className={`block text-xs ${muted}`}>from {f.opened_from}</span>
                )}
              </td>
              {canWaive && (
                <td className={td}>
                  {f.status === "open" && (
                    <WaiveForm
                      target={{
                        ruleId: f.rule_id,
                        cluster: f.cluster,
                        namespace: f.namespace,
                        workloadKind: f.workload_kind,
                        workloadName: f.workload,
                      }}
                      defaultOwner={waiveAs ?? ""}
                    />
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
