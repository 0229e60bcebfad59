import type { Metadata } from "next";
import { SnapshotStatus } from "~/components/snapshot-status.tsx";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Fleet" };

const dateTime = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

export default async function FleetPage() {
  const fleet = await (await api()).fleet.overview();

  if (fleet.clusters.length === 0) {
    return (
      <section
        aria-labelledby="empty-title"
        className="mx-auto max-w-2xl rounded-lg border border-dashed border-slate-300 bg-white p-8 dark:border-slate-700 dark:bg-slate-900"
      >
        <h1 id="empty-title" className="text-xl font-semibold">
          No cluster has been collected yet
        </h1>
        <p className="mt-3 text-slate-600 dark:text-slate-300">
          Pullsight shows what its collector has read from your clusters. Nothing has been collected into this
          database so far, so there is no posture to report.
        </p>
        <p className="mt-3 text-slate-600 dark:text-slate-300">
          Start the collector against the contexts of your kubeconfig, and this page fills in after its first
          snapshot:
        </p>
        <pre className="mt-3 overflow-x-auto rounded bg-slate-100 p-3 font-mono text-sm dark:bg-slate-800">
          <code>npx pnpm@10 collect --once --kubeconfig ~/.kube/config</code>
        </pre>
      </section>
    );
  }

  const unhealthy = fleet.incomplete;
  const describe = (c: (typeof unhealthy)[number]) =>
    [c.status ?? "never collected", ...(c.stale && c.status ? ["stale"] : [])].join(", ");
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold tracking-tight">Fleet</h1>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Last collected: {fleet.lastCollectedAt ? `${dateTime.format(fleet.lastCollectedAt)} UTC` : "never"}
        </p>
      </div>

      {unhealthy.length > 0 && (
        <div
          role="alert"
          className="rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/40 dark:text-amber-100"
        >
          Data is incomplete for {unhealthy.length} cluster{unhealthy.length === 1 ? "" : "s"}:{" "}
          {unhealthy.map((c) => `${c.name} (${describe(c)})`).join(", ")}. Their figures may be partial or out
          of date.
        </div>
      )}

      <dl className="grid grid-cols-2 gap-4 sm:grid-cols-5">
        {(
          [
            [
              "Compliance score",
              fleet.totals.score === null ? "–" : `${fleet.totals.score}% (${fleet.totals.grade})`,
            ],
            ["Clusters", fleet.totals.clusters],
            ["Workloads", fleet.totals.workloads],
            ["Containers", fleet.totals.containers],
            ["Open findings", fleet.totals.openFindings],
          ] as const
        ).map(([label, value]) => (
          <div
            key={label}
            className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
          >
            <dt className="text-sm text-slate-600 dark:text-slate-300">{label}</dt>
            <dd className="mt-1 text-2xl font-semibold tabular-nums">
              {typeof value === "number" ? value.toLocaleString("en") : value}
            </dd>
          </div>
        ))}
      </dl>

      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Clusters and their last snapshot</caption>
          <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-800 dark:text-slate-300">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">
                Cluster
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                Kubernetes
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                Last snapshot
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                Collected (UTC)
              </th>
              <th scope="col" className="px-4 py-2 text-right font-medium">
                Workloads
              </th>
              <th scope="col" className="px-4 py-2 text-right font-medium">
                Score
              </th>
              <th scope="col" className="px-4 py-2 text-right font-medium">
                Open findings
              </th>
            </tr>
          </thead>
          <tbody>
            {fleet.clusters.map((c) => (
              <tr key={c.id} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
                <th scope="row" className="px-4 py-2 font-medium">
                  {c.name}
                </th>
                <td className="px-4 py-2">{c.kubernetesVersion ?? "unknown"}</td>
                <td className="px-4 py-2">
                  <SnapshotStatus status={c.lastSnapshotStatus} />
                  {c.lastSnapshotFailures > 0 && (
                    <span className="ml-2 text-xs text-slate-600 dark:text-slate-300">
                      {c.lastSnapshotFailures} failed read{c.lastSnapshotFailures === 1 ? "" : "s"}
                    </span>
                  )}
                </td>
                <td className="px-4 py-2">
                  {c.lastSnapshotAt ? dateTime.format(c.lastSnapshotAt) : "never"}
                </td>
                <td className="px-4 py-2 text-right tabular-nums">{c.workloads.toLocaleString("en")}</td>
                <td className="px-4 py-2 text-right tabular-nums">
                  {c.score === null ? "–" : `${c.score}% ${c.grade}`}
                </td>
                <td className="px-4 py-2 text-right tabular-nums">
                  {c.findings.open.toLocaleString("en")}
                  {c.findings.waived > 0 && (
                    <span className="ml-1 text-xs text-slate-600 dark:text-slate-300">
                      (+{c.findings.waived} waived)
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
