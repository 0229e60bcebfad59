-- Each cluster's live containers counted by the workload list's facets (namespace, kind, pull
-- policy, policy source, tag kind, registry), kept by the snapshot step with the image inventory
-- (packages/db/src/ingest/steps/container-facets.ts): the list's filters read one row per cluster
-- instead of grouping every current container of the fleet.
CREATE TABLE "ContainerFacets" (
    "clusterId" INTEGER NOT NULL,
    "counts" JSONB NOT NULL,
    CONSTRAINT "ContainerFacets_pkey" PRIMARY KEY ("clusterId")
);
ALTER TABLE "ContainerFacets" ADD CONSTRAINT "ContainerFacets_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

INSERT INTO "ContainerFacets" ("clusterId", counts)
SELECT "clusterId", jsonb_object_agg(facet, vals)
FROM (
  SELECT "clusterId", facet, jsonb_object_agg(value, n) AS vals
  FROM (
    SELECT wl."clusterId",
      CASE WHEN GROUPING(wl.namespace) = 0 THEN 'namespace' WHEN GROUPING(wl.kind) = 0 THEN 'kind'
        WHEN GROUPING(cf."imagePullPolicy") = 0 THEN 'policy' WHEN GROUPING(cf."policySource") = 0 THEN 'policySource'
        WHEN GROUPING(cf."tagKind") = 0 THEN 'tagKind' ELSE 'registry' END AS facet,
      COALESCE(wl.namespace, wl.kind, cf."imagePullPolicy", cf."policySource", cf."tagKind", cf.registry) AS value,
      COUNT(*)::int AS n
    FROM "ContainerFact" cf JOIN "Workload" wl ON wl.id = cf."workloadId" AND wl."deletedAt" IS NULL
    WHERE cf."validTo" IS NULL
    GROUP BY GROUPING SETS ((wl."clusterId", wl.namespace), (wl."clusterId", wl.kind), (wl."clusterId", cf."imagePullPolicy"),
      (wl."clusterId", cf."policySource"), (wl."clusterId", cf."tagKind"), (wl."clusterId", cf.registry))
  ) x
  WHERE value IS NOT NULL
  GROUP BY 1, 2
) y
GROUP BY 1;

CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "ContainerFacets"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "ContainerFacets" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "ContainerFacets" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "ContainerFacets" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
