-- Kubelet events are lossy (aggregated, rate-limited per object, expiring after an hour): pull
-- events remember which ones client-go's aggregator rewrote, and a daily table per cluster says
-- how many container starts and failing containers the stored events cover (schema.prisma).
ALTER TABLE "PullEvent" ADD COLUMN "aggregated" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "EventCoverageDaily" (
    "clusterId" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "containerStarts" INTEGER NOT NULL DEFAULT 0,
    "startsWithPullEvent" INTEGER NOT NULL DEFAULT 0,
    "failingContainers" INTEGER NOT NULL DEFAULT 0,
    "failingWithEvent" INTEGER NOT NULL DEFAULT 0,
    "aggregatedEvents" INTEGER NOT NULL DEFAULT 0,
    "aggregatedOccurrences" INTEGER NOT NULL DEFAULT 0,
    "coveredUntil" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "EventCoverageDaily_pkey" PRIMARY KEY ("clusterId","day")
);
CREATE INDEX "EventCoverageDaily_day_idx" ON "EventCoverageDaily"("day");

CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "EventCoverageDaily"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "EventCoverageDaily" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "EventCoverageDaily" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "EventCoverageDaily" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
