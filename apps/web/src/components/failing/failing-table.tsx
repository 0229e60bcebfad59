// The failing-now rows: one per pod container waiting on a failed pull, with the commands to look
// at it filled in with its namespace and pod (the image-pull-failing rule's own snippet).
import { FAILING_SORT_FIRST, type FAILING_SORTS } from "@pullsight/api";
import { FindingWorkloadHeader } from "~/components/cells.tsx";
import { CopyButton } from "~/components/copy-button.tsx";
import { SortableTable, type SortView } from "~/components/table-controls.tsx";
import { link, longTableWrap, muted, scrollBox, td, tr } from "~/components/ui.tsx";
import { concreteFix } from "~/lib/fix.ts";
import { ago, dateTime, num } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type FailingNowRow = Outputs["failing"]["now"]["rows"][number];

const SOURCE_WORDS: Record<string, string> = {
  status: "pod status",
  events: "kubelet events",
  none: "not known",
};

type Sort = (typeof FAILING_SORTS)[number];

export function FailingTable({
  rows,
  snippet,
  now,
  view,
}: {
  rows: FailingNowRow[];
  snippet: string;
  now: Date;
  view: Omit<SortView<Sort>, "path" | "firstOrder">;
}) {
  return (
    <div className={longTableWrap} {...scrollBox("Failing containers table")}>
      <SortableTable
        view={{ ...view, path: "/failing", firstOrder: (c) => FAILING_SORT_FIRST[c] }}
        caption={`Containers failing to pull now, sorted by ${view.sort} ${view.order === "asc" ? "ascending" : "descending"}`}
        columns={[
          { label: "Workload and image", sort: "severity", sortsBy: "Severity" },
          { label: "Pod" },
          { label: "Cause", sort: "cause" },
          { label: "Failing since", sort: "since" },
          { label: "Attempts", sort: "attempts", align: "text-right" },
          { label: "Look at it" },
        ]}
      >
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.finding_id}/${r.pod}/${r.reason}`} className={tr}>
              <FindingWorkloadHeader row={r} />
              <td className={td}>
                <div className="font-mono text-xs whitespace-nowrap">{r.pod}</div>
                <div className={`text-xs ${muted}`}>
                  {r.container ?? "–"} on {r.node || "no node yet"}
                </div>
              </td>
              <td className={td}>
                <div className="font-medium">{r.cause}</div>
                <div className={`text-xs ${muted}`}>
                  {r.reason}, from {SOURCE_WORDS[r.cause_source] ?? r.cause_source}
                </div>
              </td>
              <td className={`${td} whitespace-nowrap`}>
                {r.first_failure ? (
                  <span title={dateTime(r.first_failure)}>{ago(r.first_failure, now)}</span>
                ) : (
                  <span className={muted}>not known</span>
                )}
              </td>
              <td className={`${td} text-right tabular-nums`}>
                {r.attempts === null ? "–" : num(r.attempts)}
              </td>
              <td className={td}>
                <Commands row={r} snippet={snippet} />
              </td>
            </tr>
          ))}
        </tbody>
      </SortableTable>
    </div>
  );
}

/** The waiting message and the commands to look at the pod, wrapped to the column (copied whole). */
function Commands({ row, snippet }: { row: FailingNowRow; snippet: string }) {
  const commands = concreteFix(snippet, { container: row.container, namespace: row.namespace, pod: row.pod });
  return (
    <details className="max-w-sm">
      <summary className={`cursor-pointer text-sm ${link}`}>kubectl</summary>
      <p className={`mt-1 text-xs [overflow-wrap:anywhere] ${muted}`}>{row.message}</p>
      <pre className="mt-2 rounded bg-slate-100 p-2 font-mono text-xs whitespace-pre-wrap [overflow-wrap:anywhere] dark:bg-slate-800">
        <code>{commands}</code>
      </pre>
      <div className="mt-1">
        <CopyButton text={commands} label="Copy commands" />
      </div>
    </details>
  );
}
