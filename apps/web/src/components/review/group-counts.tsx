// What a review group counts, as its summary line shows it: severities present and the findings,
// workloads and containers (server-rendered for teams and rules, client-rendered for images).
import { muted, SEVERITIES, SeverityBadge } from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";

export type Counts = {
  findings: number;
  workloads: number;
  containers: number;
  bySeverity: Record<string, number>;
};

export function CountLine({ c }: { c: Counts }) {
  return (
    <span className={`text-xs ${muted}`}>
      {num(c.findings)} finding{c.findings === 1 ? "" : "s"} · {num(c.workloads)} workload
      {c.workloads === 1 ? "" : "s"} · {num(c.containers)} container{c.containers === 1 ? "" : "s"}
    </span>
  );
}

/** Badges of the severities present, most severe first, with their counts. */
export function SeverityCounts({ by }: { by: Record<string, number> }) {
  return (
    <span className="inline-flex flex-wrap gap-1">
      {SEVERITIES.filter((s) => (by[s] ?? 0) > 0).map((s) => (
        <span key={s} className="inline-flex items-center gap-0.5">
          <SeverityBadge severity={s} />
          <span className="text-xs tabular-nums">{num(by[s] ?? 0)}</span>
        </span>
      ))}
    </span>
  );
}
