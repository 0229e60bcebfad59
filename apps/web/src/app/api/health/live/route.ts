export const dynamic = "force-dynamic";

/**
 * Liveness: the process answers. It asks nothing of the database, so an outage of PostgreSQL
 * takes replicas out of the Service (readiness, /api/health) without restarting them.
 */
export function GET() {
  return Response.json({ ok: true });
}
