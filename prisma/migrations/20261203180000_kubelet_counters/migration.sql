-- Kubelet counters per node and UTC day (growth between readings, restarts handled), their sum
-- per cluster and day, and each node's last reading (schema.prisma).
CREATE TABLE "KubeletReading" (
    "clusterId" INTEGER NOT NULL,
    "node" TEXT NOT NULL,
    "readAt" TIMESTAMPTZ(3) NOT NULL,
    "startTime" DOUBLE PRECISION,
    "counters" JSONB NOT NULL,
    CONSTRAINT "KubeletReading_pkey" PRIMARY KEY ("clusterId","node")
);

CREATE TABLE "KubeletNodeDay" (
    "clusterId" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "node" TEXT NOT NULL,
    "counters" JSONB NOT NULL DEFAULT '{}',
    "readings" INTEGER NOT NULL DEFAULT 0,
    "resets" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "KubeletNodeDay_pkey" PRIMARY KEY ("clusterId","day","node")
);

CREATE TABLE "KubeletClusterDay" (
    "clusterId" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "counters" JSONB NOT NULL DEFAULT '{}',
    "nodes" INTEGER NOT NULL DEFAULT 0,
    "resets" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "KubeletClusterDay_pkey" PRIMARY KEY ("clusterId","day")
);
CREATE INDEX "KubeletClusterDay_day_idx" ON "KubeletClusterDay"("day");

CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "KubeletReading"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "KubeletReading" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "KubeletReading" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "KubeletReading" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');

CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "KubeletNodeDay"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "KubeletNodeDay" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "KubeletNodeDay" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "KubeletNodeDay" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');

CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "KubeletClusterDay"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "KubeletClusterDay" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "KubeletClusterDay" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "KubeletClusterDay" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
