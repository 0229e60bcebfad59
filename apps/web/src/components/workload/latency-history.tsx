import { BarsChart } from "~/components/charts.tsx";
import { card, Empty, muted, Section } from "~/components/ui.tsx";
import { dateTime, ms } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Detail = Outputs["workloads"]["detail"];

/** Pull latency per image over the last week, beside what changed in the workload's containers. */
export function LatencyAndHistory({ d }: { d: Pick<Detail, "latency" | "history"> }) {
  // Images pulled from cache only have no pull time to draw.
  const pulled = d.latency.filter((l) => l.pulls > 0);
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <BarsChart
        title="Pull latency by image, last 7 days"
        summary={
          pulled.length
            ? pulled
                .map((l) => `${l.image}: p50 ${ms(l.p50Ms)}, p95 ${ms(l.p95Ms)}, ${l.pulls} pulls`)
                .join("; ")
            : "No pulls in the last 7 days."
        }
        data={pulled.map((l) => ({
          label: l.image.split("/").at(-1) ?? l.image,
          p50: l.p50Ms ?? 0,
          p95: l.p95Ms ?? 0,
        }))}
        series={[
          { key: "p50", label: "p50", color: "#0284c7" },
          { key: "p95", label: "p95", color: "#d97706" },
        ]}
        format="ms"
      />
      <Section title="Change history">
        {d.history.length === 0 ? (
          <Empty title="No recorded changes." />
        ) : (
          <ol className={`${card} divide-y divide-slate-100 text-sm dark:divide-slate-800`}>
            {d.history.map((h) => (
              <li key={`${h.container}-${h.validFrom.getTime()}`} className="px-3 py-2">
                <span className="font-medium">{h.container}</span>{" "}
                <span className={muted}>
                  {dateTime(h.validFrom)} → {h.validTo ? dateTime(h.validTo) : "now"}
                </span>
                <span className="block break-all font-mono text-xs">
                  {h.image} · {h.imagePullPolicy} ({h.policySource}) · {h.tagKind}
                </span>
              </li>
            ))}
          </ol>
        )}
      </Section>
    </div>
  );
}
