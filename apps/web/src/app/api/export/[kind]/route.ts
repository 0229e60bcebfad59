// CSV exports: GET /api/export/{inventory|findings|pull-events|review}.csv?<the UI's filters>.
// Streams from a database cursor; the export log keeps who, when, the filters, the row count and
// the SHA-256 of the bytes sent (meta.exportLog).
import { EXPORT_KINDS, type ExportKind, startCsvExport } from "@pullsight/api";
import { ZodError, z } from "zod";
import { getDb, getExportPool, identityOf } from "~/server/caller.ts";

export const dynamic = "force-dynamic";

/** Table state in a shared URL that is not a filter. */
const VIEW_PARAMS = new Set(["sort", "order", "cursor", "limit", "page"]);

const problem = (status: number, message: string) =>
  Response.json({ error: message }, { status, headers: { "cache-control": "no-store" } });

export async function GET(req: Request, { params }: { params: Promise<{ kind: string }> }) {
  const kind = (await params).kind.replace(/\.csv$/, "");
  if (!(EXPORT_KINDS as readonly string[]).includes(kind)) return problem(404, `no export named ${kind}`);
  const user = identityOf(req.headers);
  if (!user) return problem(401, "no identity: sign in through the proxy");
  const filters: Record<string, string> = {};
  for (const [k, v] of new URL(req.url).searchParams) if (!VIEW_PARAMS.has(k) && v !== "") filters[k] = v;
  try {
    const out = await startCsvExport({
      db: getDb(),
      pool: getExportPool(),
      kind: kind as ExportKind,
      filters,
      actor: user.name,
    });
    return new Response(out.stream, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${out.filename}"`,
        "cache-control": "no-store",
        "x-pullsight-export-id": String(out.logId),
      },
    });
  } catch (e) {
    if (e instanceof ZodError) return problem(400, z.prettifyError(e));
    if (e instanceof RangeError) return problem(400, e.message);
    throw e;
  }
}
