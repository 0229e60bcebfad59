// `pnpm --filter @pullsight/bench plans`: the query plans behind the main pages at benchmark size.
// Asks each hot read procedure one question on the history database `pnpm bench` seeded (figure 3;
// DATABASE_URL's server, or the embedded one under .data/bench), records every statement the
// procedure sent to PostgreSQL, and writes EXPLAIN (ANALYZE, BUFFERS) of each to bench/plans/, so a
// change that loses an index shows up in review as a changed plan.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createCaller, createContext } from "@pullsight/api";
import { createDb, createExportPool, poolOf, withSessionSettings } from "@pullsight/db";
import { applyMigrations, freePort, repoRoot, startEmbeddedPostgres } from "@pullsight/db/bootstrap";
import type pg from "pg";

interface Statement {
  text: string;
  values: unknown[];
}

const server = process.env.DATABASE_URL
  ? null
  : await startEmbeddedPostgres({
      dataDir: path.join(repoRoot, ".data/bench/postgres"),
      port: await freePort(),
    });
const url = new URL(process.env.DATABASE_URL ?? server?.url("postgres") ?? "");
url.pathname = "/pullsight_bench_history";
// The seeded year may predate the newest migrations (new tables and indexes the queries use).
await applyMigrations(url.toString());
const db = createDb(url.toString(), { max: 1 });
const pool = poolOf(db);
let recording: Statement[] | null = null;
// Every statement the adapter sends goes through a pooled client's query(): record it on the way.
pool.on("connect", (client: pg.PoolClient) => {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const [config, values] = args as [string | { text: string; values?: unknown[] }, unknown[] | undefined];
    const text = typeof config === "string" ? config : config.text;
    if (recording && /^\s*(SELECT|WITH)/i.test(text))
      recording.push({ text, values: (typeof config === "string" ? values : config.values) ?? [] });
    return query(...args);
  };
});

const api = createCaller(createContext({ db, user: { name: "plans", role: "viewer", source: "demo" } }));
const w = await db.workload.findFirstOrThrow({
  where: { deletedAt: null },
  orderBy: { id: "desc" },
  include: { cluster: true },
});
const word = w.name.split("-")[0] ?? w.name;
const questions: Record<string, () => Promise<unknown>> = {
  "fleet.overview": () => api.fleet.overview(),
  "fleet.worstNamespaces": () => api.fleet.worstNamespaces({ limit: 5 }),
  "trends.posture-365-days": () => api.trends.posture({ range: { days: 365 }, bucket: "day" }),
  "workloads.list-search": () => api.workloads.list({ filter: { q: word } }),
  "workloads.list-policy-by-findings": () =>
    api.workloads.list({
      filter: { cluster: w.cluster.name, policy: "Always" },
      sort: "findings",
      order: "desc",
    }),
  // The fleet page's five worst workloads.
  "workloads.list-fleet-by-findings": () => api.workloads.list({ sort: "findings", order: "desc", limit: 5 }),
  "workloads.detail": () => api.workloads.detail({ id: w.id }),
  "clusters.detail": () => api.clusters.detail({ name: w.cluster.name, snapshots: 10 }),
  "findings.list": () => api.findings.list({}),
  "findings.list-cluster-high": () =>
    api.findings.list({ filter: { cluster: w.cluster.name, severity: "high" } }),
  "reviews.get-fleet": () => api.reviews.get({}),
  "trends.marks-56-days": () => api.trends.marks({ range: { days: 56 } }),
  "workloads.facets": () => api.workloads.facets(),
  "failing.count": () => api.failing.count({}),
  "failing.now": () => api.failing.now({ limit: 1 }),
  "registries.atRisk": () => api.registries.atRisk({ limit: 1 }),
  "registries.health-1-day": () => api.registries.health({ days: 1 }),
  "trends.latency-56-days": () => api.trends.latency({ range: { days: 56 }, bucket: "day" }),
  "trends.coverage-7-days": () => api.trends.coverage({ range: { days: 7 } }),
  "images.list": () => api.images.list({}),
  "images.list-drift": () => api.images.list({ filter: { drift: "yes" } }),
};

const out = path.join(repoRoot, "bench/plans");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// With the product's session settings (no parallel workers), so that each plan is the one its
// answer ran.
const explainer = createExportPool(withSessionSettings(url.toString()), { max: 1 });
for (const [name, ask] of Object.entries(questions)) {
  await ask(); // warm: plans and caches as a running server has them
  recording = [];
  const started = performance.now();
  await ask();
  const ms = performance.now() - started;
  const statements = recording;
  recording = null;
  const sections: string[] = [];
  for (const s of statements) {
    const plan = await explainer.query<{ "QUERY PLAN": string }>(
      `EXPLAIN (ANALYZE, BUFFERS) ${s.text}`,
      s.values,
    );
    sections.push(`${s.text.trim()}\n\n${plan.rows.map((r) => r["QUERY PLAN"]).join("\n")}`);
  }
  writeFileSync(
    path.join(out, `${name}.txt`),
    `-- ${name}: ${statements.length} statements, ${ms.toFixed(1)} ms for the whole answer (warm, no read cache)\n\n${sections.join("\n\n---\n\n")}\n`,
  );
  console.log(
    `${name.padEnd(36)} ${String(statements.length).padStart(3)} statements ${ms.toFixed(1).padStart(8)} ms`,
  );
}
await explainer.end();
await db.$disconnect();
await server?.stop();
