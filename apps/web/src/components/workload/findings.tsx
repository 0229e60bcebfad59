import { imageVolumeName } from "@pullsight/core";
import { YamlSnippet } from "~/components/copy-button.tsx";
import { card, link, muted, SeverityBadge } from "~/components/ui.tsx";
import { WaiveForm } from "~/components/waive-form.tsx";
import { concreteFix } from "~/lib/fix.ts";
import { dateTime } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Detail = Outputs["workloads"]["detail"];
type Finding = Detail["findings"][number];

/** The digest a container runs when all its pods agree on one, for a fix snippet that pins it. */
function runningDigest(d: Detail, name: string | null): string | null {
  const digests = d.running.find((r) => r.container === name)?.digests.filter((x) => x.digest) ?? [];
  return digests.length === 1 ? (digests[0]?.digest ?? null) : null;
}

/** A pod whose newest events are this container's: a failed pull's first, else any. */
function podOf(d: Detail, container: string | null): string | null {
  const mine = d.events.filter((e) => e.container === container);
  return (mine.find((e) => e.reason === "Failed") ?? mine[0])?.pod ?? null;
}

/** What a finding is about, in words: a container, an image volume, or the workload. */
function subjectOf(container: string | null): string {
  if (!container) return "Workload";
  const volume = imageVolumeName(container);
  return volume === null ? `Container ${container}` : `Image volume ${volume}`;
}

/** One open finding: when and from what it opened, why it matters, the fix for this container, a waiver. */
export function FindingCard({
  d,
  f,
  index,
  waiveAs,
}: {
  d: Detail;
  f: Finding;
  index: number;
  /** The default owner of a waiver, when the viewer may waive; null when not. */
  waiveAs: string | null;
}) {
  const w = d.workload;
  const c = d.containers.find((x) => x.name === f.container);
  const yaml = concreteFix(f.fixYaml, {
    container: f.container,
    ...(c ? { registry: c.registry, repository: c.repository } : {}),
    runningDigest: runningDigest(d, f.container),
    namespace: w.namespace,
    workload: { kind: w.kind, name: w.name },
    pod: podOf(d, f.container),
  });
  const canWaive = waiveAs !== null;
  return (
    <li className={`${card} p-4`}>
      <article aria-labelledby={`f-${f.id}`}>
        <div className="flex flex-wrap items-center gap-2">
          <SeverityBadge severity={f.severity} />
          <h3 id={`f-${f.id}`} className="font-medium">
            {f.ruleId} {f.title}
          </h3>
          {f.waived && (
            <span className="rounded bg-slate-200 px-1.5 py-0.5 text-xs dark:bg-slate-700">waived</span>
          )}
        </div>
        <p className={`mt-1 text-sm ${muted}`}>
          {subjectOf(f.container)} · open since {dateTime(f.openedAt)}
          {f.openedFrom !== "snapshot" ? ` (from ${f.openedFrom})` : ""}
          {f.clearingSince
            ? ` · clearing: not seen since ${dateTime(f.clearingSince)}`
            : f.confirmedAt
              ? ` · confirmed ${dateTime(f.confirmedAt)}`
              : ""}
          {f.evidenceSince && f.evidenceSince > f.openedAt
            ? ` · evidence as of ${dateTime(f.evidenceSince)}`
            : ""}
        </p>
        <p className="mt-2 text-sm [overflow-wrap:anywhere]">{f.message}</p>
        <details className="mt-2 print:block" open={index === 0}>
          <summary className="cursor-pointer text-sm font-medium text-sky-700 dark:text-sky-300">
            Why it matters and how to fix it
          </summary>
          <h4 className="mt-3 text-sm font-medium">Why it matters</h4>
          <p className="text-sm">{f.why}</p>
          <h4 className="mt-3 text-sm font-medium">How to fix</h4>
          <p className="text-sm">{f.fix}</p>
          <YamlSnippet yaml={yaml} />
          {f.references.length > 0 && (
            <ul className="mt-2 flex flex-wrap gap-x-4 text-xs">
              {f.references.map((r) => (
                <li key={r.url}>
                  <a href={r.url} className={link} rel="noreferrer" target="_blank">
                    {r.title}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </details>
        {canWaive && !f.waived && (
          <div className="mt-3">
            <WaiveForm
              target={{
                ruleId: f.ruleId,
                cluster: w.cluster,
                namespace: w.namespace,
                workloadKind: w.kind,
                workloadName: w.name,
              }}
              defaultOwner={waiveAs ?? ""}
            />
          </div>
        )}
      </article>
    </li>
  );
}
