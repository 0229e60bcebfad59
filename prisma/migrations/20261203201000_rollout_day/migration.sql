-- Workloads rolled out per cluster and UTC day (distinct workloads with an ImageChange that day),
-- written by the snapshot step that records the changes, so that the trend marks rank days by
-- reading one row per cluster and day instead of counting every change of the range.
CREATE TABLE "RolloutDay" (
    "clusterId" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "workloads" INTEGER NOT NULL,
    CONSTRAINT "RolloutDay_pkey" PRIMARY KEY ("clusterId","day")
);
CREATE INDEX "RolloutDay_day_idx" ON "RolloutDay"("day");
ALTER TABLE "RolloutDay" ADD CONSTRAINT "RolloutDay_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

INSERT INTO "RolloutDay" ("clusterId", "day", "workloads")
SELECT "clusterId", (at AT TIME ZONE 'UTC')::date, COUNT(DISTINCT "workloadId")::int
FROM "ImageChange" GROUP BY 1, 2;

CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "RolloutDay"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "RolloutDay" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "RolloutDay" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "RolloutDay" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
