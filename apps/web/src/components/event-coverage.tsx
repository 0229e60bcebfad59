// How much of what happened on the nodes the stored kubelet events show: pull counts, latency and
// failure causes are a sample of the events that reached the collector, and this is its size.
import { DataTable, muted, tableWrap, td, tr } from "~/components/ui.tsx";
import { date, num, pct } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Day = Outputs["trends"]["coverage"][number];

/** Below this share of starts with their pull event, a day's pull figures are flagged as partial. */
export const LOW_COVERAGE = 0.9;

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);

export function EventCoverage({ days }: { days: Day[] }) {
  const starts = days.reduce((n, d) => n + d.containerStarts, 0);
  const covered = days.reduce((n, d) => n + d.startsWithPullEvent, 0);
  const combined = days.reduce((n, d) => n + d.aggregatedEvents, 0);
  if (starts === 0 && combined === 0 && !days.some((d) => d.failingContainers > 0))
    return <p className={`text-sm ${muted}`}>Event coverage: no container starts counted in these days.</p>;
  const low = days.filter((d) => (ratio(d.startsWithPullEvent, d.containerStarts) ?? 1) < LOW_COVERAGE);
  const latest = days.at(-1);
  const silent = latest ? latest.failingContainers - latest.failingWithEvent : 0;
  return (
    <details className="text-sm">
      <summary className="cursor-pointer">
        <span className="font-medium">Event coverage:</span> {pct(ratio(covered, starts), 1)} of {num(starts)}{" "}
        container starts have their pull event
        {low.length > 0 && (
          <span className="ml-1 font-medium text-amber-800 dark:text-amber-300">
            · pull figures partial on {low.length === 1 ? "1 day" : `${low.length} days`}
          </span>
        )}
        {silent > 0 && (
          <span className="ml-1 font-medium text-amber-800 dark:text-amber-300">
            · {silent === 1 ? "1 failing container" : `${num(silent)} failing containers`} without a failure
            event in the last hour: failure counts miss {silent === 1 ? "it" : "them"}
          </span>
        )}
        {combined > 0 && <span className={muted}> · {num(combined)} events combined by the kubelet</span>}
      </summary>
      <p className={`mt-2 ${muted}`}>
        Kubelet events are combined when similar ones pile up, rate-limited per pod (25, then one every 5
        minutes) and kept for an hour: pull counts, latency and causes describe the events the collector
        stored. A start without its pull event means one was lost; a container failing for hours whose events
        no longer come through is failing without a recent failure event (its failures are no longer counted);
        a combined event counts as one failed attempt.
      </p>
      <CoverageTable days={days} />
    </details>
  );
}

function CoverageTable({ days }: { days: Day[] }) {
  const right = `${td} text-right tabular-nums`;
  return (
    <div className={`${tableWrap} mt-2`}>
      <DataTable
        caption="Event coverage per day"
        columns={[
          "Day (UTC)",
          ["Starts", "right"],
          ["With pull event", "right"],
          ["Failing", "right"],
          ["With a failure event of the last hour", "right"],
          ["Combined events", "right"],
        ]}
      >
        <tbody>
          {[...days].reverse().map((d) => {
            const share = ratio(d.startsWithPullEvent, d.containerStarts);
            return (
              <tr key={d.day.toISOString()} className={tr}>
                <th scope="row" className={`${td} font-normal whitespace-nowrap`}>
                  {date(d.day)}
                </th>
                <td className={right}>{num(d.containerStarts)}</td>
                <td
                  className={`${right} ${share !== null && share < LOW_COVERAGE ? "font-medium text-amber-800 dark:text-amber-300" : ""}`}
                >
                  {num(d.startsWithPullEvent)} <span className={`text-xs ${muted}`}>({pct(share, 1)})</span>
                </td>
                <td className={right}>{num(d.failingContainers)}</td>
                <td className={right}>{num(d.failingWithEvent)}</td>
                <td className={right}>
                  {num(d.aggregatedEvents)}
                  {d.aggregatedEvents > 0 && (
                    <span className={`text-xs ${muted}`}> ({num(d.aggregatedOccurrences)} occurrences)</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </DataTable>
    </div>
  );
}
