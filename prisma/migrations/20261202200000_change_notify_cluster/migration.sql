-- The change notification also names the cluster whose rows changed ("Finding:3"), so that the
-- read cache forgets only the answers about that cluster and the fleet's: one cluster's snapshot
-- no longer empties another cluster's drill-downs (packages/api/src/read-cache.ts). The clusters
-- are read from the statement's transition tables, by a query given as the trigger's argument
-- (packages/db/src/tables.ts lists it per table). A changed row whose cluster cannot be found (its
-- workload deleted by the same cascade) notifies the whole table, as TRUNCATE does.
-- The function body is an E'' string with its semicolons written \073 (see 20261121203000).
CREATE FUNCTION pullsight_notify_cluster_change() RETURNS trigger LANGUAGE plpgsql
  AS E'DECLARE cid int\073 rows_of text\073
BEGIN
  rows_of := CASE TG_OP WHEN \'UPDATE\' THEN \'(SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows)\' ELSE \'changed_rows\' END\073
  FOR cid IN EXECUTE format(TG_ARGV[0], rows_of) LOOP
    PERFORM pg_notify(\'pullsight_changed\', CASE WHEN cid IS NULL THEN TG_TABLE_NAME ELSE TG_TABLE_NAME || \':\' || cid END)\073
  END LOOP\073
  RETURN NULL\073
END';

DROP TRIGGER pullsight_changed ON "Cluster";
CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "Cluster"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "Cluster" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r.id FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "Cluster" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r.id FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "Cluster" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r.id FROM %s r');

DROP TRIGGER pullsight_changed ON "Snapshot";
CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "Snapshot"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "Snapshot" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "Snapshot" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "Snapshot" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');

DROP TRIGGER pullsight_changed ON "Workload";
CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "Workload"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "Workload" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "Workload" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "Workload" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');

DROP TRIGGER pullsight_changed ON "Finding";
CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "Finding"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "Finding" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "Finding" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "Finding" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');

DROP TRIGGER pullsight_changed ON "PullEvent";
CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "PullEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "PullEvent" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "PullEvent" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "PullEvent" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');

DROP TRIGGER pullsight_changed ON "PostureRollup";
CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "PostureRollup"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "PostureRollup" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "PostureRollup" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "PostureRollup" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');

DROP TRIGGER pullsight_changed ON "PullLatencyDaily";
CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "PullLatencyDaily"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "PullLatencyDaily" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "PullLatencyDaily" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "PullLatencyDaily" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');

DROP TRIGGER pullsight_changed ON "Namespace";
CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "Namespace"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "Namespace" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "Namespace" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "Namespace" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');

DROP TRIGGER pullsight_changed ON "ContainerFact";
CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "ContainerFact"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "ContainerFact" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT w."clusterId" FROM %s r LEFT JOIN "Workload" w ON w.id = r."workloadId"');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "ContainerFact" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT w."clusterId" FROM %s r LEFT JOIN "Workload" w ON w.id = r."workloadId"');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "ContainerFact" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT w."clusterId" FROM %s r LEFT JOIN "Workload" w ON w.id = r."workloadId"');

DROP TRIGGER pullsight_changed ON "RunningImage";
CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "RunningImage"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "RunningImage" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT w."clusterId" FROM %s r LEFT JOIN "Workload" w ON w.id = r."workloadId"');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "RunningImage" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT w."clusterId" FROM %s r LEFT JOIN "Workload" w ON w.id = r."workloadId"');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "RunningImage" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT w."clusterId" FROM %s r LEFT JOIN "Workload" w ON w.id = r."workloadId"');

DROP TRIGGER pullsight_changed ON "FindingEvidence";
CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "FindingEvidence"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "FindingEvidence" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT s."clusterId" FROM %s r LEFT JOIN "Snapshot" s ON s.id = r."snapshotId"');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "FindingEvidence" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT s."clusterId" FROM %s r LEFT JOIN "Snapshot" s ON s.id = r."snapshotId"');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "FindingEvidence" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT s."clusterId" FROM %s r LEFT JOIN "Snapshot" s ON s.id = r."snapshotId"');
