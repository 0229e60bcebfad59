import { execFileSync } from "node:child_process";
import path from "node:path";
import { findingsQuery } from "@pullsight/db";
import { repoRoot } from "@pullsight/db/bootstrap";
import { to as copyTo } from "pg-copy-streams";
import type { Bench } from "../context.ts";

const SEED_CHUNK = 100_000;

/** (4) the findings CSV export against COPY … TO STDOUT of the same rows, (6) the size. */
export async function csvFigures(b: Bench) {
  const { CSV_ROWS } = b.opts;
  const { dbUrl, pool, dbSize, report, childJs } = b;
  const at = new Date();
  await pool.query(`
    WITH c AS (INSERT INTO "Cluster" (name) VALUES ('bench-csv') RETURNING id),
    s AS (INSERT INTO "Snapshot" ("clusterId", "startedAt", "finishedAt", status, "collectorVersion", "rulesVersion")
          SELECT id, now(), now(), 'complete', 'bench', 'bench' FROM c RETURNING id, "clusterId"),
    w AS (INSERT INTO "Workload" ("clusterId", namespace, kind, name, "firstSeenAt", "lastSeenAt")
          SELECT s."clusterId", 'ns-' || (g % 50), 'Deployment', 'app-' || g, now(), now()
          FROM s, generate_series(1, 2000) g RETURNING id, namespace, "clusterId")
    SELECT 1`);
  const seeded = performance.now();
  // In chunks, as the collector writes: one statement for all of them outlives the pool's
  // statement timeout now that every finding pays for its indexes and its workload's count.
  for (let from = 1; from <= CSV_ROWS; from += SEED_CHUNK)
    await pool.query(
      `INSERT INTO "Finding" ("clusterId", "workloadId", namespace, "containerName", "ruleId", severity, fingerprint, image,
         evidence, "openedAt", "openedSnapshotId", "lastSeenSnapshotId")
       SELECT w."clusterId", w.id, w.namespace, 'app', 'PS00' || (1 + g % 9), (ARRAY['info','low','medium','high','critical'])[1 + g % 5]::"FindingSeverity",
         md5(g::text), 'registry.example.com/team/app-' || (g % 2000) || ':1.' || (g % 40),
         jsonb_build_object('message', 'registry.example.com/team/app uses the mutable tag "latest" with imagePullPolicy IfNotPresent; nodes keep whatever they cached, ' || repeat('x', g % 120)),
         now() - (g % 90) * interval '1 day', s.id, s.id
       FROM generate_series($1::int, $2::int) g
       JOIN LATERAL (SELECT id, namespace, "clusterId" FROM "Workload" WHERE name = 'app-' || (1 + g % 2000)) w ON true
       CROSS JOIN (SELECT id FROM "Snapshot" WHERE "collectorVersion" = 'bench' LIMIT 1) s`,
      [from, Math.min(CSV_ROWS, from + SEED_CHUNK - 1)],
    );
  await pool.query(`ANALYZE`);
  console.log(
    `seeded ${CSV_ROWS.toLocaleString("en")} findings in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
  );

  // COPY of exactly the export's query (its parameters inlined as literals: COPY takes none).
  const q = findingsQuery({}, at);
  const client = await pool.connect();
  const inlined = q.text.replace(/\$(\d+)/g, (_m, i) => {
    const v = q.values[Number(i) - 1];
    if (v instanceof Date) return `${client.escapeLiteral(v.toISOString())}::timestamptz`;
    if (typeof v === "number" || typeof v === "bigint") return String(v);
    return client.escapeLiteral(String(v));
  });
  let copyBytes = 0;
  let copyRows = 0;
  const copyStarted = performance.now();
  const copy = client.query(copyTo(`COPY (${inlined}) TO STDOUT WITH CSV`));
  for await (const chunk of copy as AsyncIterable<Buffer>) {
    copyBytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) copyRows++;
  }
  const copyMs = performance.now() - copyStarted;
  client.release();

  // The export in a process of its own, so its RSS growth is its own (this one has seeded and
  // copied a million rows).
  const exp = JSON.parse(
    execFileSync(process.execPath, ["--expose-gc", childJs, "export", "-", dbUrl], {
      encoding: "utf8",
      cwd: path.join(repoRoot, "bench"),
      maxBuffer: 2 ** 20,
      stdio: ["ignore", "pipe", "inherit"],
    })
      .trim()
      .split("\n")
      .at(-1) ?? "{}",
  ) as { wallMs: number; rows: number; bytes: number; baselineMb: number; growthMb: number };
  const done = { rows: exp.rows };
  const exportMs = exp.wallMs;
  const exportBytes = exp.bytes;
  const exportRate = done.rows / (exportMs / 1000);
  const copyRate = copyRows / (copyMs / 1000);
  report({
    figure: "4 csv",
    name: "COPY … TO STDOUT WITH CSV (floor)",
    value: Math.round(copyRate),
    unit: "rows/s",
    note: `${copyRows} rows, ${copyBytes} bytes`,
  });
  report({
    figure: "4 csv",
    name: "findings export (streamed, hashed, logged)",
    value: Math.round(exportRate),
    unit: "rows/s",
    note: `${done.rows} rows, ${exportBytes} bytes`,
  });
  report({
    figure: "4 csv",
    name: "export ÷ COPY",
    value: exportRate / copyRate,
    unit: "×",
    target: "≥ 0.5",
    met: exportRate / copyRate >= 0.5,
  });
  report({
    figure: "4 csv",
    name: "RSS growth during the export",
    value: Math.round(exp.growthMb),
    unit: "MB",
    target: "≤ 64",
    met: exp.growthMb <= 64,
    note: `over a warm baseline of ${Math.round(exp.baselineMb)} MB, in its own process`,
  });
  report({
    figure: "6 size",
    name: `database with ${CSV_ROWS.toLocaleString("en")} findings`,
    value: Math.round((await dbSize()) / 2 ** 20),
    unit: "MB",
  });
}
