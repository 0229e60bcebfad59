// CSV exports over HTTP: GET /api/export/{kind}.csv?<the UI's filters>, what the web app's
// export route serves. Every refusal is decided before a byte of the body is sent: a bad filter
// or one naming nothing is 400 with the reason, no identity 401, busy export connections 503
// with Retry-After; a 200 is a whole file or a connection cut by the client's own stall.
import { type Db, ExportPoolBusyError } from "@pullsight/db";
import type pg from "pg";
import { ZodError, z } from "zod";
import { type CsvExport, EXPORT_KINDS, type ExportKind, startCsvExport } from "./exports.ts";
import type { Identity } from "./identity.ts";
import {
  DEFAULT_EXPORT_LIMITS,
  DEFAULT_LIMITS,
  type ExportLimits,
  type RequestLimits,
  unsafeInput,
} from "./limits.ts";
import { apiMetrics } from "./metrics.ts";

export interface ExportHttpOptions {
  db: Db;
  pool: pg.Pool;
  user: Identity | null;
  limits?: RequestLimits;
  exportLimits?: ExportLimits;
  now?: Date;
  batchSize?: number;
}

/** Table state in a shared URL that is not a filter. */
const VIEW_PARAMS = new Set(["sort", "order", "cursor", "limit", "page"]);

const problem = (status: number, message: string, headers: Record<string, string> = {}) =>
  Response.json({ error: message }, { status, headers: { "cache-control": "no-store", ...headers } });

/** The export a URL names (`/api/export/findings.csv` → findings), as sent. */
const namedKind = (url: URL) => decodeURIComponent(url.pathname.split("/").pop() ?? "").replace(/\.csv$/, "");
const isKind = (kind: string): kind is ExportKind => (EXPORT_KINDS as readonly string[]).includes(kind);

/** Serves one export, counting it by kind and outcome (metrics.ts). */
export async function handleExportRequest(req: Request, opts: ExportHttpOptions): Promise<Response> {
  const named = namedKind(new URL(req.url));
  // A kind that is not one is counted as "unknown": its name is whatever the client sent.
  const kind = isKind(named) ? named : "unknown";
  let started: Awaited<ReturnType<typeof startExport>>;
  try {
    started = await startExport(req, opts);
  } catch (error) {
    apiMetrics().observeExport(kind, "failed");
    throw error;
  }
  if (!(started instanceof Response)) {
    started.done.then(
      (d) => apiMetrics().observeExport(kind, d.completed ? "completed" : "cut", d),
      () => apiMetrics().observeExport(kind, "failed"),
    );
    return started.response;
  }
  if (started.status >= 400) apiMetrics().observeExport(kind, refusal(started.status));
  return started;
}

const refusal = (status: number) =>
  status === 503 ? "busy" : status >= 500 ? "failed" : `refused_${status}`;

async function startExport(
  req: Request,
  opts: ExportHttpOptions,
): Promise<Response | { response: Response; done: CsvExport["done"] }> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const exportLimits = opts.exportLimits ?? DEFAULT_EXPORT_LIMITS;
  if (req.url.length > limits.urlChars)
    return problem(414, `the URL is longer than ${limits.urlChars} characters`);
  const url = new URL(req.url);
  const kind = namedKind(url);
  if (!isKind(kind))
    return problem(404, `no export named ${kind.slice(0, 64)}; the exports are ${EXPORT_KINDS.join(", ")}`);
  if (!opts.user) return problem(401, "no identity: sign in through the proxy");
  const filters: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (!VIEW_PARAMS.has(k) && v !== "") filters[k] = v;
  const unsafe = unsafeInput(filters, limits, "a filter");
  if (unsafe) return problem(400, unsafe);
  try {
    const out = await startCsvExport({
      db: opts.db,
      pool: opts.pool,
      kind,
      filters,
      actor: opts.user.name,
      idleMs: exportLimits.idleMs,
      ...(opts.now ? { now: opts.now } : {}),
      ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
    });
    const response = new Response(out.stream, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${out.filename}"`,
        "cache-control": "no-store",
        "x-pullsight-export-id": String(out.logId),
      },
    });
    return { response, done: out.done };
  } catch (e) {
    if (e instanceof ZodError) return problem(400, z.prettifyError(e));
    if (e instanceof RangeError) return problem(400, e.message);
    if (e instanceof ExportPoolBusyError)
      return problem(503, e.message, { "retry-after": String(Math.ceil(exportLimits.waitMs / 1000)) });
    throw e;
  }
}
