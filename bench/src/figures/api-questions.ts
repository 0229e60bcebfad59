// The questions figure 3 asks the API: what the main pages ask, over the history database's own
// clusters, workloads and words, with each endpoint's latency targets (issue 18).
import type pg from "pg";
import superjson from "superjson";

export interface Endpoint {
  name: string;
  /** p95 target for one client with the cache off, ms. */
  cold: number;
  /** p95 target at 50 connections with the cache, while the collector writes, ms (none: reported only). */
  live?: number;
  paths: string[];
}

export const call = (procedure: string, input?: unknown) =>
  `/api/trpc/${procedure}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`}`;

export async function questionsOf(pool: pg.Pool): Promise<Endpoint[]> {
  const sample = await pool.query<{ id: string; cluster: string; namespace: string; name: string }>(
    `SELECT w.id, c.name AS cluster, w.namespace, w.name FROM "Workload" w JOIN "Cluster" c ON c.id = w."clusterId"
     WHERE w."deletedAt" IS NULL ORDER BY md5(w.id::text) LIMIT 200`,
  );
  const clusters = (await pool.query<{ name: string }>(`SELECT name FROM "Cluster" ORDER BY name`)).rows;
  const words = [...new Set(sample.rows.map((r) => r.name.split("-")[0] ?? r.name))].slice(0, 20);
  const some = sample.rows.slice(0, 20);
  return [
    { name: "fleet overview", cold: 50, live: 50, paths: [call("fleet.overview")] },
    {
      name: "trends over 365 days",
      cold: 50,
      live: 50,
      paths: [
        call("trends.posture", { range: { days: 365 }, bucket: "day" }),
        call("trends.posture", { range: { days: 365 }, bucket: "week" }),
      ],
    },
    {
      name: "workload list, filters and search",
      cold: 50,
      live: 100,
      paths: some.flatMap((r, i) => [
        call("workloads.list", {
          filter: { cluster: r.cluster, policy: "Always" },
          sort: "findings",
          order: "desc",
        }),
        call("workloads.list", { filter: { q: words[i % words.length] } }),
        call("workloads.list", { filter: { namespace: r.namespace, cluster: r.cluster, severity: "high" } }),
      ]),
    },
    {
      name: "workload drill-down",
      cold: 50,
      live: 100,
      paths: sample.rows.map((r) => call("workloads.detail", { id: r.id })),
    },
    {
      name: "cluster detail",
      cold: 50,
      paths: clusters.map((c) => call("clusters.detail", { name: c.name, snapshots: 10 })),
    },
    { name: "worst namespaces", cold: 50, paths: [call("fleet.worstNamespaces", { limit: 5 })] },
    {
      name: "findings list",
      cold: 50,
      paths: [
        call("findings.list", {}),
        ...some
          .slice(0, 10)
          .flatMap((r) => [
            call("findings.list", { filter: { cluster: r.cluster, severity: "high" } }),
            call("findings.list", { filter: { cluster: r.cluster, namespace: r.namespace } }),
          ]),
      ],
    },
    {
      name: "weekly review, fleet and per cluster",
      cold: 50,
      paths: [
        call("reviews.get", {}),
        ...clusters.map((c) => call("reviews.get", { scope: `cluster:${c.name}` })),
      ],
    },
  ];
}
