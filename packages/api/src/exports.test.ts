// CSV exports: hostile values round-trip through a real CSV parser, formulas are neutralised,
// and the export log holds the row count and the SHA-256 of exactly the bytes sent.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  createExportPool,
  getClusterDetail,
  getFleetOverview,
  getLatencyTrend,
  listWorkloads,
  writeSnapshot,
} from "@pullsight/db";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import type pg from "pg";
import { csvCell, csvRecord } from "./csv.ts";
import { EXPORT_COLUMNS, exportFilename, startCsvExport } from "./exports.ts";

const HOSTILE = [
  'a,b "quoted" and, commas',
  "line one\nline two\r\nline three",
  "a lone\nline feed",
  "a lone\rcarriage return",
  '=HYPERLINK("http://evil.example","click")',
  "+1+1",
  "-2+3",
  "@SUM(A1:A9)",
  "\tleading tab",
  "\rleading return",
  "   =1+1 after spaces",
  "\u3000@SUM(A1) after an ideographic space",
  "＝1+1 full-width",
  "－2+3 full-width minus",
  "a;=cmd|' /C calc'!A0",
  "b\t+1",
  "unicode: Zürich 東京 🚀 \u202Eevil",
  "",
  '"',
];

/**
 * How a spreadsheet reads a cell it imports: it skips leading blanks and folds full-width and
 * small forms (NFKC); a cell whose text then starts with = + - @ (or that starts with a tab or a
 * carriage return) is a formula, unless it starts with the apostrophe that marks text. The first
 * character as written counts as well as its folded form: "=" followed by a combining mark starts
 * a formula, although NFKC composes the pair into "≠".
 */
const spreadsheetRuns = (cell: string) => {
  if (cell.startsWith("'")) return false;
  if (/^[\t\r]/.test(cell)) return true;
  const first = [...cell.replace(/^\s+/u, "")][0] ?? "";
  return /^[=+\-@]/.test(first) || /^[=+\-@]/.test(first.normalize("NFKC"));
};

/** What the export must say for an original value: the value, or it with a leading apostrophe. */
const expected = (v: string) => (spreadsheetRuns(v) ? `'${v}` : v);

/** A CSV line split as a spreadsheet of a locale does: quote-aware, at that locale's separator. */
function spreadsheetCells(line: string, separator: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (!quoted && c === separator) {
      cells.push(cell);
      cell = "";
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

describe("CSV exports", () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  const at = new Date("2026-11-16T09:30:00Z");

  before(async () => {
    t = await createTestDatabase("exports");
    pool = createExportPool(t.url, { max: 2 });
    await writeSnapshot(t.db, {
      cluster: { name: "prod-eu-1", server: null, kubernetesVersion: "v1.31.4" },
      startedAt: at,
      finishedAt: at,
      failures: [],
      collectorVersion: "0.1.0",
      rulesVersion: "2026.11",
      completeKinds: ["Deployment"],
      runtimeComplete: true,
      evaluableRules: ["PS001"],
      // Pods and nodes from lists kept by watches, the rest listed (as collect.ts records it).
      stats: { objects: { pods: 3, nodes: 1, secrets: 2, deployments: 1 }, mirrored: ["pods", "nodes"] },
      namespaces: [
        {
          name: "shop",
          labels: { team: "checkout" },
          profile: "production",
          owner: "checkout",
          ownerSource: "label:team",
        },
      ],
      workloads: HOSTILE.map((value, i) => ({
        namespace: "shop",
        kind: "Deployment",
        name: `app-${i}`,
        uid: null,
        serviceAccount: "default",
        labels: {},
        containers: [
          {
            name: "main",
            type: "container" as const,
            image: `registry.example.com/app:${i}`,
            registry: "registry.example.com",
            repository: "app",
            tag: String(i),
            digest: null,
            tagKind: "mutable",
            registryVisibility: "private",
            imagePullPolicy: "IfNotPresent",
            policySource: "explicit",
            // the evidence text is free-form: the hostile value goes here and in the message
            policyEvidence: value,
            pullSecrets: [value],
            credentialSources: ["pod-secret"],
            factHash: `h${i}`,
            running: [],
            compliant: false,
            findings: [
              {
                ruleId: "PS001",
                severity: "high" as const,
                fingerprint: `fp-${i}`,
                image: `registry.example.com/app:${i}`,
                message: value,
                evidence: {},
              },
            ],
          },
        ],
      })),
    });
  });
  after(async () => {
    await pool.end();
    await t.drop();
  });

  it("hostile values round-trip through csv-parse; formulas are neutralised; the log has the SHA-256 of the bytes", async () => {
    const out = await startCsvExport({
      db: t.db,
      pool,
      kind: "findings",
      filters: {},
      actor: "auditor@example.com",
      now: at,
    });
    const bytes = await readAll(out.stream);
    const result = await out.done;
    assert.equal(result.completed, true);
    const records = parse(bytes, { columns: true, bom: false, relax_quotes: false }) as Record<
      string,
      string
    >[];
    assert.deepEqual(Object.keys(records[0] ?? {}), [...EXPORT_COLUMNS.findings], "documented column order");
    assert.equal(records.length, HOSTILE.length);
    const byWorkload = new Map(records.map((r) => [r.workload, r]));
    HOSTILE.forEach((value, i) => {
      const r = byWorkload.get(`app-${i}`);
      assert.ok(r);
      assert.equal(r.message, expected(value), `message ${JSON.stringify(value)}`);
      assert.equal(r.status, "open");
      assert.equal(r.opened_at, at.toISOString(), "ISO 8601 UTC");
      assert.equal(r.collector_version, "0.1.0");
      assert.equal(r.rules_version, "2026.11");
      assert.match(r.opened_snapshot_id ?? "", /^\d+$/);
    });
    const log = await t.db.exportLog.findUniqueOrThrow({ where: { id: out.logId } });
    assert.equal(log.sha256, createHash("sha256").update(bytes).digest("hex"));
    assert.equal(log.rows, HOSTILE.length);
    assert.equal(Number(log.bytes), bytes.length);
    assert.equal(log.actor, "auditor@example.com");
    assert.equal(log.completed, true);
    assert.equal(out.filename, "pullsight-findings-fleet-20261116T093000Z.csv");
  });

  it("inventory: a row per container with provenance, the same filters as the workloads table", async () => {
    const out = await startCsvExport({
      db: t.db,
      pool,
      kind: "inventory",
      filters: { cluster: "prod-eu-1", q: "app-1" },
      actor: "a",
      now: at,
      batchSize: 1,
    });
    const records = parse(await readAll(out.stream), { columns: true }) as Record<string, string>[];
    assert.deepEqual(
      records.map((r) => r.workload),
      HOSTILE.map((_, i) => `app-${i}`)
        .filter((n) => n.includes("app-1"))
        .sort(),
      "q matches names like the table does",
    );
    assert.equal(records[0]?.policy_evidence, expected(HOSTILE[1] as string));
    assert.equal(records[0]?.pull_secrets, HOSTILE[1]);
    assert.equal(records[0]?.collected_at, at.toISOString());
    assert.equal(records[0]?.open_findings, "PS001");
    assert.equal(out.filename, "pullsight-inventory-prod-eu-1-20261116T093000Z.csv");
  });

  it("each table's export has exactly the rows the table's query gives", async () => {
    const csv = async (kind: Parameters<typeof startCsvExport>[0]["kind"], filters: object) => {
      const out = await startCsvExport({ db: t.db, pool, kind, filters, actor: "a", now: at, batchSize: 3 });
      const [header = [], ...records] = parse(await readAll(out.stream)) as string[][];
      assert.deepEqual(header, [...EXPORT_COLUMNS[kind]], `${kind} columns`);
      return records.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ""])));
    };
    const table = await listWorkloads(t.db, { filter: { cluster: "prod-eu-1" }, limit: 500, now: at });
    const workloads = await csv("workloads", { cluster: "prod-eu-1" });
    assert.equal(workloads.length, table.total);
    const byName = new Map(table.rows.map((r) => [r.name, r]));
    for (const w of workloads) {
      const row = byName.get(w.workload as string);
      assert.ok(row, `${w.workload} is in the table`);
      assert.equal(Number(w.open_findings), row.findings);
      assert.equal(w.max_severity || null, row.maxSeverity);
      assert.equal(w.images, row.images.join(";"));
      assert.equal(w.collected_at, at.toISOString());
    }

    const fleet = await getFleetOverview(t.db, { now: at });
    const clusters = await csv("clusters", {});
    assert.deepEqual(
      clusters.map((c) => [c.cluster, Number(c.open_findings), c.score === "" ? null : Number(c.score)]),
      fleet.clusters.map((c) => [c.name, c.findings.open, c.score]),
    );
    assert.equal((await csv("clusters", { label: "env=nowhere" })).length, 0);

    const detail = await getClusterDetail(t.db, "prod-eu-1", { now: at });
    const namespaces = await csv("namespaces", { cluster: "prod-eu-1" });
    assert.deepEqual(
      namespaces.map((n) => [n.namespace, n.owner, Number(n.containers)]),
      detail?.namespaces.map((n) => [n.name, n.team, n.containers]),
    );

    const snapshots = await csv("snapshots", { cluster: "prod-eu-1" });
    assert.equal(snapshots.length, await t.db.snapshot.count());
    assert.equal(snapshots[0]?.status, "complete");
    assert.deepEqual(
      snapshots.map((s) => [s.kinds_listed, s.kinds_watched]),
      detail?.snapshots.map((s) => [s.lists?.listed.join(";"), s.lists?.watched.join(";")]),
    );
    assert.deepEqual(detail?.snapshots[0]?.lists, {
      listed: ["deployments", "secrets"],
      watched: ["nodes", "pods"],
    });

    const latency = await csv("latency", { bucket: "week", from: new Date(at.getTime() - 14 * 86_400_000) });
    const trend = await getLatencyTrend(t.db, {
      bucket: "week",
      from: new Date(at.getTime() - 14 * 86_400_000),
      to: at,
    });
    assert.deepEqual(
      latency.map((r) => [r.registry, Number(r.pulls), Number(r.failures)]),
      trend.map((r) => [r.registry, r.pulls, r.failures]),
    );

    const waivers = await csv("waivers", { state: "all" });
    assert.equal(waivers.length, await t.db.waiver.count());
  });

  it("rejects unknown filters before anything is sent", async () => {
    await assert.rejects(
      startCsvExport({ db: t.db, pool, kind: "findings", filters: { severity: "urgent" }, actor: "a" }),
      /severity/,
    );
    await assert.rejects(
      startCsvExport({ db: t.db, pool, kind: "inventory", filters: { evil: "1" }, actor: "a" }),
    );
  });

  it("a client that goes away is logged as an incomplete export", async () => {
    const out = await startCsvExport({
      db: t.db,
      pool,
      kind: "findings",
      filters: {},
      actor: "a",
      batchSize: 2,
    });
    const reader = out.stream.getReader();
    await reader.read();
    await reader.cancel("closed the tab");
    const result = await out.done;
    assert.equal(result.completed, false);
    const log = await t.db.exportLog.findUniqueOrThrow({ where: { id: out.logId } });
    assert.equal(log.sha256, null);
    assert.match(log.error ?? "", /closed the tab/);
  });

  it("csvRecord writes exactly what csv-stringify writes (line breaks of any kind quoted), for any cells (fast-check)", () => {
    const cell = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 12 }),
      fc.constantFrom('"', ",", "\r\n", "\n", "\r", '""', " ", "a,b", 'say "hi"', "", "a;b", "\t", "x\ty"),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }),
        (records) => {
          assert.equal(
            records.map(csvRecord).join(""),
            stringify(records, {
              record_delimiter: "\r\n",
              // Given a record delimiter, csv-stringify quotes only that sequence: a lone \n or \r in a
              // field went out unquoted and split the row for a reader (caught by this test).
              quote_record_delimiter: true,
              quoted_match: /[;\t]/,
              cast: { boolean: (b) => String(b) },
            }),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("hostile cells (fast-check): inert in a spreadsheet of any separator, exact for a strict CSV parser", () => {
    const trigger = fc.constantFrom("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠", "﹦", "﹢");
    const blank = fc.constantFrom(" ", "  ", "\u00a0", "\u3000", "\n", "\ufeff", "");
    const separator = fc.constantFrom(",", ";", "\t", "|");
    const text = fc.string({ unit: "grapheme", maxLength: 8 });
    const hostile = fc.oneof(
      fc.tuple(blank, trigger, text).map((p) => p.join("")),
      fc.tuple(text, separator, blank, trigger, text).map((p) => p.join("")),
      fc.tuple(text, fc.constantFrom('"', '""', "\r\n"), trigger, text).map((p) => p.join("")),
      fc.string({ unit: "binary", maxLength: 16 }),
    );
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 1, maxLength: 4 }), (values) => {
        const line = csvRecord(values.map(csvCell)).replace(/\r\n$/, "");
        for (const sep of [",", ";", "\t"])
          for (const cell of spreadsheetCells(line, sep))
            assert.ok(
              !spreadsheetRuns(cell),
              `${JSON.stringify(cell)} runs when split at ${JSON.stringify(sep)}`,
            );
        const [row] = parse(`${line}\r\n`, { relax_quotes: false }) as string[][];
        assert.deepEqual(
          row,
          values.map((v) => (spreadsheetRuns(v) ? `'${v}` : v)),
          "the exact value, after the documented apostrophe",
        );
      }),
      { numRuns: 3000 },
    );
  });

  it("csvCell: any text survives a CSV round trip, neutralised exactly when it starts like a formula", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "grapheme", maxLength: 20 }), { minLength: 1, maxLength: 5 }),
        (values) => {
          const cells = values.map(csvCell);
          const line = `${cells.map((c) => `"${String(c ?? "").replaceAll('"', '""')}"`).join(",")}\r\n`;
          const [row] = parse(line) as string[][];
          assert.deepEqual(row, values.map(expected));
        },
      ),
    );
    assert.equal(csvCell(-3), -3, "numbers are not text");
    assert.equal(csvCell(new Date(0)), "1970-01-01T00:00:00.000Z");
    assert.equal(
      exportFilename("review", { week: "2026-W47", scope: "cluster:prod/eu" }, new Date(0)),
      "pullsight-review-2026-W47-cluster_prod_eu-19700101T000000Z.csv",
    );
  });
});
