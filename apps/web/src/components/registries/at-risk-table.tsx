// The references at risk: one row per workload container whose image its registry no longer serves
// (PS019) or whose tag now names a digest none of its pods run (PS020), with what the registry said
// and what keeps the container running until its next pull.
import { AT_RISK_SORT_FIRST, type AT_RISK_SORTS } from "@pullsight/api";
import { FindingWorkloadHeader } from "~/components/cells.tsx";
import { SortableTable, type SortView } from "~/components/table-controls.tsx";
import { longTableWrap, muted, scrollBox, td, tr } from "~/components/ui.tsx";
import { ago, dateTime, plural } from "~/lib/format.ts";
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

type Sort = (typeof AT_RISK_SORTS)[number];

export function AtRiskTable({
  rows,
  now,
  view,
}: {
  rows: AtRiskRow[];
  now: Date;
  view: Omit<SortView<Sort>, "path" | "firstOrder">;
}) {
  return (
    <div className={longTableWrap} {...scrollBox("References at risk table")}>
      <SortableTable
        view={{ ...view, path: "/will-it-pull", firstOrder: (c) => AT_RISK_SORT_FIRST[c] }}
        caption={`References at risk, sorted by ${view.sort} ${view.order === "asc" ? "ascending" : "descending"}`}
        columns={[
          { label: "Workload and image", sort: "severity", sortsBy: "Severity" },
          { label: "Registry says", sort: "cause", sortsBy: "Cause" },
          { label: "Runs now" },
          { label: "At risk since", sort: "since" },
        ]}
      >
        <tbody>
          {rows.map((r) => (
            <tr key={r.finding_id.toString()} className={tr}>
              <FindingWorkloadHeader row={r} detail={r.container} />
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
                <NodeNames names={r.node_names} />
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
      </SortableTable>
    </div>
  );
}

/** The nodes that keep the image (the first three, all of them on hover). */
function NodeNames({ names }: { names: string | null }) {
  const all = (names ?? "").split(" ").filter(Boolean);
  if (!all.length) return null;
  return (
    <div className={`font-mono text-xs [overflow-wrap:anywhere] ${muted}`} title={all.join(", ")}>
      {all.slice(0, 3).join(", ")}
      {all.length > 3 ? ` and ${all.length - 3} more` : ""}
    </div>
  );
}
