// The cluster's live containers counted by the workload list's facets (ContainerFacets), recounted
// with the image inventory whenever a snapshot changed workloads or container facts, and written
// only when a count moved.
import type { StepContext } from "./context.ts";

/** Facet → value → containers, of the cluster $1. */
export const FACET_COUNTS = `
  SELECT COALESCE(jsonb_object_agg(facet, vals), '{}'::jsonb) AS counts
  FROM (
    SELECT facet, jsonb_object_agg(value, n) AS vals
    FROM (
      SELECT CASE WHEN GROUPING(wl.namespace) = 0 THEN 'namespace' WHEN GROUPING(wl.kind) = 0 THEN 'kind'
          WHEN GROUPING(cf."imagePullPolicy") = 0 THEN 'policy' WHEN GROUPING(cf."policySource") = 0 THEN 'policySource'
          WHEN GROUPING(cf."tagKind") = 0 THEN 'tagKind' ELSE 'registry' END AS facet,
        COALESCE(wl.namespace, wl.kind, cf."imagePullPolicy", cf."policySource", cf."tagKind", cf.registry) AS value,
        COUNT(*)::int AS n
      FROM "ContainerFact" cf JOIN "Workload" wl ON wl.id = cf."workloadId" AND wl."deletedAt" IS NULL
      WHERE wl."clusterId" = $1 AND cf."validTo" IS NULL
      GROUP BY GROUPING SETS ((wl.namespace), (wl.kind), (cf."imagePullPolicy"), (cf."policySource"), (cf."tagKind"),
        (cf.registry))
    ) x
    WHERE value IS NOT NULL
    GROUP BY facet
  ) y`;

/** The cluster's facet counts brought up to date; returns the rows it wrote (0 or 1). */
export async function writeContainerFacets({ c, clusterId }: StepContext): Promise<number> {
  const r = await c.query(
    `INSERT INTO "ContainerFacets" ("clusterId", counts) SELECT $1, counts FROM (${FACET_COUNTS}) f
     ON CONFLICT ("clusterId") DO UPDATE SET counts = EXCLUDED.counts
     WHERE "ContainerFacets".counts IS DISTINCT FROM EXCLUDED.counts`,
    [clusterId],
  );
  return r.rowCount ?? 0;
}
