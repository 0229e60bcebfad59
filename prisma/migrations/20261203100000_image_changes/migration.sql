-- Each change of a running container's image, as the snapshot that saw it recorded it: the
-- rollouts that trends mark, kept apart from ContainerFact so that marking them reads only them.
CREATE TABLE "ImageChange" (
    "id" BIGSERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "workloadId" BIGINT NOT NULL,
    "containerName" TEXT NOT NULL,
    "fromImage" TEXT NOT NULL,
    "toImage" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "snapshotId" BIGINT NOT NULL,
    CONSTRAINT "ImageChange_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ImageChange_at_idx" ON "ImageChange"("at");
CREATE INDEX "ImageChange_clusterId_at_idx" ON "ImageChange"("clusterId", "at");
CREATE INDEX "ImageChange_workloadId_idx" ON "ImageChange"("workloadId");
ALTER TABLE "ImageChange" ADD CONSTRAINT "ImageChange_clusterId_fkey" FOREIGN KEY ("clusterId")
  REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ImageChange" ADD CONSTRAINT "ImageChange_workloadId_fkey" FOREIGN KEY ("workloadId")
  REFERENCES "Workload"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The history already kept: a fact closed by the snapshot that opened its successor, with another image.
INSERT INTO "ImageChange" ("clusterId", "workloadId", "containerName", "fromImage", "toImage", "at", "snapshotId")
SELECT w."clusterId", n."workloadId", n."containerName", p.image, n.image, n."validFrom", n."validFromSnapshot"
FROM "ContainerFact" n
JOIN "ContainerFact" p ON p."workloadId" = n."workloadId" AND p."containerName" = n."containerName"
  AND p."validToSnapshot" = n."validFromSnapshot"
JOIN "Workload" w ON w.id = n."workloadId"
WHERE p.image <> n.image;

CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "ImageChange"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "ImageChange" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "ImageChange" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "ImageChange" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
