// CSV exports for audits, streamed: rows come from a database cursor in batches (memory stays
// flat), each batch is formatted as RFC 4180 (CRLF, UTF-8: csvRecord writes exactly what
// csv-stringify writes, a property test holds it to that) and hashed as it is sent; the export
// log records who, when, the filters, the row count and the SHA-256 of exactly the bytes sent.
// Cells a spreadsheet would execute are neutralised with a leading apostrophe (csvCell).
import { createHash } from "node:crypto";
import { RULES_VERSION } from "@pullsight/core";
import {
  type Db,
  FINDING_COLUMNS,
  findingsQuery,
  getClusterDetail,
  getFleetOverview,
  getLatencyTrend,
  getWeeklyReview,
  INVENTORY_COLUMNS,
  inventoryQuery,
  listWaivers,
  PULL_EVENT_COLUMNS,
  parseScopeKey,
  pullEventsQuery,
  readWithCursor,
  SNAPSHOT_COLUMNS,
  snapshotsQuery,
  WORKLOAD_COLUMNS,
  workloadsQuery,
} from "@pullsight/db";
import type pg from "pg";
import { z } from "zod";
import {
  findingFilter,
  instant,
  inventoryFilter,
  isoWeek,
  name,
  pullEventFilter,
  ruleId,
  scopeKey,
  snapshotStatus,
  workloadFilter,
} from "./schemas.ts";

export const EXPORT_KINDS = [
  "inventory",
  "workloads",
  "findings",
  "pull-events",
  "review",
  "clusters",
  "namespaces",
  "snapshots",
  "waivers",
  "latency",
] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** The filters each export accepts: the same as the UI's. */
export const exportFilters = {
  inventory: inventoryFilter,
  workloads: workloadFilter,
  clusters: z
    .object({
      /** Cluster labels, "key=value" joined by commas: the clusters page's label filter. */
      label: z
        .string()
        .max(1000)
        .regex(/^[^=,]+=[^,]*(,[^=,]+=[^,]*)*$/, "labels as key=value,key=value")
        .optional(),
    })
    .strict(),
  namespaces: z.object({ cluster: name }).strict(),
  latency: z
    .object({
      bucket: z.enum(["day", "week"]).default("day"),
      from: instant.optional(),
      to: instant.optional(),
      cluster: name.optional(),
      registry: z.string().max(253).optional(),
    })
    .strict(),
  waivers: z
    .object({
      state: z.enum(["active", "expired", "revoked", "all"]).optional(),
      ruleId: ruleId.optional(),
      cluster: name.optional(),
    })
    .strict(),
  snapshots: z
    .object({
      cluster: name.optional(),
      status: snapshotStatus.optional(),
      from: instant.optional(),
      to: instant.optional(),
    })
    .strict(),
  findings: findingFilter,
  "pull-events": pullEventFilter,
  review: z.object({ week: isoWeek, scope: scopeKey.default("fleet") }).strict(),
} as const;

export const REVIEW_COLUMNS = [
  "week",
  "scope",
  "section",
  "finding_id",
  "cluster",
  "namespace",
  "workload",
  "container",
  "rule_id",
  "severity",
  "image",
  "opened_at",
  "resolved_at",
  "age_days",
  "waived",
  "signed_by",
  "signed_at",
] as const;

/** A cluster's or namespace's open findings: unwaived, waived, and unwaived by severity. */
const FINDING_COUNT_COLUMNS = [
  "open_findings",
  "waived_findings",
  "critical",
  "high",
  "medium",
  "low",
  "info",
] as const;
const findingCountCells = (f: { open: number; waived: number; bySeverity: Record<string, number> }) => ({
  open_findings: f.open,
  waived_findings: f.waived,
  ...f.bySeverity,
});

export const CLUSTER_COLUMNS = [
  "cluster",
  "labels",
  "kubernetes_version",
  "score",
  "grade",
  "containers",
  "compliant",
  "workloads",
  ...FINDING_COUNT_COLUMNS,
  "last_snapshot_status",
  "last_snapshot_failures",
  "stale",
  "last_snapshot_id",
  "collected_at",
] as const;

export const NAMESPACE_COLUMNS = [
  "cluster",
  "namespace",
  "team",
  "profile",
  "score",
  "grade",
  "workloads",
  "containers",
  "compliant",
  ...FINDING_COUNT_COLUMNS,
  "last_snapshot_id",
  "collected_at",
] as const;

export const WAIVER_COLUMNS = [
  "waiver_id",
  "rule_id",
  "cluster",
  "namespace",
  "workload_kind",
  "workload",
  "image_pattern",
  "reason",
  "owner",
  "expires_at",
  "created_by",
  "created_at",
  "revoked_at",
  "revoked_by",
  "revoke_reason",
  "state",
] as const;

export const LATENCY_COLUMNS = [
  "bucket_start",
  "bucket",
  "cluster",
  "registry",
  "pulls",
  "failures",
  "p50_ms",
  "p95_ms",
  "max_ms",
  "exact",
  "failures_by_cause",
] as const;

export const EXPORT_COLUMNS: Record<ExportKind, readonly string[]> = {
  latency: LATENCY_COLUMNS,
  waivers: WAIVER_COLUMNS,
  inventory: INVENTORY_COLUMNS,
  workloads: WORKLOAD_COLUMNS,
  clusters: CLUSTER_COLUMNS,
  namespaces: NAMESPACE_COLUMNS,
  snapshots: SNAPSHOT_COLUMNS,
  findings: FINDING_COLUMNS,
  "pull-events": PULL_EVENT_COLUMNS,
  review: REVIEW_COLUMNS,
};

const FORMULA_CHARS = "=+-@";

/**
 * True when a spreadsheet could read the text as a formula: it starts with a tab or carriage
 * return, or its first non-blank character is = + - @ in any form that folds to one (full-width
 * ＝＋－＠, small forms), since spreadsheets skip leading blanks and read full-width signs.
 */
export function startsLikeFormula(s: string): boolean {
  const first = s.charCodeAt(0);
  if (first === 0x09 || first === 0x0d) return true;
  const m = /\S/u.exec(s);
  if (!m) return false;
  const c = m[0];
  return FORMULA_CHARS.includes(c) || (c > "\x7f" && FORMULA_CHARS.includes(c.normalize("NFKC").charAt(0)));
}

/**
 * A cell as text: ISO 8601 UTC for times; text a spreadsheet would run is neutralised with a
 * leading apostrophe, as OWASP recommends (numbers are left alone).
 */
export function csvCell(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "number" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return v.toString();
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return startsLikeFormula(s) ? `'${s}` : s;
}

// Quotes, commas and line breaks by RFC 4180; semicolons and tabs too, because a spreadsheet in a
// locale whose list separator is ";" (or a tab-separated import) would otherwise split the cell
// there, and the piece after the split could start a formula.
const NEEDS_QUOTES = /[",;\t\r\n]/;

/**
 * One CSV record, CRLF-terminated: byte for byte what csv-stringify writes for these cells with
 * `record_delimiter: "\r\n"`, `quote_record_delimiter: true` (any \r or \n in a field is quoted),
 * `quoted_match: /[;\t]/` and booleans as true/false (exports.test.ts checks it for any cells).
 * csv-stringify's general machinery (options, casts, callbacks per field) was the larger part
 * of an export's time and most of its garbage (bench figure 4); this is its default path only.
 */
export function csvRecord(cells: ReadonlyArray<string | number | boolean | null>): string {
  let line = "";
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) line += ",";
    const cell = cells[i];
    if (cell === null || cell === undefined || cell === "") continue;
    const text = typeof cell === "string" ? cell : String(cell);
    line += NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  }
  return `${line}\r\n`;
}

/** A filename that names the export, its scope and the time: pullsight-findings-prod-eu-1-20261121T101500Z.csv */
export function exportFilename(kind: ExportKind, filters: Record<string, unknown>, at: Date): string {
  const scope = [filters.cluster, filters.namespace, filters.week, filters.scope]
    .filter((v): v is string => typeof v === "string" && v !== "")
    .map((v) => v.replace(/[^A-Za-z0-9._-]+/g, "_"))
    .join("-");
  const iso = (d: Date) =>
    d
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d{3}Z$/, "Z");
  // An as-of export says which instant it describes, beside when it was made.
  const asOf = filters.asOf instanceof Date ? `-asof-${iso(filters.asOf)}` : "";
  return `pullsight-${kind}${scope ? `-${scope}` : "-fleet"}${asOf}-${iso(at)}.csv`;
}

export interface CsvExport {
  filename: string;
  logId: bigint;
  stream: ReadableStream<Uint8Array>;
  /** Resolves when the stream ended (sent, cancelled or failed) and the log row is written. */
  done: Promise<{ rows: number; bytes: number; sha256: string | null; completed: boolean }>;
}

async function* reviewRows(db: Db, filters: z.infer<(typeof exportFilters)["review"]>, now: Date) {
  const scope = parseScopeKey(filters.scope);
  if (!scope) throw new RangeError(`not a review scope: ${filters.scope}`);
  const r = await getWeeklyReview(db, filters.week, scope, now);
  const base = {
    week: r.week,
    scope: r.scope,
    signed_by: r.signed?.reviewer ?? null,
    signed_at: r.signed?.signedAt ?? null,
  };
  const rows: Record<string, unknown>[] = [];
  for (const [section, list] of [
    ["new", r.newFindings],
    ["resolved", r.resolvedFindings],
    ["ageing", r.ageingFindings],
  ] as const)
    for (const f of list)
      rows.push({
        ...base,
        section,
        finding_id: f.id,
        cluster: f.cluster,
        namespace: f.namespace,
        workload: f.workload,
        container: f.container,
        rule_id: f.ruleId,
        severity: f.severity,
        image: f.image,
        opened_at: f.openedAt,
        resolved_at: f.resolvedAt,
        age_days: f.ageDays,
        waived: f.waived,
      });
  for (const w of r.waiversExpiring)
    rows.push({
      ...base,
      section: "waiver-expiring",
      rule_id: w.ruleId,
      namespace: w.scope,
      resolved_at: w.expiresAt,
    });
  yield rows;
}

async function* clusterRows(db: Db, filters: z.infer<(typeof exportFilters)["clusters"]>, now: Date) {
  const labels = filters.label
    ? Object.fromEntries(
        filters.label.split(",").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
      )
    : undefined;
  const fleet = await getFleetOverview(db, { now, ...(labels ? { labels } : {}) });
  yield fleet.clusters.map((c) => ({
    cluster: c.name,
    labels: Object.entries(c.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(";"),
    kubernetes_version: c.kubernetesVersion,
    score: c.score,
    grade: c.grade,
    containers: c.containers,
    compliant: c.compliant,
    workloads: c.workloads,
    ...findingCountCells(c.findings),
    last_snapshot_status: c.lastSnapshotStatus,
    last_snapshot_failures: c.failures.map((f) => `${f.kind}: ${f.reason}`).join("; "),
    stale: c.stale,
    last_snapshot_id: c.lastSnapshotId,
    collected_at: c.lastSnapshotAt,
  }));
}

async function* namespaceRows(db: Db, filters: z.infer<(typeof exportFilters)["namespaces"]>, now: Date) {
  const detail = await getClusterDetail(db, filters.cluster, { now, snapshots: 1 });
  if (!detail) throw new RangeError(`no cluster named ${filters.cluster}`);
  yield detail.namespaces.map((n) => ({
    cluster: detail.cluster.name,
    namespace: n.name,
    team: n.team,
    profile: n.profile,
    score: n.score,
    grade: n.grade,
    workloads: n.workloads,
    containers: n.containers,
    compliant: n.compliant,
    ...findingCountCells(n.findings),
    last_snapshot_id: detail.cluster.lastSnapshotId,
    collected_at: detail.cluster.lastSnapshotAt,
  }));
}

/** Pull latency per registry (per cluster when one is named), per day or ISO week: the fleet page's table. */
async function* latencyRows(db: Db, filters: z.infer<(typeof exportFilters)["latency"]>, now: Date) {
  const to = filters.to ?? now;
  const rows = await getLatencyTrend(db, {
    bucket: filters.bucket,
    from: filters.from ?? new Date(to.getTime() - 7 * 86_400_000),
    to,
    ...(filters.cluster ? { scope: { cluster: filters.cluster }, byCluster: true } : {}),
    ...(filters.registry ? { registry: filters.registry } : {}),
  });
  yield rows.map((r) => ({
    bucket_start: r.bucket,
    bucket: filters.bucket,
    cluster: r.cluster,
    registry: r.registry,
    pulls: r.pulls,
    failures: r.failures,
    p50_ms: r.p50Ms,
    p95_ms: r.p95Ms,
    max_ms: r.maxMs,
    exact: r.exact,
    failures_by_cause: Object.entries(r.failuresByCause)
      .map(([cause, n]) => `${cause}=${n}`)
      .join(";"),
  }));
}

async function* waiverRows(db: Db, filters: z.infer<(typeof exportFilters)["waivers"]>, now: Date) {
  const waivers = await listWaivers(db, filters, now);
  yield waivers.map((w) => ({
    waiver_id: w.id,
    rule_id: w.ruleId,
    cluster: w.cluster,
    namespace: w.namespace,
    workload_kind: w.workloadKind,
    workload: w.workloadName,
    image_pattern: w.imagePattern,
    reason: w.reason,
    owner: w.owner,
    expires_at: w.expiresAt,
    created_by: w.createdBy,
    created_at: w.createdAt,
    revoked_at: w.revokedAt,
    revoked_by: w.revokedBy,
    revoke_reason: w.revokeReason,
    state: w.state,
  }));
}

/**
 * Starts an export: validates the filters (throws a ZodError for bad ones), logs it, reads the
 * first batch (so a filter naming nothing, a busy pool or a failing query is thrown here, before
 * any byte is sent: RangeError, ExportPoolBusyError), and returns the stream of CSV bytes. A client
 * that reads nothing for `idleMs` is cut off: the stream errors, the cursor's connection is
 * released and the log says why. Provenance columns come with the rows; the collector and
 * rule-catalogue versions of each row are those of the snapshot it comes from.
 */
export async function startCsvExport(opts: {
  db: Db;
  pool: pg.Pool;
  kind: ExportKind;
  filters: unknown;
  actor: string;
  now?: Date;
  batchSize?: number;
  /** Cut off a client that reads nothing for this long (none: never). */
  idleMs?: number;
}): Promise<CsvExport> {
  const now = opts.now ?? new Date();
  const columns = EXPORT_COLUMNS[opts.kind];
  const filters = exportFilters[opts.kind].parse(opts.filters ?? {}) as Record<string, unknown>;
  const filename = exportFilename(opts.kind, filters, now);
  const log = await opts.db.exportLog.create({
    data: {
      kind: opts.kind,
      actor: opts.actor,
      startedAt: now,
      filters: { ...filters, rulesVersion: RULES_VERSION } as object,
      filename,
    },
    select: { id: true },
  });
  const batches = exportBatches(opts, filters, now);
  const hash = createHash("sha256");
  const encoder = new TextEncoder();
  let rows = 0;
  let bytes = 0;
  let ended = false;
  let settle!: (v: Awaited<CsvExport["done"]>) => void;
  const done = new Promise<Awaited<CsvExport["done"]>>((r) => {
    settle = r;
  });
  const finish = async (completed: boolean, error: string | null) => {
    ended = true;
    const sha256 = completed ? hash.digest("hex") : null;
    await opts.db.exportLog.update({
      where: { id: log.id },
      data: { finishedAt: new Date(), rows, bytes: BigInt(bytes), sha256, completed, error },
    });
    settle({ rows, bytes, sha256, completed });
  };
  let pending: IteratorResult<Record<string, unknown>[]> | null;
  try {
    pending = await batches.next();
  } catch (e) {
    await finish(false, e instanceof Error ? e.message : String(e));
    throw e;
  }
  const send = (controller: ReadableStreamDefaultController<Uint8Array>, text: string) => {
    const chunk = encoder.encode(text);
    hash.update(chunk);
    bytes += chunk.byteLength;
    controller.enqueue(chunk);
  };
  let idle: ReturnType<typeof setTimeout> | undefined;
  const cutOff = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    if (ended) return;
    const why = `cut off: the client read nothing for ${opts.idleMs} ms`;
    controller.error(new Error(why));
    await batches.return(undefined);
    await finish(false, why);
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      send(controller, csvRecord(columns as string[]));
    },
    async pull(controller) {
      clearTimeout(idle);
      try {
        const next = pending ?? (await batches.next());
        pending = null;
        if (next.done) {
          controller.close();
          await finish(true, null);
          return;
        }
        let text = "";
        for (const row of next.value) text += csvRecord(columns.map((c) => csvCell(row[c])));
        rows += next.value.length;
        if (text) send(controller, text);
        // The next pull comes when the client has taken this; if it never does, let go.
        if (opts.idleMs) idle = setTimeout(() => void cutOff(controller), opts.idleMs);
      } catch (e) {
        controller.error(e);
        await finish(false, e instanceof Error ? e.message : String(e));
      }
    },
    async cancel(reason) {
      clearTimeout(idle);
      if (ended) return;
      await batches.return(undefined);
      await finish(false, `cancelled by the client${reason ? `: ${String(reason)}` : ""}`);
    },
  });
  return { filename, logId: log.id, stream, done };
}

type Batches = AsyncGenerator<Record<string, unknown>[], void, undefined>;

/** An export's rows in batches: large tables from a cursor, small ones (a page's worth) whole. */
function exportBatches(
  opts: { db: Db; pool: pg.Pool; kind: ExportKind; batchSize?: number },
  filters: Record<string, unknown>,
  now: Date,
): Batches {
  // 250 rows a fetch: 1M findings took 7.9 s with 31 MB of RSS growth, against 10.9 s and 142 MB
  // at 2,000 (a batch alive across a young-generation GC is promoted, and old space grows until a
  // full GC; bench figure 4, batch sizes 100–2,000 compared with BENCH_EXPORT_BATCH).
  const cursor = (query: Parameters<typeof readWithCursor>[1]): Batches =>
    readWithCursor<Record<string, unknown>>(opts.pool, query, opts.batchSize ?? 250);
  const f = filters as never;
  const sources: Record<ExportKind, () => Batches> = {
    inventory: () => cursor(inventoryQuery(filters, now)),
    workloads: () => cursor(workloadsQuery(filters, now)),
    findings: () => cursor(findingsQuery(filters, now)),
    "pull-events": () => cursor(pullEventsQuery(filters)),
    snapshots: () => cursor(snapshotsQuery(filters)),
    review: () => reviewRows(opts.db, f, now),
    clusters: () => clusterRows(opts.db, f, now),
    latency: () => latencyRows(opts.db, f, now),
    waivers: () => waiverRows(opts.db, f, now),
    namespaces: () => namespaceRows(opts.db, f, now),
  };
  return sources[opts.kind]();
}
