import type { Severity } from "@pullsight/core";
import { card, Link, link, muted, SeverityBadge } from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";

/**
 * Rules that fire on most containers (PS005), one line per namespace with a count: listed one by
 * one they would drown everything else. Each line opens its rows.
 */
export function GroupedFindings({
  groups,
  totals,
  titles,
  raw,
}: {
  groups: Array<{
    ruleId: string;
    cluster: string;
    namespace: string;
    severity: Severity;
    findings: number;
    workloads: number;
  }>;
  /** Every namespace counted per rule: `groups` lists the largest (a fleet has hundreds). */
  totals: Array<{ ruleId: string; namespaces: number; findings: number }>;
  titles: ReadonlyMap<string, string>;
  raw: Record<string, string | undefined>;
}) {
  const total = totals.reduce((n, g) => n + g.findings, 0);
  const namespaces = totals.reduce((n, g) => n + g.namespaces, 0);
  const rules = totals.map((t) => t.ruleId);
  return (
    <details className={`${card} p-3 text-sm`}>
      <summary className="cursor-pointer">
        <span className="font-medium">
          {num(total)} {rules.map((id) => `${id} ${titles.get(id) ?? ""}`).join(", ")}
        </span>{" "}
        <span className={muted}>
          findings in {num(namespaces)} namespace{namespaces === 1 ? "" : "s"}, grouped because the rule fires
          on most containers
        </span>
      </summary>
      <ul className="mt-2 space-y-1" aria-label="Grouped findings by namespace">
        {groups.map((g) => {
          const q = new URLSearchParams({
            ...Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)),
            ruleId: g.ruleId,
            cluster: g.cluster,
            namespace: g.namespace,
          } as Record<string, string>);
          return (
            <li key={`${g.ruleId}/${g.cluster}/${g.namespace}`} className="flex flex-wrap items-center gap-2">
              <SeverityBadge severity={g.severity} />
              <Link href={`/findings?${q}`} className={link}>
                {g.cluster}/{g.namespace}
              </Link>
              <span className={muted}>
                {g.ruleId}: {num(g.findings)} finding{g.findings === 1 ? "" : "s"} in {num(g.workloads)}{" "}
                workload{g.workloads === 1 ? "" : "s"}
              </span>
            </li>
          );
        })}
      </ul>
      {namespaces > groups.length && (
        <p className={`mt-2 ${muted}`}>
          and {num(namespaces - groups.length)} more namespaces with fewer:{" "}
          {rules.map((id, i) => (
            <span key={id}>
              {i > 0 && ", "}
              <Link href={`/findings?${ruleQuery(raw, id)}`} className={link}>
                every {id} finding
              </Link>
            </span>
          ))}
        </p>
      )}
    </details>
  );
}

const ruleQuery = (raw: Record<string, string | undefined>, ruleId: string) =>
  new URLSearchParams({
    ...Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => e[1] !== undefined)),
    ruleId,
  }).toString();
