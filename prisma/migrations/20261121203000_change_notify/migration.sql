-- Every committed change to a table sends NOTIFY pullsight_changed (PostgreSQL delivers it at
-- commit, once per transaction): the API's read cache listens and forgets its answers
-- (packages/api/src/read-cache.ts). A table added later needs the same trigger (a test checks).
-- Prisma's pg adapter runs a migration split at every semicolon, comments and strings included,
-- so only statements end in one: the function body is an E'' string with its semicolons written \073.
CREATE FUNCTION pullsight_notify_change() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN PERFORM pg_notify(\'pullsight_changed\', \'\')\073 RETURN NULL\073 END';

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Cluster"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Snapshot"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Workload"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ContainerFact"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "RunningImage"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Finding"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "PullEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "PostureRollup"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "PullLatencyDaily"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Namespace"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Waiver"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Review"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ExportLog"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
