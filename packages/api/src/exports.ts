// CSV exports for audits, streamed: rows come from a database cursor in batches (memory stays
// flat), each batch is formatted as RFC 4180 (CRLF, UTF-8: csvRecord writes exactly what
// csv-stringify writes, a property test holds it to that) and hashed as it is sent; the export
// log records who, when, the filters, the row count and the SHA-256 of exactly the bytes sent.
// Cells a spreadsheet would execute are neutralised with a leading apostrophe (csv.ts).
import { createHash } from "node:crypto";
import { RULES_VERSION } from "@pullsight/core";
import { type Db, finishExportLog, startExportLog } from "@pullsight/db";
import type pg from "pg";
import { csvCell, csvRecord } from "./csv.ts";
import { EXPORT_COLUMNS, type ExportKind, exportBatches, exportFilters } from "./export-kinds.ts";

export { EXPORT_COLUMNS, EXPORT_KINDS, type ExportKind, exportFilters } from "./export-kinds.ts";

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
  const logId = await startExportLog(opts.db, {
    kind: opts.kind,
    actor: opts.actor,
    startedAt: now,
    filters: { ...filters, rulesVersion: RULES_VERSION },
    filename,
  });
  const batches = exportBatches(opts.kind, opts, filters, now);
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
    await finishExportLog(opts.db, logId, { rows, bytes, sha256, completed, error });
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
        let next = pending ?? (await batches.next());
        pending = null;
        // An empty batch enqueues nothing, and a pull that enqueues nothing is not pulled again.
        while (!next.done && next.value.length === 0) next = await batches.next();
        if (next.done) {
          // Logged before the end reaches the client: whoever has read the whole file finds it
          // logged as completed, with its hash.
          try {
            await finish(true, null);
          } finally {
            controller.close();
          }
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
  return { filename, logId, stream, done };
}
