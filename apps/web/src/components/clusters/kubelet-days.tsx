// The nodes' kubelet counters per UTC day (their growth between the collector's readings): what
// the caches answered and what went to the registry by policy, stacked per day,
// and per day successful pulls with their percentiles as the kubelet's histogram buckets them,
// images garbage collected, credential provider errors and kubelet restarts.
import { TimeChart } from "~/components/charts.tsx";
import { DataTable, muted, tableWrap, td, tr } from "~/components/ui.tsx";
import { num, pct, plural } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type KubeletDays = Outputs["clusters"]["detail"]["kubeletDays"];
type Range = KubeletDays["days"][number]["p50"];

// A range is one word on a narrow screen: no break inside "10 s–20 s".
const seconds = (s: number) => (s >= 60 ? `${s / 60}\u00a0min` : `${s}\u00a0s`);

/** A percentile as the kubelet bucket it falls in: that is all its histogram knows. */
export function bucketText(r: Range): string {
  if (!r) return "–";
  if (r.upper === null) return `over\u00a0${seconds(r.lower)}`;
  return r.lower === 0 ? `≤\u00a0${seconds(r.upper)}` : `${seconds(r.lower)}\u2060–\u2060${seconds(r.upper)}`;
}

const SERIES = [
  { key: "cached", label: "Answered by the node's cache", color: "#059669" },
  { key: "pulledByIfNotPresent", label: "Pulled: IfNotPresent", color: "#0284c7" },
  { key: "pulledByAlways", label: "Pulled: Always", color: "#d97706" },
];

function Summary({ days, ensure }: { days: KubeletDays; ensure: boolean }) {
  const total = (
    k: "cached" | "pulledByAlways" | "pulledByIfNotPresent" | "unverified" | "garbageCollected" | "resets",
  ) => days.days.reduce((n, d) => n + d[k], 0);
  const pulled = total("pulledByAlways") + total("pulledByIfNotPresent");
  const restarts = total("resets");
  const errors = days.days.reduce((n, d) => n + d.credentialProviderErrors, 0);
  return (
    <p className="text-sm [overflow-wrap:anywhere]">
      Over {plural(days.days.length, "day")}:{" "}
      {ensure && (
        <>
          {num(pulled)} registry pulls,{" "}
          <strong>{pct(pulled ? total("pulledByAlways") / pulled : null)} caused by Always</strong>, while the
          caches answered {num(total("cached"))} requests.{" "}
        </>
      )}
      {days.total && days.total.pulls > 0 && (
        <>
          {num(days.total.pulls)} successful pulls: median {bucketText(days.total.p50)}, p95{" "}
          {bucketText(days.total.p95)} (the kubelet&apos;s own buckets, merged over the days).{" "}
        </>
      )}
      {total("unverified") > 0 && (
        <span className="text-amber-800 dark:text-amber-300">
          {plural(total("unverified"), "start")} with imagePullPolicy Never found the image on the node but
          not credentials the kubelet could verify for the pod (KEP-2535): those pods saw ErrImageNeverPull,
          worded as if the image were missing.{" "}
        </span>
      )}
      {total("garbageCollected") > 0 && `${plural(total("garbageCollected"), "image")} garbage collected. `}
      {errors > 0 && (
        <span className="text-amber-800 dark:text-amber-300">
          {plural(errors, "credential provider plugin error")}.{" "}
        </span>
      )}
      {restarts > 0 && (
        <span className="text-amber-800 dark:text-amber-300">
          {plural(restarts, "kubelet restart")}: what a kubelet counted between the last reading and its
          restart is not in these figures.
        </span>
      )}
    </p>
  );
}

function DaysTable({ days }: { days: KubeletDays["days"] }) {
  const right = `${td} text-right tabular-nums`;
  return (
    <details className="text-sm">
      <summary className="cursor-pointer">
        Per day: pulls, their percentiles, garbage collection, errors
      </summary>
      <div className={`${tableWrap} mt-2`}>
        <DataTable
          caption="Kubelet counters per day"
          columns={[
            "Day (UTC)",
            ["Nodes", "right"],
            ["Successful pulls", "right"],
            ["Median", "right"],
            ["p95", "right"],
            ["Images collected", "right"],
            ["Credential provider errors", "right"],
            ["Kubelet restarts", "right"],
          ]}
        >
          <tbody>
            {[...days].reverse().map((d) => (
              <tr key={d.day} className={tr}>
                <th scope="row" className={`${td} font-normal whitespace-nowrap`}>
                  {d.day}
                </th>
                <td className={right}>{num(d.nodes)}</td>
                <td className={right}>{num(d.pulls)}</td>
                <td className={right}>{bucketText(d.p50)}</td>
                <td className={right}>{bucketText(d.p95)}</td>
                <td className={right}>{num(d.garbageCollected)}</td>
                <td className={right}>{num(d.credentialProviderErrors)}</td>
                <td className={right}>{num(d.resets)}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      </div>
    </details>
  );
}

/**
 * Daily figures from the kubelets' counters; `ensure` says whether they count ensure-image
 * requests at all (1.35+), from the newest reading.
 */
export function KubeletDaysFigures({ days, ensure }: { days: KubeletDays; ensure: boolean }) {
  if (!days.days.length)
    return (
      <p className={`text-sm ${muted}`}>
        Daily figures start with the second reading: the first is where each kubelet&apos;s counters are
        measured from.
      </p>
    );
  return (
    <>
      <Summary days={days} ensure={ensure} />
      {ensure && (
        <TimeChart
          title="Ensure-image requests per day"
          summary="Each day's requests the nodes' kubelets made sure of an image for: answered by the node's cache, or sent to the registry under each pull policy."
          data={days.days.map((d) => ({
            t: Date.parse(d.day),
            cached: d.cached,
            pulledByIfNotPresent: d.pulledByIfNotPresent,
            pulledByAlways: d.pulledByAlways,
          }))}
          series={SERIES}
          format="count"
          kind="area"
          stacked="sum"
          height={200}
        />
      )}
      <DaysTable days={days.days} />
    </>
  );
}
