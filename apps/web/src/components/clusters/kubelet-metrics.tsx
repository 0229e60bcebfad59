import { KubeletDaysFigures } from "~/components/clusters/kubelet-days.tsx";
import { DataTable, Empty, muted, Section, tableWrap, td, tr } from "~/components/ui.tsx";
import { dateTime, ms, num, pct } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type KubeletMetricsSummary = NonNullable<Outputs["clusters"]["detail"]["kubeletMetrics"]>;

type Ensure = KubeletMetricsSummary["ensure"];

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);

/** A node's mean successful pull, from the pull-duration histogram's sum and count. */
const meanPull = (p: KubeletMetricsSummary["pulls"]) =>
  p && p.count > 0 ? (p.sumSeconds / p.count) * 1000 : null;

function Totals({ m }: { m: KubeletMetricsSummary }) {
  const e = m.ensure;
  return (
    <p className="text-sm [overflow-wrap:anywhere]">
      {num(m.read)} of {num(m.nodes)} nodes read at {dateTime(m.at)}.{" "}
      {e ? (
        <>
          Since their kubelets started they made sure of an image {num(e.requests)} times: the node&apos;s
          cache answered {pct(ratio(e.cached, e.requests))}, {num(e.pulled)} went to the registry, and{" "}
          <strong>
            {pct(ratio(e.pulledByAlways, e.pulled))} of those were caused by imagePullPolicy Always
          </strong>
          .
        </>
      ) : (
        <span className={muted}>
          Its kubelets do not count ensure-image requests (
          <code className="[overflow-wrap:anywhere]">kubelet_image_manager_ensure_image_requests_total</code>{" "}
          is 1.35+).
        </span>
      )}{" "}
      {m.ensureSecretPulledImages > 0 &&
        `${num(m.ensureSecretPulledImages)} report KubeletEnsureSecretPulledImages on (KEP-2535).`}
    </p>
  );
}

const cells = (e: Ensure) =>
  e
    ? [
        num(e.requests),
        pct(ratio(e.cached, e.requests)),
        num(e.pulled),
        pct(ratio(e.pulledByAlways, e.pulled)),
      ]
    : ["–", "–", "–", "–"];

const ENSURE_COLUMNS: Array<[string, "right"]> = [
  ["Ensure-image requests", "right"],
  ["From the node's cache", "right"],
  ["Sent to the registry", "right"],
  ["Of those, by Always", "right"],
];

/**
 * What each node's kubelet counts of image pulls (its /metrics, read through the opt-in
 * nodes/proxy permission): how often its cache answers, how much `Always` sends to the registry,
 * and how long successful pulls take. Counters run from each kubelet's start.
 */
export function KubeletMetrics({
  metrics,
  days,
}: {
  metrics: KubeletMetricsSummary | null;
  days: Outputs["clusters"]["detail"]["kubeletDays"];
}) {
  return (
    <Section title="Image pulls on the nodes (kubelet metrics)">
      {!metrics ? (
        <Empty title="Not read: kubelet metrics are an opt-in read (--kubelet-metrics, which needs get on nodes/proxy)." />
      ) : (
        <>
          <Totals m={metrics} />
          <KubeletDaysFigures days={days} ensure={metrics.ensure !== null} />
          <div className={tableWrap}>
            <DataTable
              caption="Image pulls per node, since each kubelet started"
              // Kubelets before 1.35 count no ensure-image requests: no columns of dashes.
              columns={[
                "Node",
                ...(metrics.ensure ? ENSURE_COLUMNS : []),
                ["Successful pulls", "right"],
                ["Mean pull", "right"],
              ]}
            >
              <tbody>
                {metrics.perNode.map((n) => (
                  <tr key={n.node} className={tr}>
                    <th scope="row" className={`${td} font-medium`}>
                      {n.node}
                    </th>
                    {metrics.ensure &&
                      cells(n.ensure).map((c, i) => (
                        <td key={ENSURE_COLUMNS[i]?.[0]} className={`${td} text-right tabular-nums`}>
                          {c}
                        </td>
                      ))}
                    <td className={`${td} text-right tabular-nums`}>{num(n.pulls?.count)}</td>
                    <td className={`${td} text-right tabular-nums`}>{ms(meanPull(n.pulls))}</td>
                  </tr>
                ))}
              </tbody>
            </DataTable>
          </div>
        </>
      )}
    </Section>
  );
}
