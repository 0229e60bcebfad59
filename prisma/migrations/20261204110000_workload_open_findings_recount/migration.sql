-- Workload."openFindings" (20261204100000_workload_open_findings) counted again instead of added
-- to: the triggers on "Finding" now recount the open findings of each workload a statement touched
-- and write only the counts that differ. The snapshot writer sets a new workload's count when it
-- inserts it (what it is about to open for it), so the first snapshot of a cluster no longer
-- writes every workload twice (an update after the insert, and a dead row for vacuum). A count the
-- writer gets wrong is corrected here, so no writer can leave it stale.
-- The touched workloads are locked in id order by a statement of their own before they are
-- counted: under READ COMMITTED a count taken by the statement that waited for the lock would be
-- as of before the other writer committed.
-- The function body is an E'' string with its semicolons written \073 (see 20261121203000).
CREATE OR REPLACE FUNCTION pullsight_count_workload_findings() RETURNS trigger LANGUAGE plpgsql
  AS E'DECLARE touched bigint[]\073
BEGIN
  EXECUTE format(\'SELECT array_agg(DISTINCT "workloadId" ORDER BY "workloadId") FROM (%s) x WHERE "workloadId" IS NOT NULL\',
    CASE TG_OP
      WHEN \'UPDATE\' THEN \'SELECT "workloadId" FROM new_rows UNION ALL SELECT "workloadId" FROM old_rows\'
      ELSE \'SELECT "workloadId" FROM changed_rows\'
    END) INTO touched\073
  IF touched IS NULL THEN RETURN NULL\073 END IF\073
  PERFORM 1 FROM "Workload" w WHERE w.id = ANY(touched) ORDER BY w.id FOR NO KEY UPDATE\073
  UPDATE "Workload" w SET "openFindings" = c.n
  FROM (
    SELECT x.id, (SELECT COUNT(*)::int FROM "Finding" f WHERE f."workloadId" = x.id AND f."resolvedAt" IS NULL) AS n
    FROM unnest(touched) AS x(id)
  ) c
  WHERE w.id = c.id AND w."openFindings" <> c.n\073
  RETURN NULL\073
END';
