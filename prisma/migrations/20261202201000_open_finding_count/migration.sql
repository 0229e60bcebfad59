-- Open findings counted where they are written: one row per (cluster, namespace, rule, severity)
-- with the number of open findings, kept by statement triggers on "Finding" from each statement's
-- transition tables (a row counts while "resolvedAt" IS NULL), so that the fleet, a cluster, its
-- namespaces and the findings list read counts instead of counting tens of thousands of findings,
-- and no writer (the collector, psql, a future one) can leave them stale. Waivers are applied when
-- counts are read (they expire with time): see packages/db/src/queries/open-counts.ts.
-- Trigger function bodies are E'' strings with their semicolons written \073 (see 20261121203000).
CREATE TABLE "OpenFindingCount" (
    "clusterId" INTEGER NOT NULL,
    "namespace" TEXT NOT NULL,
    "ruleId" TEXT NOT NULL,
    "severity" "FindingSeverity" NOT NULL,
    "n" INTEGER NOT NULL,
    CONSTRAINT "OpenFindingCount_pkey" PRIMARY KEY ("clusterId", "namespace", "ruleId", "severity"),
    CONSTRAINT "OpenFindingCount_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE FUNCTION pullsight_count_open_findings() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN
  EXECUTE format(\'INSERT INTO "OpenFindingCount" AS o ("clusterId", namespace, "ruleId", severity, n)
    SELECT "clusterId", namespace, "ruleId", severity, SUM(d)::int FROM (%s) x
    GROUP BY 1, 2, 3, 4 HAVING SUM(d) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("clusterId", namespace, "ruleId", severity) DO UPDATE SET n = o.n + EXCLUDED.n\',
    CASE TG_OP
      WHEN \'INSERT\' THEN \'SELECT "clusterId", namespace, "ruleId", severity, 1 AS d FROM changed_rows WHERE "resolvedAt" IS NULL\'
      WHEN \'DELETE\' THEN \'SELECT "clusterId", namespace, "ruleId", severity, -1 AS d FROM changed_rows WHERE "resolvedAt" IS NULL\'
      ELSE \'SELECT "clusterId", namespace, "ruleId", severity, 1 AS d FROM new_rows WHERE "resolvedAt" IS NULL
        UNION ALL SELECT "clusterId", namespace, "ruleId", severity, -1 FROM old_rows WHERE "resolvedAt" IS NULL\'
    END)\073
  RETURN NULL\073
END';

CREATE TRIGGER open_count_insert AFTER INSERT ON "Finding" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_count_open_findings();
CREATE TRIGGER open_count_update AFTER UPDATE ON "Finding" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_count_open_findings();
CREATE TRIGGER open_count_delete AFTER DELETE ON "Finding" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_count_open_findings();

INSERT INTO "OpenFindingCount" ("clusterId", namespace, "ruleId", severity, n)
  SELECT "clusterId", namespace, "ruleId", severity, COUNT(*)::int FROM "Finding" WHERE "resolvedAt" IS NULL GROUP BY 1, 2, 3, 4;

-- The read cache hears changes to the counts as it hears changes to findings (20261202200000).
CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "OpenFindingCount"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "OpenFindingCount" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "OpenFindingCount" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "OpenFindingCount" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');

-- Open findings in id order (the findings list pages through them), overall and per cluster.
CREATE INDEX "Finding_open_id_idx" ON "Finding"("id") WHERE "resolvedAt" IS NULL;
CREATE INDEX "Finding_open_cluster_id_idx" ON "Finding"("clusterId", "id") WHERE "resolvedAt" IS NULL;
