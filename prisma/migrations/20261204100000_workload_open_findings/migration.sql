-- Each workload's open findings (waived included), kept on the workload where the findings are
-- written, so that "most findings first" (the workloads list sorted by findings, the fleet page's
-- worst workloads) walks an index in that order and stops at the page instead of counting every
-- open finding of the fleet to rank it. Waivers are subtracted when read (they expire with time):
-- see the findings sort in packages/db/src/queries/workloads.ts.
-- Kept by statement triggers on "Finding" from each statement's transition tables (a finding
-- counts while "resolvedAt" IS NULL), like "OpenFindingCount", so no writer can leave it stale.
-- The touched workloads are locked in id order before they are updated, so that two writers
-- (a snapshot and the event watch) lock them in the same order. The triggers are named to fire
-- before the open-count triggers (same-event triggers fire in name order): every writer then locks
-- workloads before counts.
-- The function body is an E'' string with its semicolons written \073 (see 20261121203000).
ALTER TABLE "Workload" ADD COLUMN "openFindings" INTEGER NOT NULL DEFAULT 0;

CREATE FUNCTION pullsight_count_workload_findings() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN
  EXECUTE format(\'WITH delta AS MATERIALIZED (
      SELECT "workloadId" AS id, SUM(d)::int AS n FROM (%s) x WHERE "workloadId" IS NOT NULL
      GROUP BY 1 HAVING SUM(d) <> 0),
    locked AS MATERIALIZED (
      SELECT w.id FROM "Workload" w WHERE w.id IN (SELECT id FROM delta) ORDER BY w.id FOR NO KEY UPDATE)
    UPDATE "Workload" w SET "openFindings" = w."openFindings" + delta.n
    FROM delta JOIN locked l ON l.id = delta.id WHERE w.id = delta.id\',
    CASE TG_OP
      WHEN \'INSERT\' THEN \'SELECT "workloadId", 1 AS d FROM changed_rows WHERE "resolvedAt" IS NULL\'
      WHEN \'DELETE\' THEN \'SELECT "workloadId", -1 AS d FROM changed_rows WHERE "resolvedAt" IS NULL\'
      ELSE \'SELECT "workloadId", 1 AS d FROM new_rows WHERE "resolvedAt" IS NULL
        UNION ALL SELECT "workloadId", -1 FROM old_rows WHERE "resolvedAt" IS NULL\'
    END)\073
  RETURN NULL\073
END';

CREATE TRIGGER finding_workload_count_insert AFTER INSERT ON "Finding" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_count_workload_findings();
CREATE TRIGGER finding_workload_count_update AFTER UPDATE ON "Finding" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_count_workload_findings();
CREATE TRIGGER finding_workload_count_delete AFTER DELETE ON "Finding" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_count_workload_findings();

UPDATE "Workload" w SET "openFindings" = o.n
FROM (SELECT "workloadId" AS id, COUNT(*)::int AS n FROM "Finding" WHERE "resolvedAt" IS NULL AND "workloadId" IS NOT NULL GROUP BY 1) o
WHERE w.id = o.id;

-- Live workloads by most open findings, in the fleet and in one cluster.
CREATE INDEX "Workload_open_findings_idx" ON "Workload"("openFindings" DESC, "id" DESC) WHERE "deletedAt" IS NULL;
CREATE INDEX "Workload_cluster_open_findings_idx" ON "Workload"("clusterId", "openFindings" DESC, "id" DESC) WHERE "deletedAt" IS NULL;
