// Prometheus metrics of this web process (packages/api/src/metrics.ts): request latency by route
// and procedure, exports, the read cache, database pools, and Node's own. Scraped per replica:
// each counts what it served. Labels name routes, procedures, kinds and outcomes only.
import { apiMetrics } from "@pullsight/api";
import { getDb, getExportPool, getReadCache } from "~/server/caller.ts";

export const dynamic = "force-dynamic";

export async function GET() {
  // The pools and the cache exist from the first scrape, not from the first page view.
  getDb();
  getExportPool();
  await getReadCache();
  const metrics = apiMetrics();
  return new Response(await metrics.registry.metrics(), {
    headers: { "content-type": metrics.registry.contentType, "cache-control": "no-store" },
  });
}
