import { WORKLOAD_DETAIL_EVENTS } from "@pullsight/api";
import { imageVolumeName } from "@pullsight/core";
import {
  DataTable,
  Empty,
  link,
  longTableWrap,
  muted,
  Section,
  scrollBox,
  td,
  tr,
} from "~/components/ui.tsx";
import { dateTime, ms, num } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Detail = Outputs["workloads"]["detail"];

/**
 * Who an event is about: the container its fieldPath names, else the image volume whose reference
 * it pulled (the kubelet pulls image volumes for the pod: their events name no container).
 */
function subjectOf(e: Detail["events"][number], containers: Detail["containers"]): string {
  if (e.container) return e.container;
  const volume = containers.find((c) => c.type === "volume" && c.image === e.image);
  const name = volume ? imageVolumeName(volume.name) : null;
  return name ? `${name} (image volume)` : "–";
}

/** The workload's recent pull events, newest first (as many as the detail reads), with a link to all of them. */
export function PullEvents({ d, w }: { d: Pick<Detail, "events" | "containers">; w: Detail["workload"] }) {
  return (
    <Section title="Pull events">
      {d.events.length === 0 ? (
        <Empty title="No pull events recorded for this workload." />
      ) : (
        <div className={longTableWrap} {...scrollBox("Pull events table")}>
          <DataTable
            caption="Pull events, newest first"
            columns={[
              "Last seen",
              "Reason",
              "Pod",
              "Container",
              "Node",
              ["Pull time", "right"],
              ["Count", "right"],
              "Message",
            ]}
          >
            <tbody>
              {d.events.map((e) => (
                <tr key={String(e.id)} className={tr}>
                  <td className={`${td} whitespace-nowrap text-xs`}>{dateTime(e.lastTimestamp)}</td>
                  <td className={td}>
                    <span className={e.failureCause ? "font-medium text-red-800 dark:text-red-200" : ""}>
                      {e.reason}
                    </span>
                    {e.failureCause && <span className={`block text-xs ${muted}`}>{e.failureCause}</span>}
                    {e.alreadyPresent && <span className={`block text-xs ${muted}`}>already present</span>}
                  </td>
                  <td className={`${td} break-all text-xs`}>{e.pod}</td>
                  <td className={td}>{subjectOf(e, d.containers)}</td>
                  <td className={`${td} text-xs`}>{e.node ?? "–"}</td>
                  <td className={`${td} text-right tabular-nums`}>{ms(e.pullDurationMs)}</td>
                  <td className={`${td} text-right tabular-nums`}>
                    {num(e.count)}
                    {e.aggregated && (
                      <span
                        className={`block text-xs ${muted}`}
                        title="Combined by the kubelet from similar events: the count covers all of them, not pulls"
                      >
                        combined
                      </span>
                    )}
                  </td>
                  <td className={`${td} max-w-md break-words text-xs`}>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
          {d.events.length >= WORKLOAD_DETAIL_EVENTS && (
            <p className={`px-3 py-2 text-xs ${muted}`}>
              The {num(d.events.length)} newest events; all of this namespace&apos;s events:{" "}
              <a
                className={link}
                href={`/api/export/pull-events.csv?cluster=${encodeURIComponent(w.cluster)}&namespace=${encodeURIComponent(w.namespace)}`}
              >
                pull events CSV
              </a>
              .
            </p>
          )}
        </div>
      )}
    </Section>
  );
}
