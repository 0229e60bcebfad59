import { DataTable, Empty, ExportLink, muted, tableWrap, td, tr } from "~/components/ui.tsx";
import { date } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

/** The waivers in force, with their scope, reason, owner and expiry. */
export function WaiversInForce({ waivers }: { waivers: Outputs["waivers"]["list"] }) {
  return (
    <section aria-labelledby="waivers-title" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="waivers-title" className="text-lg font-semibold">
          Waivers in force ({waivers.length})
        </h2>
        <ExportLink href="/api/export/waivers.csv?state=active">Export waivers (CSV)</ExportLink>
      </div>
      {waivers.length === 0 ? (
        <Empty title="No waiver is in force." />
      ) : (
        <div className={tableWrap}>
          <DataTable
            caption="Waivers in force"
            columns={["Rule", "Scope", "Reason", "Owner", "Expires", "Created by"]}
          >
            <tbody>
              {waivers.map((w) => (
                <tr key={w.id} className={tr}>
                  <th scope="row" className={`${td} font-medium`}>
                    {w.ruleId}
                  </th>
                  <td className={`${td} text-xs`}>
                    {[
                      w.cluster ?? "every cluster",
                      w.namespace,
                      w.workloadName && `${w.workloadKind}/${w.workloadName}`,
                      w.imagePattern && `image ${w.imagePattern}`,
                    ]
                      .filter(Boolean)
                      .join(" / ")}
                  </td>
                  <td className={`${td} max-w-md text-xs`}>{w.reason}</td>
                  <td className={td}>{w.owner}</td>
                  <td className={`${td} whitespace-nowrap`}>{date(w.expiresAt)}</td>
                  <td className={`${td} text-xs`}>
                    {w.createdBy} <span className={muted}>{date(w.createdAt)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        </div>
      )}
    </section>
  );
}
