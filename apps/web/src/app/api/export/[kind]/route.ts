// CSV exports: GET /api/export/{kind}.csv?<the UI's filters> (packages/api/src/export-http.ts).
// Streams from a database cursor; the export log keeps who, when, the filters, the row count and
// the SHA-256 of the bytes sent (exports.log).
import { handleExportRequest } from "@pullsight/api";
import { getDb, getExportPool, identityOf, limits } from "~/server/caller.ts";
import { log } from "~/server/log.ts";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  try {
    return await handleExportRequest(req, {
      db: getDb(),
      pool: getExportPool(),
      user: identityOf(req.headers),
      limits: limits().request,
      exportLimits: limits().exports,
    });
  } catch (error) {
    log().error("export failed", { error });
    return Response.json(
      { error: "internal error: the export could not start; it is logged" },
      { status: 500, headers: { "cache-control": "no-store" } },
    );
  }
}
