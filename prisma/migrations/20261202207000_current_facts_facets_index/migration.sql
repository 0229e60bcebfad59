-- The workloads' filter menus count the current container facts per value of each filter: read
-- from this index alone instead of visiting every current fact's row among all their history
-- (packages/db/src/queries/workloads.ts, getWorkloadFacets).
CREATE INDEX IF NOT EXISTS "ContainerFact_current_facets_idx" ON "ContainerFact"("workloadId")
  INCLUDE ("imagePullPolicy", "policySource", "tagKind", "registry") WHERE "validTo" IS NULL;
