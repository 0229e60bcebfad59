import { unstorableText } from "@pullsight/core";
import type { Metadata } from "next";
import { SnapshotStatus } from "~/components/snapshot-status.tsx";
import { Sparkline } from "~/components/sparkline.tsx";
import {
  button,
  Empty,
  ExportLink,
  Grade,
  Head,
  input,
  Link,
  link,
  muted,
  PageHeader,
  primaryButton,
  SEVERITIES,
  Section,
  table,
  tableWrap,
  td,
  tr,
} from "~/components/ui.tsx";
import { ago, dateTime, num } from "~/lib/format.ts";
import { many, one, type SearchParams } from "~/lib/params.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Clusters" };

/** "key=value" (or key:value) from a URL; text no query could take is no label. */
const parseLabel = (s: string): [string, string] | null => {
  const m = unstorableText(s) === null ? /^([^=:]+)[=:](.*)$/.exec(s) : null;
  return m ? [m[1] as string, m[2] as string] : null;
};

export default async function ClustersPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const chosen = many(sp.label)
    .map(parseLabel)
    .filter((l): l is [string, string] => l !== null);
  const labels = Object.fromEntries(chosen);
  const caller = await api();
  const [all, fleet] = await Promise.all([
    caller.fleet.overview(),
    caller.fleet.overview(chosen.length ? { labels } : undefined),
  ]);
  const now = new Date();
  const trends = await Promise.all(
    fleet.clusters.map((c) =>
      caller.trends.posture({ scope: { cluster: c.name }, range: { days: 30 }, bucket: "day" }),
    ),
  );
  const labelValues = new Map<string, Set<string>>();
  for (const c of all.clusters)
    for (const [k, v] of c.labels) labelValues.set(k, (labelValues.get(k) ?? new Set()).add(v));

  const a = one(sp.a);
  const b = one(sp.b);
  const labelQuery = chosen.length
    ? `label=${encodeURIComponent(chosen.map(([k, v]) => `${k}=${v}`).join(","))}`
    : "";

  return (
    <>
      <PageHeader
        title="Clusters"
        subtitle={`${fleet.clusters.length} of ${all.clusters.length} clusters${chosen.length ? ` with ${chosen.map(([k, v]) => `${k}=${v}`).join(", ")}` : ""}`}
        actions={
          <ExportLink href={`/api/export/clusters.csv${labelQuery ? `?${labelQuery}` : ""}`}>
            Export CSV
          </ExportLink>
        }
      />

      <form method="get" className="flex flex-wrap items-end gap-3" aria-label="Filter clusters by label">
        {[...labelValues.entries()].sort().map(([key, values]) => (
          <label key={key} className="flex flex-col gap-1 text-sm">
            <span className={muted}>{key}</span>
            <select
              name="label"
              aria-label={key}
              defaultValue={labels[key] !== undefined ? `${key}=${labels[key]}` : ""}
              className={input}
            >
              <option value="">any</option>
              {[...values].sort().map((v) => (
                <option key={v} value={`${key}=${v}`}>
                  {v}
                </option>
              ))}
            </select>
          </label>
        ))}
        {labelValues.size === 0 ? (
          <p className={`text-sm ${muted}`}>
            No cluster has labels (the collector's --cluster-label sets them).
          </p>
        ) : (
          <>
            <button type="submit" className={primaryButton}>
              Filter
            </button>
            {chosen.length > 0 && (
              <Link href="/clusters" className={button}>
                Clear
              </Link>
            )}
          </>
        )}
      </form>

      {fleet.clusters.length === 0 ? (
        <Empty title="No cluster matches these labels." />
      ) : (
        <div className={tableWrap}>
          <table className={table}>
            <caption className="sr-only">Clusters with grade, trend and last snapshot</caption>
            <Head
              columns={[
                "Cluster",
                "Labels",
                "Score",
                "30-day trend",
                "Kubernetes",
                "Last snapshot",
                ["Workloads", "right"],
                ["Open findings", "right"],
              ]}
            />
            <tbody>
              {fleet.clusters.map((c, i) => (
                <tr key={c.id} className={tr}>
                  <th scope="row" className={`${td} font-medium`}>
                    <Link href={`/clusters/${encodeURIComponent(c.name)}`} className={link}>
                      {c.name}
                    </Link>
                  </th>
                  <td className={`${td} text-xs`}>
                    {c.labels.map(([k, v]) => `${k}=${v}`).join(", ") || <span className={muted}>none</span>}
                  </td>
                  <td className={td}>
                    <Grade score={c.score} grade={c.grade} />
                  </td>
                  <td className={td}>
                    <Sparkline
                      values={(trends[i] ?? []).map((p) => p.score)}
                      label={`${c.name} score, 30 days`}
                    />
                  </td>
                  <td className={td}>{c.kubernetesVersion ?? "unknown"}</td>
                  <td className={td}>
                    <SnapshotStatus status={c.lastSnapshotStatus} />
                    {c.stale && c.lastSnapshotStatus && (
                      <span className="ml-1 text-xs text-amber-800 dark:text-amber-200">stale</span>
                    )}
                    <span className={`block text-xs ${muted}`} title={dateTime(c.lastSnapshotAt)}>
                      {ago(c.lastSnapshotAt, now)}
                    </span>
                  </td>
                  <td className={`${td} text-right tabular-nums`}>{num(c.workloads)}</td>
                  <td className={`${td} text-right tabular-nums`}>{num(c.findings.open)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <Section title="Compare two clusters">
        <form method="get" className="flex flex-wrap items-end gap-3">
          {chosen.map(([k, v]) => (
            <input key={k} type="hidden" name="label" value={`${k}=${v}`} />
          ))}
          {(
            [
              ["a", "First cluster", a],
              ["b", "Second cluster", b],
            ] as const
          ).map(([name, text, value]) => (
            <label key={name} className="flex flex-col gap-1 text-sm">
              <span className={muted}>{text}</span>
              <select name={name} aria-label={text} defaultValue={value ?? ""} className={input}>
                <option value="">choose…</option>
                {all.clusters.map((c) => (
                  <option key={c.id} value={c.name}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
          ))}
          <button type="submit" className={primaryButton}>
            Compare
          </button>
        </form>
        {a && b ? (
          <Compare names={[a, b]} />
        ) : (
          <p className={`text-sm ${muted}`}>Choose two clusters to see them side by side.</p>
        )}
      </Section>
    </>
  );
}

async function Compare({ names }: { names: [string, string] }) {
  const caller = await api();
  const fleet = await caller.fleet.overview();
  const clusters = names.map((n) => fleet.clusters.find((c) => c.name === n));
  if (clusters.some((c) => !c)) return <Empty title="One of these clusters does not exist." />;
  const posture = await Promise.all(
    names.map((n) => caller.trends.posture({ scope: { cluster: n }, range: { days: 2 }, bucket: "day" })),
  );
  const latency = await Promise.all(
    names.map((n) => caller.trends.latency({ scope: { cluster: n }, range: { days: 7 }, bucket: "week" })),
  );
  const latest = posture.map((p) => p.at(-1));
  const policies = [...new Set(latest.flatMap((p) => Object.keys(p?.byPolicy ?? {})))].sort();
  const tagKinds = [...new Set(latest.flatMap((p) => Object.keys(p?.byTagKind ?? {})))].sort();
  const pulls = latency.map((rows) => {
    const week = Math.max(0, ...rows.map((r) => r.bucket.getTime()));
    const cur = rows.filter((r) => r.bucket.getTime() === week);
    const n = cur.reduce((s, r) => s + r.pulls, 0);
    const f = cur.reduce((s, r) => s + r.failures, 0);
    return { pulls: n, failures: f };
  });
  const rows: Array<[string, (i: number) => React.ReactNode]> = [
    ["Score", (i) => <Grade score={clusters[i]?.score ?? null} grade={clusters[i]?.grade ?? null} />],
    ["Kubernetes", (i) => clusters[i]?.kubernetesVersion ?? "unknown"],
    ["Last snapshot", (i) => <SnapshotStatus status={clusters[i]?.lastSnapshotStatus ?? null} />],
    ["Workloads", (i) => num(clusters[i]?.workloads)],
    ["Containers", (i) => num(clusters[i]?.containers)],
    ["Open findings", (i) => num(clusters[i]?.findings.open)],
    ...SEVERITIES.map(
      (s) =>
        [`  ${s}`, (i: number) => num(clusters[i]?.findings.bySeverity[s])] as [
          string,
          (i: number) => React.ReactNode,
        ],
    ),
    ...policies.map(
      (p) =>
        [`imagePullPolicy ${p}`, (i: number) => num(latest[i]?.byPolicy[p] ?? 0)] as [
          string,
          (i: number) => React.ReactNode,
        ],
    ),
    ...tagKinds.map(
      (k) =>
        [`Tag kind ${k}`, (i: number) => num(latest[i]?.byTagKind[k] ?? 0)] as [
          string,
          (i: number) => React.ReactNode,
        ],
    ),
    ["By digest", (i) => (latest[i]?.digestShare == null ? "–" : `${latest[i]?.digestShare}%`)],
    ["Digest or full version", (i) => (latest[i]?.pinnedShare == null ? "–" : `${latest[i]?.pinnedShare}%`)],
    ["Pulls this week", (i) => num(pulls[i]?.pulls)],
    ["Failed pulls this week", (i) => num(pulls[i]?.failures)],
  ];
  return (
    <div className={tableWrap}>
      <table className={table}>
        <caption className="sr-only">
          {names[0]} and {names[1]} side by side
        </caption>
        <Head columns={["", ...names]} />
        <tbody>
          {rows.map(([label, cell]) => (
            <tr key={label} className={tr}>
              <th scope="row" className={`${td} font-normal ${label.startsWith("  ") ? "pl-6" : ""}`}>
                {label.trim()}
              </th>
              <td className={`${td} tabular-nums`}>{cell(0)}</td>
              <td className={`${td} tabular-nums`}>{cell(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
