// Two web replicas share nothing but PostgreSQL (support/image-server.ts runs the image's command
// twice, as the install's Deployment does). What one writes, the other serves within a second,
// though its read cache held the answer from before: both forget on the same notifications.
// Their /metrics, read back with a Prometheus text-format parser, count what each served, and
// label routes by pattern only.
import type { APIRequestContext } from "@playwright/test";
import { readMetrics, sampleValue } from "@pullsight/core";
import { expect, replicaURL, test } from "../support/fixtures";

const json = { "content-type": "application/json" };
const query = async (request: APIRequestContext, base: string, procedure: string, input: unknown) => {
  const res = await request.get(
    `${base}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`,
  );
  expect(res.status(), `${procedure} on ${base}`).toBe(200);
  return ((await res.json()) as { result: { data: { json: unknown } } }).result.data.json;
};
const mutate = async (request: APIRequestContext, base: string, procedure: string, input: unknown) => {
  const res = await request.post(`${base}/api/trpc/${procedure}`, { headers: json, data: { json: input } });
  expect(res.status(), `${procedure} on ${base}: ${await res.text()}`).toBe(200);
  return ((await res.json()) as { result: { data: { json: unknown } } }).result.data.json;
};

interface FindingRow {
  id: string;
  ruleId: string;
  cluster: string;
  namespace: string;
  status: string;
}
interface Waiver {
  id: number;
  state: string;
}

/** Polls `read` until `done` holds; returns the milliseconds it took. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, limitMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (done(await read())) return Date.now() - started;
    expect(Date.now() - started, "the other replica still serves the old answer").toBeLessThan(limitMs);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test("a waiver created through one replica is served by the other within a second, never a stale answer", async ({
  request,
  baseURL,
}) => {
  const a = baseURL as string;
  const b = replicaURL();
  await expect(async () => expect((await request.get(`${b}/api/health`)).ok()).toBe(true)).toPass();

  // Warm the second replica's cache with the answer the waiver will change.
  const list = (await query(request, b, "findings.list", { filter: { status: "open" }, limit: 50 })) as {
    rows: FindingRow[];
  };
  const target = list.rows[0] as FindingRow;
  expect(target, "the seeded fleet has open findings").toBeTruthy();
  const scope = { cluster: target.cluster, namespace: target.namespace, ruleId: target.ruleId };
  const open = (base: string) =>
    query(request, base, "findings.list", { filter: { ...scope, status: "open" }, limit: 500 }) as Promise<{
      total: number;
    }>;
  const before = await open(b);
  expect(before.total).toBeGreaterThan(0);
  expect((await open(b)).total, "answered again from B's cache").toBe(before.total);
  const scrapeB = async () => readMetrics(await (await request.get(`${b}/metrics`)).text());
  const invalidationsBefore = sampleValue(await scrapeB(), "pullsight_read_cache_invalidations_total");

  const waiver = (await mutate(request, a, "waivers.create", {
    ...scope,
    reason: "replica test: accepted while the base image is rebuilt",
    owner: "platform",
    expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
  })) as Waiver;
  const seen = await until(
    () => open(b),
    (v) => v.total === 0,
    1000,
  );
  test.info().annotations.push({ type: "replica lag", description: `${seen} ms` });
  console.log(`the other replica served the waiver after ${seen} ms`);
  expect(sampleValue(await scrapeB(), "pullsight_read_cache_invalidations_total")).toBeGreaterThan(
    invalidationsBefore,
  );

  // And back: revoked through the second replica, the first serves the findings open again.
  expect((await open(a)).total).toBe(0);
  await mutate(request, b, "waivers.revoke", { id: waiver.id, reason: "replica test done" });
  await until(
    () => open(a),
    (v) => v.total === before.total,
    1000,
  );
  const waivers = (await query(request, a, "waivers.list", { state: "all" })) as Waiver[];
  expect(waivers.find((w) => w.id === waiver.id)?.state).toBe("revoked");
});

test("each replica's /metrics counts what it served, with routes as patterns and bounded labels", async ({
  page,
  request,
  baseURL,
}) => {
  const b = replicaURL();
  const scrape = async (base: string) => readMetrics(await (await request.get(`${base}/metrics`)).text());
  const clusterPages = (series: ReturnType<typeof readMetrics>) =>
    sampleValue(series, "pullsight_http_request_duration_seconds_count", { route: "/clusters/[name]" });
  const servedByA = clusterPages(await scrape(baseURL as string));
  await page.goto(`${b}/`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  const { clusters } = (await query(request, b, "fleet.overview", {})) as {
    clusters: Array<{ name: string }>;
  };
  const cluster = clusters[0]?.name as string;
  await page.goto(`${b}/clusters/${encodeURIComponent(cluster)}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(cluster);

  const res = await request.get(`${b}/metrics`);
  expect(res.headers()["content-type"]).toContain("text/plain");
  const text = await res.text();
  const series = readMetrics(text);
  expect(
    sampleValue(series, "pullsight_procedure_duration_seconds_count", { procedure: "clusters.detail" }),
  ).toBeGreaterThan(0);
  expect(sampleValue(series, "pullsight_read_cache_live")).toBe(1);
  expect(sampleValue(series, "pullsight_read_cache_requests_total", { result: "miss" })).toBeGreaterThan(0);
  expect(sampleValue(series, "pullsight_db_pool_connections", { pool: "queries" })).toBeGreaterThan(0);
  // No cluster, workload or user name is a label value anywhere.
  for (const c of clusters) expect(text).not.toContain(`"${c.name}"`);
  expect(text).not.toContain("demo@pullsight.local");
  const routes = new Set(series.filter((s) => s.labels.route).map((s) => s.labels.route as string));
  for (const route of routes) expect(route).toMatch(/^(\/[\w.[\]-]*)+$|^\((static|proxy)\)$/);

  // The other replica counts its own requests, not these.
  expect(clusterPages(series)).toBeGreaterThan(0);
  expect(clusterPages(await scrape(baseURL as string))).toBe(servedByA);
});
