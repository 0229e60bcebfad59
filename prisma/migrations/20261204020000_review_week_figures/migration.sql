-- An ended week's review figures for a scope, kept once computed (packages/db/src/queries/
-- review-figures.ts): the fleet's review reads ~50,000 findings four ways, and an ended week
-- changes only through late evidence, an owner, profile or cluster name, or a waiver.
-- The triggers below forget exactly the kept weeks such a change can touch. A change whose times
-- all fall in the current week (the collector's usual writes: findings first seen or resolved now)
-- touches no ended week and costs one aggregate over the statement's rows.
-- The function bodies are E'' strings with their semicolons written \073 (see 20261121203000).
CREATE TABLE "ReviewWeekFigures" (
    "week" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "weekStart" TIMESTAMPTZ(3) NOT NULL,
    "weekEnd" TIMESTAMPTZ(3) NOT NULL,
    "figures" JSONB NOT NULL,
    "computedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ReviewWeekFigures_pkey" PRIMARY KEY ("week", "scope")
);

CREATE TABLE "ReviewFiguresEpoch" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "n" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "ReviewFiguresEpoch_pkey" PRIMARY KEY ("id")
);
INSERT INTO "ReviewFiguresEpoch" (id, n) VALUES (1, 0);

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ReviewWeekFigures"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ReviewFiguresEpoch"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();

-- Forgets the kept weeks that end after lo and start at or before hi, when lo is before the
-- current week (the database's clock): a later change cannot touch an ended week. The epoch is
-- raised first, and its row stays locked until the change commits, so figures being computed
-- meanwhile are not kept.
CREATE FUNCTION pullsight_review_figures_forget(lo timestamptz, hi timestamptz) RETURNS void LANGUAGE plpgsql
  AS E'BEGIN
  IF lo IS NULL OR lo >= date_trunc(\'week\', now() AT TIME ZONE \'UTC\') AT TIME ZONE \'UTC\' THEN RETURN\073 END IF\073
  UPDATE "ReviewFiguresEpoch" SET n = n + 1 WHERE id = 1\073
  DELETE FROM "ReviewWeekFigures" WHERE "weekEnd" > lo AND "weekStart" <= hi\073
END';

-- Every kept week: for a change to what groups or filters every week (owners, profiles, cluster
-- names, waivers, workload names), or a truncation.
CREATE FUNCTION pullsight_review_figures_all() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN PERFORM pullsight_review_figures_forget(\'-infinity\', \'infinity\')\073 RETURN NULL\073 END';

-- As above, when the statement changed any row.
CREATE FUNCTION pullsight_review_figures_rows() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN
  IF EXISTS (SELECT 1 FROM changed_rows) THEN PERFORM pullsight_review_figures_forget(\'-infinity\', \'infinity\')\073 END IF\073
  RETURN NULL\073
END';

-- Findings: a row touches the weeks from when it was first seen (or resolved, whichever is
-- earlier) to when it was resolved (or for ever). An update that changes only the resolution
-- touches the weeks between the two resolution times, and one that changes nothing the review
-- reads (evidence, confirmations, clearing state) touches none.
CREATE FUNCTION pullsight_review_figures_finding() RETURNS trigger LANGUAGE plpgsql
  AS E'DECLARE lo timestamptz\073 hi timestamptz\073
BEGIN
  IF TG_OP = \'UPDATE\' THEN
    SELECT min(CASE WHEN x.other THEN LEAST(x.fo, x.fn, x.ro, x.rn) ELSE LEAST(x.ro, x.rn) END),
      max(CASE WHEN x.other THEN GREATEST(x.fo, x.fn, COALESCE(x.ro, \'infinity\'), COALESCE(x.rn, \'infinity\'))
        ELSE GREATEST(COALESCE(x.ro, \'infinity\'), COALESCE(x.rn, \'infinity\')) END)
    INTO lo, hi
    FROM (
      SELECT COALESCE(o."firstSeenAt", o."openedAt") AS fo, COALESCE(n."firstSeenAt", n."openedAt") AS fn,
        o."resolvedAt" AS ro, n."resolvedAt" AS rn,
        (o."clusterId", o."workloadId", o.namespace, o."containerName", o."ruleId", o.severity, o.image, o."openedAt", o."firstSeenAt")
          IS DISTINCT FROM
        (n."clusterId", n."workloadId", n.namespace, n."containerName", n."ruleId", n.severity, n.image, n."openedAt", n."firstSeenAt") AS other
      FROM old_rows o JOIN new_rows n ON n.id = o.id
    ) x
    WHERE x.other OR x.ro IS DISTINCT FROM x.rn\073
  ELSE
    SELECT min(LEAST(COALESCE(r."firstSeenAt", r."openedAt"), r."resolvedAt")),
      max(GREATEST(COALESCE(r."firstSeenAt", r."openedAt"), COALESCE(r."resolvedAt", \'infinity\')))
    INTO lo, hi FROM changed_rows r\073
  END IF\073
  PERFORM pullsight_review_figures_forget(lo, hi)\073
  RETURN NULL\073
END';

CREATE TRIGGER review_figures_insert AFTER INSERT ON "Finding" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_review_figures_finding();
CREATE TRIGGER review_figures_update AFTER UPDATE ON "Finding" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_review_figures_finding();
CREATE TRIGGER review_figures_delete AFTER DELETE ON "Finding" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_review_figures_finding();
CREATE TRIGGER review_figures_truncate AFTER TRUNCATE ON "Finding"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_review_figures_all();

-- Namespaces: an owner or profile that changed, or a namespace that appeared or went (its
-- findings change team).
CREATE FUNCTION pullsight_review_figures_namespace() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN
  IF EXISTS (
    SELECT 1 FROM new_rows n LEFT JOIN old_rows o ON o."clusterId" = n."clusterId" AND o.name = n.name
    WHERE o.name IS NULL OR (o.owner, o.profile) IS DISTINCT FROM (n.owner, n.profile)
  ) THEN PERFORM pullsight_review_figures_forget(\'-infinity\', \'infinity\')\073 END IF\073
  RETURN NULL\073
END';
CREATE TRIGGER review_figures_update AFTER UPDATE ON "Namespace" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_review_figures_namespace();
CREATE TRIGGER review_figures_insert AFTER INSERT ON "Namespace" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_review_figures_rows();
CREATE TRIGGER review_figures_delete AFTER DELETE ON "Namespace" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_review_figures_rows();
CREATE TRIGGER review_figures_truncate AFTER TRUNCATE ON "Namespace"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_review_figures_all();

-- Clusters: a name that changed (scopes and waivers name clusters). A deleted cluster's findings
-- go with it, through the findings' trigger.
CREATE FUNCTION pullsight_review_figures_cluster() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN
  IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.name IS DISTINCT FROM n.name)
  THEN PERFORM pullsight_review_figures_forget(\'-infinity\', \'infinity\')\073 END IF\073
  RETURN NULL\073
END';
CREATE TRIGGER review_figures_update AFTER UPDATE ON "Cluster" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_review_figures_cluster();

-- Waivers: any change (the actions leave waived findings out).
CREATE TRIGGER review_figures_insert AFTER INSERT ON "Waiver" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_review_figures_rows();
CREATE TRIGGER review_figures_update AFTER UPDATE ON "Waiver" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_review_figures_rows();
CREATE TRIGGER review_figures_delete AFTER DELETE ON "Waiver" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_review_figures_rows();
CREATE TRIGGER review_figures_truncate AFTER TRUNCATE ON "Waiver"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_review_figures_all();

-- Workloads: a waiver matches a workload by kind and name, which the collector never rewrites.
CREATE TRIGGER review_figures_update AFTER UPDATE OF kind, name ON "Workload"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_review_figures_all();
