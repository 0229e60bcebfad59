import { getDb } from "~/server/caller.ts";

export const dynamic = "force-dynamic";

/** Readiness: the database answers (the launcher waits for it; probes take a replica out while it does not). */
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
