// CSV exports for audits, streamed: rows come from a database cursor in batches (memory stays
// flat), each batch is formatted by csv-stringify (RFC 4180, CRLF, UTF-8) and hashed as it is
// sent; the export log records who, when, the filters, the row count and the SHA-256 of exactly
// the bytes sent. Cells a spreadsheet would execute (starting with =, +, -, @, tab or carriage
// return) are neutralised with a leading apostrophe, as OWASP recommends; numbers are left alone.
import { createHash } from "node:crypto";
import { RULES_VERSION } from "@pullsight/core";
import {
  type Db,
  FINDING_COLUMNS,
  findingsQuery,
  getWeeklyReview,
  INVENTORY_COLUMNS,
  inventoryQuery,
  PULL_EVENT_COLUMNS,
  parseScopeKey,
  pullEventsQuery,
  readWithCursor,
} from "@pullsight/db";
import { stringify } from "csv-stringify/sync";
import type pg from "pg";
import { z } from "zod";
import { findingFilter, isoWeek, pullEventFilter, scopeKey, workloadFilter } from "./schemas.ts";

export const EXPORT_KINDS = ["inventory", "findings", "pull-events", "review"] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** The filters each export accepts: the same as the UI's. */
export const exportFilters = {
  inventory: workloadFilter,
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

export const EXPORT_COLUMNS: Record<ExportKind, readonly string[]> = {
  inventory: INVENTORY_COLUMNS,
  findings: FINDING_COLUMNS,
  "pull-events": PULL_EVENT_COLUMNS,
  review: REVIEW_COLUMNS,
};

const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell as text: ISO 8601 UTC for times, neutralised when a spreadsheet would run it. */
export function csvCell(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "number" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return v.toString();
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** A filename that names the export, its scope and the time: pullsight-findings-prod-eu-1-20261121T101500Z.csv */
export function exportFilename(kind: ExportKind, filters: Record<string, unknown>, at: Date): string {
  const scope = [filters.cluster, filters.namespace, filters.week, filters.scope]
    .filter((v): v is string => typeof v === "string" && v !== "")
    .map((v) => v.replace(/[^A-Za-z0-9._-]+/g, "_"))
    .join("-");
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
  return `pullsight-${kind}${scope ? `-${scope}` : "-fleet"}-${stamp}.csv`;
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

/**
 * Starts an export: validates the filters (throws a ZodError for bad ones), logs it, and returns
 * the stream of CSV bytes. Provenance columns come with the rows; the collector and rule-catalogue
 * versions of each row are those of the snapshot it comes from.
 */
export async function startCsvExport(opts: {
  db: Db;
  pool: pg.Pool;
  kind: ExportKind;
  filters: unknown;
  actor: string;
  now?: Date;
  batchSize?: number;
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
  const batches: AsyncGenerator<Record<string, unknown>[], void, undefined> =
    opts.kind === "review"
      ? reviewRows(opts.db, filters as z.infer<(typeof exportFilters)["review"]>, now)
      : readWithCursor<Record<string, unknown>>(
          opts.pool,
          opts.kind === "inventory"
            ? inventoryQuery(filters, now)
            : opts.kind === "findings"
              ? findingsQuery(filters, now)
              : pullEventsQuery(filters),
          opts.batchSize ?? 2000,
        );
  const hash = createHash("sha256");
  const encoder = new TextEncoder();
  let rows = 0;
  let bytes = 0;
  let settle!: (v: Awaited<CsvExport["done"]>) => void;
  const done = new Promise<Awaited<CsvExport["done"]>>((r) => {
    settle = r;
  });
  const finish = async (completed: boolean, error: string | null) => {
    const sha256 = completed ? hash.digest("hex") : null;
    await opts.db.exportLog.update({
      where: { id: log.id },
      data: { finishedAt: new Date(), rows, bytes: BigInt(bytes), sha256, completed, error },
    });
    settle({ rows, bytes, sha256, completed });
  };
  const send = (controller: ReadableStreamDefaultController<Uint8Array>, text: string) => {
    const chunk = encoder.encode(text);
    hash.update(chunk);
    bytes += chunk.byteLength;
    controller.enqueue(chunk);
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      send(controller, stringify([columns as string[]], { record_delimiter: "\r\n" }));
    },
    async pull(controller) {
      try {
        const next = await batches.next();
        if (next.done) {
          controller.close();
          await finish(true, null);
          return;
        }
        const records = next.value.map((r) => columns.map((c) => csvCell(r[c])));
        rows += records.length;
        if (records.length)
          send(
            controller,
            stringify(records, { record_delimiter: "\r\n", cast: { boolean: (b) => String(b) } }),
          );
      } catch (e) {
        controller.error(e);
        await finish(false, e instanceof Error ? e.message : String(e));
      }
    },
    async cancel(reason) {
      await batches.return(undefined);
      await finish(false, `cancelled by the client${reason ? `: ${String(reason)}` : ""}`);
    },
  });
  return { filename, logId: log.id, stream, done };
}
