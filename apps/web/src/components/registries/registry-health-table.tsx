// How each registry answered the prober: its references by answer, the latest round's latency,
// 429s and rate-limit headroom, whether its circuit opened, and its daily answered share and p95.
import { unansweredOf } from "@pullsight/core";
import { Sparkline } from "~/components/sparkline.tsx";
import { DataTable, muted, tableWrap, td, tr } from "~/components/ui.tsx";
import { ago, dateTime, ms, num } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Registry = Outputs["registries"]["health"]["registries"][number];

export function RegistryHealthTable({ registries, now }: { registries: Registry[]; now: Date }) {
  // The registries that answer worst first: unanswered share of the latest round, then slowest.
  const unanswered = (r: Registry) =>
    unansweredOf(r.lastRound.outcomes) / Math.max(1, r.lastRound.references);
  const sorted = [...registries].sort(
    (a, b) => unanswered(b) - unanswered(a) || (b.lastRound.p95Ms ?? 0) - (a.lastRound.p95Ms ?? 0),
  );
  return (
    <div className={tableWrap}>
      <DataTable
        caption="Registries, those answering worst first"
        columns={[
          "Registry",
          ["References", "right"],
          "Latest round",
          ["p95", "right"],
          "Rate limit",
          "Answered, daily",
          "p95, daily",
        ]}
      >
        <tbody>
          {sorted.map((r) => (
            <tr key={r.registry} className={tr}>
              <th scope="row" className={`${td} font-normal`}>
                <div className="font-mono text-xs [overflow-wrap:anywhere]">{r.registry}</div>
                <div className={`text-xs ${muted}`} title={dateTime(r.lastProbedAt)}>
                  asked {ago(r.lastProbedAt, now)} from {r.prober}
                </div>
              </th>
              <td className={`${td} text-right tabular-nums`}>{num(r.references)}</td>
              <td className={td}>
                <Outcomes outcomes={r.lastRound.outcomes} />
                {r.lastRound.circuitOpened && (
                  <div className="text-xs font-medium text-red-700 dark:text-red-300">
                    circuit opened: no answer, the rest was not asked
                  </div>
                )}
              </td>
              <td className={`${td} text-right tabular-nums`}>{ms(r.lastRound.p95Ms)}</td>
              <td className={td}>
                <RateLimit round={r.lastRound} />
              </td>
              <td className={td}>
                <Sparkline
                  values={r.days.map((d) =>
                    d.answeredShare === null ? null : Math.round(d.answeredShare * 100),
                  )}
                  label={`${r.registry} answered share per day`}
                />
              </td>
              <td className={td}>
                <Sparkline
                  values={r.days.map((d) => d.p95Ms)}
                  label={`${r.registry} p95 per day`}
                  unit=" ms"
                />
              </td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </div>
  );
}

function Outcomes({ outcomes }: { outcomes: Record<string, number> }) {
  const entries = Object.entries(outcomes).sort((a, b) => b[1] - a[1]);
  return (
    <ul className="text-xs">
      {entries.map(([o, n]) => (
        <li key={o} className={o !== "resolved" ? "font-medium" : muted}>
          {o} <span className="tabular-nums">{num(n)}</span>
        </li>
      ))}
    </ul>
  );
}

function RateLimit({ round }: { round: Registry["lastRound"] }) {
  return (
    <div className="text-xs">
      {round.rateLimitLimit !== null ? (
        <div>
          {num(round.rateLimitRemaining)} of {num(round.rateLimitLimit)} left
        </div>
      ) : (
        <div className={muted}>not announced</div>
      )}
      {round.throttled > 0 && (
        <div className="font-medium">
          {num(round.throttled)} × 429, waited {ms(round.retryAfterWaitMs)}
        </div>
      )}
    </div>
  );
}
