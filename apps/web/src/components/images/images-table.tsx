// The image inventory's rows: each reference with where it runs and how it is pulled, the digests
// its pods run (a tag that runs as several is drift) with their nodes and a few workloads, what
// its registry says now, and its open findings.
import { PULL_CREDENTIAL_SOURCE_SHORT, type PullCredentialSource } from "@pullsight/core";
import { DataTable, Link, link, longTableWrap, muted, scrollBox, td, tr } from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Row = Outputs["images"]["list"]["rows"][number];

const short = (digest: string | null) => (digest ? `${digest.slice(0, 19)}…` : "no digest reported");
/** Nodes named per digest; the count says how many more. */
const NODES_SHOWN = 3;

export function ImagesTable({ rows }: { rows: Row[] }) {
  return (
    <div className={longTableWrap} {...scrollBox("Images table")}>
      <DataTable
        caption="Images, those running as more than one digest first"
        columns={[
          "Image",
          "Workloads",
          "Pull policies and credentials",
          "Running digests, their nodes and workloads",
          "Registry says",
          "Open findings",
        ]}
      >
        <tbody>
          {rows.map((r) => (
            <tr key={r.image} className={tr}>
              <th scope="row" className={`${td} font-normal`}>
                <div className="font-mono text-xs [overflow-wrap:anywhere]">{r.image}</div>
                <div className={`text-xs ${muted}`}>
                  {r.registry ?? "–"} · {r.tagKind}
                  {r.digests.length > 1 && (
                    <span className="ml-1 font-medium text-amber-800 dark:text-amber-200">
                      · drift: {r.digests.length} digests
                    </span>
                  )}
                </div>
              </th>
              <td className={`${td} tabular-nums`}>
                {num(r.workloads)}
                <span className={`block text-xs ${muted}`}>{r.clusters.join(", ")}</span>
              </td>
              <td className={`${td} text-xs`}>
                {Object.entries(r.policies)
                  .map(([p, n]) => `${p} ${num(n)}`)
                  .join(", ")}
                <span className={`block ${muted}`}>
                  credentials:{" "}
                  {Object.entries(r.credentialSources)
                    .map(
                      ([s, n]) =>
                        `${PULL_CREDENTIAL_SOURCE_SHORT[s as PullCredentialSource] ?? s.replace("-", " ")} ${num(n)}`,
                    )
                    .join(", ")}
                </span>
              </td>
              <td className={`${td} text-xs`}>
                <Digests row={r} />
              </td>
              <td className={`${td} text-xs`}>
                <RegistrySays row={r} />
              </td>
              <td className={`${td} tabular-nums`}>
                <Link href={`/workloads?q=${encodeURIComponent(r.image)}`} className={link}>
                  {num(r.openFindings)}
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </div>
  );
}

function Digests({ row }: { row: Row }) {
  if (row.digests.length === 0) return <span className={muted}>no pods report it</span>;
  return (
    <ul className="space-y-1">
      {row.digests.map((d) => (
        <li key={d.digest ?? "none"}>
          <span className="font-mono" title={d.digest ?? undefined}>
            {short(d.digest)}
          </span>{" "}
          {num(d.pods)} pods on {d.nodes.slice(0, NODES_SHOWN).join(", ")}
          {d.nodes.length > NODES_SHOWN && ` and ${num(d.nodes.length - NODES_SHOWN)} more nodes`}
          <span className={`block ${muted}`}>
            {d.workloads.map((w, i) => (
              <span key={String(w.id)}>
                {i > 0 && ", "}
                <Link href={`/workloads/${w.id}`} className={link}>
                  {w.cluster}/{w.namespace}/{w.name}
                </Link>
              </span>
            ))}
          </span>
        </li>
      ))}
    </ul>
  );
}

function RegistrySays({ row }: { row: Row }) {
  if (!row.registryOutcome) return <span className={muted}>not asked</span>;
  if (row.registryOutcome !== "resolved") return <span className="font-medium">{row.registryOutcome}</span>;
  const runs = row.digests.some((d) => d.digest === row.registryDigest);
  return (
    <span title={row.registryDigest ?? undefined}>
      <span className="font-mono">{short(row.registryDigest)}</span>
      {!runs && row.digests.length > 0 && (
        <span className="block font-medium text-amber-800 dark:text-amber-200">
          ≠ what runs: the tag moved
        </span>
      )}
    </span>
  );
}
