// The review's short list of changes that would resolve the most severity-weighted open findings,
// each linking to the findings it would resolve.
import { Empty, Link, link, muted, SeverityBadge } from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";

export interface Action {
  team: string;
  remedy: string;
  ruleIds: string[];
  image: string | null;
  text: string;
  severity: string;
  findings: number;
  workloads: number;
}

/** A change's text with `code` spans for the image it names. */
function ActionText({ text }: { text: string }) {
  return (
    <>
      {text.split("`").map((part, i) =>
        i % 2 === 1 ? (
          <code key={i} className="break-all rounded bg-slate-100 px-1 text-xs dark:bg-slate-800">
            {part}
          </code>
        ) : (
          part
        ),
      )}
    </>
  );
}

export function Actions({ actions, rowsHref }: { actions: Action[]; rowsHref: (a: Action) => string }) {
  if (actions.length === 0) return <Empty title="No open finding asks for a change." />;
  return (
    <ol className="list-decimal space-y-2 pl-6 text-sm" aria-label="Actions, most findings resolved first">
      {actions.map((a) => (
        <li key={`${a.team}/${a.remedy}/${a.image ?? ""}`}>
          <ActionText text={a.text} /> in {num(a.workloads)} workload{a.workloads === 1 ? "" : "s"} of team{" "}
          <span className="font-medium">{a.team}</span>{" "}
          <span className={muted}>
            ({a.ruleIds.join(", ")}, <SeverityBadge severity={a.severity} />, resolves {num(a.findings)}{" "}
            finding
            {a.findings === 1 ? "" : "s"})
          </span>{" "}
          <Link href={rowsHref(a)} className={link}>
            its findings
          </Link>
        </li>
      ))}
    </ol>
  );
}
