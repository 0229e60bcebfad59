import { DataTable, Empty, Section, tableWrap, td, tr } from "~/components/ui.tsx";
import { dateTime } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Detail = Outputs["workloads"]["detail"];

/** Which digest each container runs on which nodes; more than one digest for a container is drift. */
export function RunningDigests({ running }: { running: Detail["running"] }) {
  return (
    <Section title="Digests running, per node">
      {running.length === 0 ? (
        <Empty title="No running pods reported a digest." />
      ) : (
        <div className={tableWrap}>
          <DataTable
            caption="Digests running per container and node"
            columns={["Container", "Digest", "Nodes (pods)", "Running since"]}
          >
            <tbody>
              {running.flatMap((r) =>
                r.digests.map((x, i) => (
                  <tr key={`${r.container}-${x.digest ?? "none"}`} className={tr}>
                    <th scope="row" className={`${td} font-medium`}>
                      {i === 0 ? r.container : ""}
                      {i === 0 && r.drift && (
                        <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900 dark:bg-amber-900/50 dark:text-amber-100">
                          drift: {r.digests.filter((y) => y.digest).length} digests
                        </span>
                      )}
                    </th>
                    <td className={`${td} break-all font-mono text-xs`}>{x.digest ?? "unknown"}</td>
                    <td className={`${td} text-xs`}>
                      {x.nodes.map((n) => `${n.node} (${n.pods})`).join(", ")}
                    </td>
                    <td className={`${td} whitespace-nowrap text-xs`}>{dateTime(x.since)}</td>
                  </tr>
                )),
              )}
            </tbody>
          </DataTable>
        </div>
      )}
    </Section>
  );
}
