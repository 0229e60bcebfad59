import { GroupedNote } from "~/components/grouped-note.tsx";
import { card, Grade, Link, SEVERITIES, Section, SeverityBadge, Stat, Warning } from "~/components/ui.tsx";
import { num, share } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Fleet = Outputs["fleet"]["overview"];
type PosturePoint = Outputs["trends"]["posture"][number];

/** Clusters whose figures may be partial or old, named so that nobody trusts them blindly. */
export function IncompleteWarning({ incomplete }: { incomplete: Fleet["incomplete"] }) {
  if (incomplete.length === 0) return null;
  const described = incomplete.map(
    (c) =>
      `${c.name} (${[c.status ?? "never collected", ...(c.stale && c.status ? ["stale"] : [])].join(", ")})`,
  );
  return (
    <Warning>
      Data is incomplete for {incomplete.length} cluster{incomplete.length === 1 ? "" : "s"}:{" "}
      {described.join(", ")}. Their figures may be partial or out of date; see{" "}
      <Link href="/collector" className="underline">
        collector status
      </Link>
      .
    </Warning>
  );
}

/** The headline numbers: score, sizes, open findings and digest adoption now. */
export function FleetStats({ fleet, latest }: { fleet: Fleet; latest: PosturePoint | undefined }) {
  const t = fleet.totals;
  return (
    <dl className="grid grid-cols-2 gap-4 md:grid-cols-3 lg:grid-cols-6">
      <Stat
        label="Compliance score"
        value={<Grade score={t.score} grade={t.grade} />}
        hint={`${num(t.compliant)} of ${num(t.containers)} containers`}
      />
      <Stat label="Clusters" value={num(t.clusters)} />
      <Stat label="Workloads" value={num(t.workloads)} />
      <Stat label="Containers" value={num(t.containers)} />
      <Stat
        label="Open findings"
        value={num(t.openFindings)}
        hint={t.findings.waived ? `${num(t.findings.waived)} more waived` : undefined}
      />
      <Stat
        label="Pinned by digest"
        value={share(latest?.digestShare)}
        hint={`digest or full version: ${share(latest?.pinnedShare)}`}
      />
    </dl>
  );
}

/** One link per severity into the open findings of that severity. */
export function OpenBySeverity({ findings }: { findings: Fleet["totals"]["findings"] }) {
  return (
    <Section title="Open findings by severity">
      <ul className="flex flex-wrap gap-2" aria-label="Open findings by severity">
        {SEVERITIES.map((s) => (
          <li key={s}>
            <Link
              href={`/findings?severity=${s}&status=open`}
              className={`${card} flex items-center gap-2 px-3 py-2 text-sm hover:border-sky-400`}
            >
              <SeverityBadge severity={s} />
              <span className="font-semibold tabular-nums">{num(findings.bySeverity[s])}</span>
            </Link>
          </li>
        ))}
      </ul>
      <GroupedNote count={findings.grouped} href="/findings?status=open" />
    </Section>
  );
}
