// The references at risk: one row per workload container whose image its registry no longer serves
// (PS019) or whose tag now names a digest none of its pods run (PS020), with what the registry said
// and what keeps the container running until its next pull.
import { Head, Link, link, muted, SeverityBadge, table, tableWrap, td, tr } from "~/components/ui.tsx";
import { ago, dateTime, num, plural } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

export type AtRiskRow = Outputs["registries"]["atRisk"]["rows"][number];

/** How the page names each cause, and what it means for the next pull. */
export const CAUSE_WORDS: Record<string, { label: string; next: string }> = {
  "not-found": { label: "gone from the registry", next: "the next pull fails: manifest unknown" },
  refused: { label: "refused by the registry", next: "the next pull fails: the registry refuses it (412)" },
  unauthorized: { label: "denied to its credentials", next: "the next pull fails: credentials are refused" },
  "tag-moved": { label: "tag moved", next: "the next pull gets a different image" },
};

const short = (digest: string | null) => (digest ? `${digest.slice(0, 19)}…` : "–");

export function AtRiskTable({ rows, now }: { rows: AtRiskRow[]; now: Date }) {
  return (
    <div className={tableWrap}>
      <table className={table}>
        <caption className="sr-only">References at risk, most severe first, longest at risk first</caption>
        <Head columns={["Workload and image", "Registry says", "Runs now", "At risk since"]} />
        <tbody>
          {rows.map((r) => (
            <tr key={r.finding_id.toString()} className={tr}>
              <th scope="row" className={`${td} font-normal`}>
                <WorkloadCell row={r} />
              </th>
              <td className={td}>
                <div className="font-medium">{CAUSE_WORDS[r.cause]?.label ?? r.cause}</div>
                <div className={`text-xs ${muted}`}>
                  {r.cause === "tag-moved" ? (
                    <span className="font-mono" title={r.registry_digest ?? ""}>
                      now {short(r.registry_digest)}
                    </span>
                  ) : (
                    <span className="[overflow-wrap:anywhere]">
                      {r.detail ?? `HTTP ${r.http_status ?? "–"}`}
                    </span>
                  )}
                </div>
                <div className={`text-xs ${muted}`}>
                  {r.registry} · asked {r.probed_at ? ago(r.probed_at, now) : "–"}
                </div>
              </td>
              <td className={td}>
                <div>
                  {r.pods ? `${plural(r.pods, "pod")} on ${plural(r.nodes ?? 0, "node")}` : "no pod runs it"}
                </div>
                {r.cause === "tag-moved" ? (
                  <div className={`font-mono text-xs ${muted}`} title={r.running_digests ?? ""}>
                    {(r.running_digests ?? "").split(" ").filter(Boolean).map(short).join(", ")}
                  </div>
                ) : (
                  <div className={`text-xs ${muted}`}>
                    {r.pull_certain
                      ? "the next start pulls it"
                      : "cached where it runs; any other node pulls it"}
                  </div>
                )}
              </td>
              <td className={`${td} whitespace-nowrap`}>
                <span title={dateTime(r.since)}>{ago(r.since, now)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function WorkloadCell({ row: r }: { row: AtRiskRow }) {
  return (
    <>
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
        {r.container ? ` · ${r.container}` : ""}
      </div>
      <div className={`mt-1 font-mono text-xs [overflow-wrap:anywhere] ${muted}`}>{r.image}</div>
    </>
  );
}

/** Counts of the listed rows by one field, each a link that filters by it. */
export function CountsBy({
  label,
  values,
  href,
  words = {},
}: {
  label: string;
  values: string[];
  href: (value: string) => string;
  words?: Record<string, string>;
}) {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return (
    <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1 text-sm">
      <span className={muted}>{label}</span>
      <ul className="contents">
        {[...counts]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .map(([v, n]) => (
            <li key={v}>
              <Link href={href(v)} className={link}>
                {words[v] ?? v}
              </Link>{" "}
              <span className={`tabular-nums ${muted}`}>{num(n)}</span>
            </li>
          ))}
      </ul>
    </div>
  );
}
