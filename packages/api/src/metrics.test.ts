// The web's /metrics, read back with a Prometheus text-format parser: every request the server
// answered is counted once under its procedure or export kind, export bytes are the bytes sent,
// and no label ever carries what a client sent (names, searches, filters, unknown kinds), so the
// series stay the same whatever is asked.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readMetrics, type Series, sampleValue } from "@pullsight/core";
import { poolOf } from "@pullsight/db";
import fc from "fast-check";
import { type HttpFixture, startHttpFixture } from "./http-fixture.ts";
import { apiMetrics } from "./metrics.ts";

const admin = { name: "ada@example.com", role: "admin", source: "proxy" } as const;
const scrape = async () => readMetrics(await apiMetrics().registry.metrics());
/** Our series (not Node's own) by name and labels, histogram buckets folded. */
const keys = (s: Series[]) =>
  new Set(
    s
      .filter((x) => x.name.startsWith("pullsight_") && !x.name.startsWith("pullsight_web_"))
      .map(({ name, labels: { le: _le, ...labels } }) => `${name}${JSON.stringify(labels)}`),
  );

// What a client might type: letters, digits and the punctuation of names and searches.
const typed = fc.stringMatching(/^[a-z][a-z0-9-]{5,20}$/);

describe("web metrics", () => {
  let f: HttpFixture;
  const get = (path: string) => fetch(`${f.url}${path}`);
  const trpc = (procedure: string, input: unknown) =>
    get(`/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);

  before(async () => {
    f = await startHttpFixture({ name: "metrics", pods: 40, user: admin });
    apiMetrics().watchPool("queries", poolOf(f.t.db));
  });
  after(() => f.stop());

  it("counts every procedure and export once, and export bytes as sent", async () => {
    const before = await scrape();
    const lists = 7;
    for (let i = 0; i < lists; i++)
      assert.equal((await trpc("workloads.list", { filter: { q: `svc-${i}` } })).status, 200);
    const bodies: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await get(`/api/export/findings.csv?cluster=${f.sim.clusters[0]?.name}`);
      assert.equal(res.status, 200);
      bodies.push((await res.arrayBuffer()).byteLength);
    }
    assert.equal((await get("/api/export/nothing-like-it.csv")).status, 404);
    await new Promise((r) => setTimeout(r, 200)); // the export log row is written after the last byte
    const now = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      sampleValue(now, name, labels) - sampleValue(before, name, labels);
    assert.equal(
      delta("pullsight_procedure_duration_seconds_count", { procedure: "workloads.list", outcome: "ok" }),
      lists,
    );
    assert.equal(delta("pullsight_exports_total", { kind: "findings", outcome: "completed" }), 3);
    assert.equal(
      delta("pullsight_export_bytes_total", { kind: "findings" }),
      bodies.reduce((a, b) => a + b, 0),
    );
    assert.equal(delta("pullsight_exports_total", { kind: "unknown", outcome: "refused_404" }), 1);
    assert.ok(
      delta("pullsight_db_pool_wait_seconds_count", { pool: "queries" }) > 0,
      "waits for connections timed",
    );
  });

  it("labels never carry what a client sent, so asking new things adds no series", async () => {
    const ask = async (w: string) => {
      await trpc("workloads.list", { filter: { q: w, namespace: w } });
      await trpc("clusters.detail", { name: w });
      await get(`/api/export/${w}.csv`);
      await get(`/api/export/workloads.csv?q=${w}`).then((r) => r.arrayBuffer());
    };
    // Once, so that each outcome these questions have is seen.
    await ask("warm-up");
    await fc.assert(
      fc.asyncProperty(fc.array(typed, { minLength: 3, maxLength: 6 }), async (words) => {
        const before = keys(await scrape());
        for (const w of words) await ask(w);
        const text = await apiMetrics().registry.metrics();
        for (const w of words) assert.ok(!text.includes(w), `"${w}" appears in /metrics`);
        assert.deepEqual(
          [...keys(readMetrics(text))].filter((k) => !before.has(k)),
          [],
        );
      }),
      { numRuns: 8 },
    );
  });
});
