import type { Metadata } from "next";
import { BarsChart, TimeChart } from "~/components/charts.tsx";
import { GroupedNote } from "~/components/grouped-note.tsx";
import { SnapshotStatus } from "~/components/snapshot-status.tsx";
import {
  card,
  Empty,
  ExportLink,
  Grade,
  Head,
  Link,
  link,
  muted,
  PageHeader,
  SEVERITIES,
  Section,
  SeverityBadge,
  Stat,
  table,
  tableWrap,
  td,
  tr,
  Warning,
} from "~/components/ui.tsx";
import { ago, date, dateTime, ms, num, pct } from "~/lib/format.ts";
import { POLICY_COLORS, pivot, seriesOf } from "~/lib/series.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Fleet" };

const DAYS = 56;
/** Trend shares are percentages (0–100) already. */
const share = (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${v}%`);

export default async function FleetPage() {
  const caller = await api();
  const fleet = await caller.fleet.overview();

  if (fleet.clusters.length === 0) {
    return (
      <section
        aria-labelledby="empty-title"
        className="mx-auto max-w-2xl rounded-lg border border-dashed border-slate-300 bg-white p-8 dark:border-slate-700 dark:bg-slate-900"
      >
        <h1 id="empty-title" className="text-xl font-semibold">
          No cluster has been collected yet
        </h1>
        <p className={`mt-3 ${muted}`}>
          Pullsight shows what its collector has read from your clusters. Nothing has been collected into this
          database so far, so there is no posture to report.
        </p>
        <p className={`mt-3 ${muted}`}>
          Start the collector against the contexts of your kubeconfig, and this page fills in after its first
          snapshot:
        </p>
        <pre className="mt-3 overflow-x-auto rounded bg-slate-100 p-3 font-mono text-sm dark:bg-slate-800">
          <code>npx pnpm@10 collect --once --kubeconfig ~/.kube/config</code>
        </pre>
      </section>
    );
  }

  const now = new Date();
  const [posture, latency, latencyWeek, worstWorkloads, details] = await Promise.all([
    caller.trends.posture({ range: { days: DAYS }, bucket: "day" }),
    caller.trends.latency({ range: { days: DAYS }, bucket: "day" }),
    caller.trends.latency({ range: { days: 7 }, bucket: "week" }),
    caller.workloads.list({ sort: "findings", order: "desc", limit: 5 }),
    Promise.all(fleet.clusters.map((c) => caller.clusters.detail({ name: c.name, snapshots: 1 }))),
  ]);

  const scorePoints = posture.map((p) => ({ t: p.bucket.getTime(), score: p.score }));
  const adoption = posture.map((p) => ({
    t: p.bucket.getTime(),
    digest: p.digestShare,
    pinned: p.pinnedShare,
  }));
  const policyNames = [...new Set(posture.flatMap((p) => Object.keys(p.byPolicy)))].sort();
  const policyMix = posture.map((p) => ({
    t: p.bucket.getTime(),
    ...Object.fromEntries(policyNames.map((n) => [n, p.byPolicy[n] ?? 0])),
  }));
  const p95 = pivot(
    latency,
    (r) => r.bucket,
    (r) => r.registry,
    (r) => r.p95Ms,
  );
  const causes = [...new Set(latency.flatMap((r) => Object.keys(r.failuresByCause)))].sort();
  const failuresByDay = new Map<number, Record<string, number>>();
  for (const r of latency) {
    const t = r.bucket.getTime();
    const m = failuresByDay.get(t) ?? Object.fromEntries(causes.map((c) => [c, 0]));
    for (const [c, n] of Object.entries(r.failuresByCause)) m[c] = (m[c] ?? 0) + n;
    failuresByDay.set(t, m);
  }
  const failurePoints = [...failuresByDay.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, m]) => ({ t, ...m }));
  // This ISO week's latency per registry (the newest week bucket).
  const newestWeek = Math.max(0, ...latencyWeek.map((r) => r.bucket.getTime()));
  const registries = latencyWeek
    .filter((r) => r.bucket.getTime() === newestWeek && r.pulls + r.failures > 0)
    .sort((a, b) => b.pulls - a.pulls);

  const latest = posture.at(-1);
  const firstScored = posture.find((p) => p.score !== null);
  const worstClusters = [...fleet.clusters]
    .filter((c) => c.score !== null)
    .sort((a, b) => (a.score ?? 0) - (b.score ?? 0))
    .slice(0, 5);
  const worstNamespaces = details
    .flatMap((d) => d.namespaces.map((n) => ({ ...n, cluster: d.cluster.name })))
    .filter((n) => n.score !== null && n.containers > 0)
    .sort((a, b) => (a.score ?? 0) - (b.score ?? 0) || b.findings.open - a.findings.open)
    .slice(0, 5);
  const sev = fleet.totals.findings.bySeverity;

  return (
    <>
      <PageHeader
        title="Fleet"
        subtitle={
          <>
            Last collected {ago(fleet.lastCollectedAt, now)} ({dateTime(fleet.lastCollectedAt)}) ·{" "}
            {fleet.clusters.length} clusters
          </>
        }
      />

      {fleet.incomplete.length > 0 && (
        <Warning>
          Data is incomplete for {fleet.incomplete.length} cluster{fleet.incomplete.length === 1 ? "" : "s"}:{" "}
          {fleet.incomplete
            .map(
              (c) =>
                `${c.name} (${[c.status ?? "never collected", ...(c.stale && c.status ? ["stale"] : [])].join(", ")})`,
            )
            .join(", ")}
          . Their figures may be partial or out of date; see{" "}
          <Link href="/collector" className="underline">
            collector status
          </Link>
          .
        </Warning>
      )}

      <dl className="grid grid-cols-2 gap-4 md:grid-cols-3 lg:grid-cols-6">
        <Stat
          label="Compliance score"
          value={<Grade score={fleet.totals.score} grade={fleet.totals.grade} />}
          hint={`${num(fleet.totals.compliant)} of ${num(fleet.totals.containers)} containers`}
        />
        <Stat label="Clusters" value={num(fleet.totals.clusters)} />
        <Stat label="Workloads" value={num(fleet.totals.workloads)} />
        <Stat label="Containers" value={num(fleet.totals.containers)} />
        <Stat
          label="Open findings"
          value={num(fleet.totals.openFindings)}
          hint={fleet.totals.findings.waived ? `${num(fleet.totals.findings.waived)} more waived` : undefined}
        />
        <Stat
          label="Pinned by digest"
          value={share(latest?.digestShare)}
          hint={`digest or full version: ${share(latest?.pinnedShare)}`}
        />
      </dl>

      <Section title="Open findings by severity">
        <ul className="flex flex-wrap gap-2" aria-label="Open findings by severity">
          {SEVERITIES.map((s) => (
            <li key={s}>
              <Link
                href={`/findings?severity=${s}&status=open`}
                className={`${card} flex items-center gap-2 px-3 py-2 text-sm hover:border-sky-400`}
              >
                <SeverityBadge severity={s} />
                <span className="font-semibold tabular-nums">{num(sev[s])}</span>
              </Link>
            </li>
          ))}
        </ul>
        <GroupedNote count={fleet.totals.findings.grouped} href="/findings?status=open" />
      </Section>

      <div className="grid gap-4 lg:grid-cols-2">
        <TimeChart
          title="Compliance score"
          summary={
            latest?.score != null && firstScored?.score != null
              ? `${firstScored.score}% on ${date(firstScored.bucket)}, ${latest.score}% now.`
              : "Not enough history yet."
          }
          data={scorePoints}
          series={[{ key: "score", label: "Score", color: "#0284c7" }]}
          format="score"
          domain={[0, 100]}
        />
        <TimeChart
          title="Pull policy mix"
          summary={`Share of containers by imagePullPolicy per day; now ${policyNames
            .map((n) => `${n} ${num(latest?.byPolicy[n] ?? 0)}`)
            .join(", ")}.`}
          data={policyMix}
          series={seriesOf(policyNames, POLICY_COLORS)}
          format="pct"
          kind="area"
          stacked="expand"
        />
        <TimeChart
          title="Digest and pinned-version adoption"
          summary={`Containers referencing their image by digest: ${share(latest?.digestShare)}; by digest or a full version tag: ${share(latest?.pinnedShare)}.`}
          data={adoption}
          series={[
            { key: "digest", label: "By digest", color: "#059669" },
            { key: "pinned", label: "Digest or full version", color: "#7c3aed", dashed: true },
          ]}
          format="score"
          domain={[0, 100]}
        />
        <TimeChart
          title="Pull latency p95 by registry"
          summary={`Daily 95th percentile of image pull time, ${p95.names.length} registries.`}
          data={p95.points}
          series={seriesOf(p95.names)}
          format="ms"
        />
        <TimeChart
          title="Pull failures by cause"
          summary={`Failed pulls per day: ${num(failurePoints.reduce((n, p) => n + causes.reduce((m, c) => m + ((p as Record<string, number>)[c] ?? 0), 0), 0))} since ${date(posture[0]?.bucket ?? latency[0]?.bucket)}.`}
          data={failurePoints}
          series={seriesOf(causes)}
          format="count"
          kind="area"
          stacked="sum"
        />
        <BarsChart
          title="Clusters by score"
          summary={fleet.clusters.map((c) => `${c.name} ${c.score ?? "–"}%`).join(", ")}
          data={fleet.clusters.map((c) => ({ label: c.name, score: c.score ?? 0 }))}
          series={[{ key: "score", label: "Score", color: "#0284c7" }]}
          format="score"
        />
      </div>

      <Section title="Pull latency this week">
        {registries.length > 0 && (
          <div className="flex justify-end">
            <ExportLink
              href={`/api/export/latency.csv?bucket=week&from=${new Date(newestWeek).toISOString()}`}
            >
              Export CSV
            </ExportLink>
          </div>
        )}
        {registries.length === 0 ? (
          <Empty title="No image pulls recorded this week." />
        ) : (
          <div className={tableWrap}>
            <table className={table}>
              <caption className="sr-only">Pull latency per registry this ISO week</caption>
              <Head
                columns={[
                  "Registry",
                  ["Pulls", "right"],
                  ["Failures", "right"],
                  ["p50", "right"],
                  ["p95", "right"],
                  ["Slowest", "right"],
                ]}
              />
              <tbody>
                {registries.map((r) => (
                  <tr key={r.registry} className={tr}>
                    <th scope="row" className={`${td} font-mono font-normal`}>
                      {r.registry}
                    </th>
                    <td className={`${td} text-right tabular-nums`}>{num(r.pulls)}</td>
                    <td className={`${td} text-right tabular-nums`}>
                      {num(r.failures)}
                      {r.pulls + r.failures > 0 && (
                        <span className={`ml-1 text-xs ${muted}`}>
                          ({pct(r.failures / (r.pulls + r.failures), 1)})
                        </span>
                      )}
                    </td>
                    <td className={`${td} text-right tabular-nums`}>
                      {r.exact ? "" : "≈ "}
                      {ms(r.p50Ms)}
                    </td>
                    <td className={`${td} text-right tabular-nums`}>
                      {r.exact ? "" : "≈ "}
                      {ms(r.p95Ms)}
                    </td>
                    <td className={`${td} text-right tabular-nums`}>{ms(r.maxMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {registries.some((r) => !r.exact) && (
              <p className={`px-3 pb-2 text-xs ${muted}`}>
                ≈ combines several days or clusters: a pull-weighted mean of their percentiles, not an exact
                percentile.
              </p>
            )}
          </div>
        )}
      </Section>

      <div className="grid gap-6 lg:grid-cols-3">
        <Section title="Worst clusters">
          <ol className={`${card} divide-y divide-slate-100 text-sm dark:divide-slate-800`}>
            {worstClusters.map((c) => (
              <li key={c.id} className="flex items-center justify-between gap-2 px-3 py-2">
                <Link href={`/clusters/${encodeURIComponent(c.name)}`} className={link}>
                  {c.name}
                </Link>
                <span className="flex items-center gap-2">
                  <SnapshotStatus status={c.lastSnapshotStatus} />
                  <Grade score={c.score} grade={c.grade} />
                </span>
              </li>
            ))}
          </ol>
        </Section>
        <Section title="Worst namespaces">
          {worstNamespaces.length === 0 ? (
            <Empty title="No namespace scored yet." />
          ) : (
            <ol className={`${card} divide-y divide-slate-100 text-sm dark:divide-slate-800`}>
              {worstNamespaces.map((n) => (
                <li
                  key={`${n.cluster}/${n.name}`}
                  className="flex items-center justify-between gap-2 px-3 py-2"
                >
                  <Link
                    href={`/workloads?cluster=${encodeURIComponent(n.cluster)}&namespace=${encodeURIComponent(n.name)}&sort=findings&order=desc`}
                    className={link}
                  >
                    {n.cluster}/{n.name}
                  </Link>
                  <span className="flex items-center gap-2">
                    <span className={`text-xs ${muted}`}>{num(n.findings.open)} open</span>
                    <Grade score={n.score} grade={n.grade} />
                  </span>
                </li>
              ))}
            </ol>
          )}
        </Section>
        <Section title="Worst workloads">
          {worstWorkloads.rows.length === 0 ? (
            <Empty title="No workloads collected yet." />
          ) : (
            <ol className={`${card} divide-y divide-slate-100 text-sm dark:divide-slate-800`}>
              {worstWorkloads.rows.map((w) => (
                <li key={String(w.id)} className="flex items-center justify-between gap-2 px-3 py-2">
                  <Link href={`/workloads/${w.id}`} className={`${link} truncate`}>
                    {w.cluster}/{w.namespace}/{w.name}
                  </Link>
                  <span className="flex shrink-0 items-center gap-2">
                    <SeverityBadge severity={w.maxSeverity} />
                    <span className="tabular-nums">{num(w.findings)}</span>
                  </span>
                </li>
              ))}
            </ol>
          )}
        </Section>
      </div>

      <Section title="Clusters">
        <ClustersTable clusters={fleet.clusters} />
      </Section>
    </>
  );
}

type ClusterRow = Awaited<
  ReturnType<Awaited<ReturnType<typeof api>>["fleet"]["overview"]>
>["clusters"][number];

function ClustersTable({ clusters }: { clusters: ClusterRow[] }) {
  return (
    <div className={tableWrap}>
      <table className={table}>
        <caption className="sr-only">Clusters and their last snapshot</caption>
        <Head
          columns={[
            "Cluster",
            "Kubernetes",
            "Last snapshot",
            "Collected (UTC)",
            ["Workloads", "right"],
            ["Score", "right"],
            ["Open findings", "right"],
          ]}
        />
        <tbody>
          {clusters.map((c) => (
            <tr key={c.id} className={tr}>
              <th scope="row" className={`${td} font-medium`}>
                <Link href={`/clusters/${encodeURIComponent(c.name)}`} className={link}>
                  {c.name}
                </Link>
              </th>
              <td className={td}>{c.kubernetesVersion ?? "unknown"}</td>
              <td className={td}>
                <SnapshotStatus status={c.lastSnapshotStatus} />
                {c.stale && c.lastSnapshotStatus && (
                  <span className="ml-2 text-xs text-amber-800 dark:text-amber-200">stale</span>
                )}
                {c.lastSnapshotFailures > 0 && (
                  <span className={`ml-2 text-xs ${muted}`}>
                    {c.lastSnapshotFailures} failed read{c.lastSnapshotFailures === 1 ? "" : "s"}
                  </span>
                )}
              </td>
              <td className={td}>
                {c.lastSnapshotAt ? dateTime(c.lastSnapshotAt).replace(" UTC", "") : "never"}
              </td>
              <td className={`${td} text-right tabular-nums`}>{num(c.workloads)}</td>
              <td className={`${td} text-right`}>
                <Grade score={c.score} grade={c.grade} />
              </td>
              <td className={`${td} text-right tabular-nums`}>
                {num(c.findings.open)}
                {c.findings.waived > 0 && (
                  <span className={`ml-1 text-xs ${muted}`}>(+{c.findings.waived} waived)</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
