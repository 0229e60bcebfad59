import { getDb } from "~/server/caller.ts";

export const dynamic = "force-dynamic";

/** Liveness and database reachability, for the launcher and for probes. */
export async function GET() {
  try {
    await getDb().$queryRaw`select 1`;
    return Response.json({ ok: true });
  } catch (error) {
    return Response.json(
      { ok: false, error: error instanceof Error ? error.message : String(error) },
      { status: 503 },
    );
  }
}
