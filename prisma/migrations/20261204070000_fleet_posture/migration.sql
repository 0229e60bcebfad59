-- The fleet's posture per UTC day and ISO week, as the fleet's trend shows it: each cluster's last
-- whole-cluster rollup of the bucket, added up (packages/db/src/queries/trends.ts). A year of the
-- fleet's trend is then a year of these rows instead of every cluster's rollups of the year.
-- A bucket is computed again from PostureRollup whenever a statement inserts, updates or deletes
-- a whole-cluster rollup in it, so it can never drift from what the rollups say. Under READ
-- COMMITTED two clusters' snapshots can write the same bucket at once: each locks the bucket's row
-- in a statement of its own before it sums, so the second waits for the first to commit and then
-- sees its rollup. Buckets are locked days first, then weeks, each in time order.
-- The function bodies are E'' strings with their semicolons written \073 (see 20261121203000).
CREATE TABLE "FleetPosture" (
    "bucket" TEXT NOT NULL,
    "start" TIMESTAMPTZ(3) NOT NULL,
    "clusters" INTEGER NOT NULL,
    "workloads" INTEGER NOT NULL,
    "containers" INTEGER NOT NULL,
    "compliant" INTEGER NOT NULL,
    "byPolicy" JSONB NOT NULL DEFAULT '{}',
    "byPolicySource" JSONB NOT NULL DEFAULT '{}',
    "byTagKind" JSONB NOT NULL DEFAULT '{}',
    "findingsBySeverity" JSONB NOT NULL DEFAULT '{}',
    CONSTRAINT "FleetPosture_pkey" PRIMARY KEY ("bucket", "start"),
    CONSTRAINT "FleetPosture_bucket_check" CHECK ("bucket" IN ('day', 'week'))
);

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "FleetPosture"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();

-- Counts maps ({"Always": 3, ...}) added up key by key.
CREATE FUNCTION pullsight_counts_add(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE
  AS E'SELECT COALESCE(jsonb_object_agg(key, total), \'{}\'::jsonb) FROM (
    SELECT key, sum(value::numeric) AS total
    FROM (SELECT * FROM jsonb_each_text(COALESCE(a, \'{}\')) UNION ALL SELECT * FROM jsonb_each_text(COALESCE(b, \'{}\'))) e
    GROUP BY key
  ) s';

CREATE AGGREGATE pullsight_counts_sum(jsonb) (SFUNC = pullsight_counts_add, STYPE = jsonb, INITCOND = '{}');

-- One bucket computed again: locked first (a statement of its own, so the sum's snapshot is taken
-- after any writer holding it has committed), then each cluster's last whole-cluster rollup in it
-- added up. A bucket no cluster has a rollup in any more is deleted.
CREATE FUNCTION pullsight_fleet_posture_sum(kind text, at timestamptz) RETURNS void LANGUAGE plpgsql
  AS E'DECLARE s timestamptz\073 e timestamptz\073
BEGIN
  s := date_trunc(kind, at AT TIME ZONE \'UTC\') AT TIME ZONE \'UTC\'\073
  e := s + CASE kind WHEN \'day\' THEN interval \'1 day\' ELSE interval \'7 days\' END\073
  INSERT INTO "FleetPosture" (bucket, start, clusters, workloads, containers, compliant)
    VALUES (kind, s, 0, 0, 0, 0) ON CONFLICT DO NOTHING\073
  PERFORM 1 FROM "FleetPosture" WHERE bucket = kind AND start = s FOR UPDATE\073
  UPDATE "FleetPosture" f SET clusters = x.clusters, workloads = x.workloads, containers = x.containers,
    compliant = x.compliant, "byPolicy" = x."byPolicy", "byPolicySource" = x."byPolicySource",
    "byTagKind" = x."byTagKind", "findingsBySeverity" = x."findingsBySeverity"
  FROM (
    SELECT count(*)::int AS clusters, COALESCE(sum(r.workloads), 0)::int AS workloads,
      COALESCE(sum(r.containers), 0)::int AS containers, COALESCE(sum(r.compliant), 0)::int AS compliant,
      pullsight_counts_sum(r."byPolicy") AS "byPolicy", pullsight_counts_sum(r."byPolicySource") AS "byPolicySource",
      pullsight_counts_sum(r."byTagKind") AS "byTagKind", pullsight_counts_sum(r."findingsBySeverity") AS "findingsBySeverity"
    FROM "Cluster" c CROSS JOIN LATERAL (
      SELECT p.workloads, p.containers, p.compliant, p."byPolicy", p."byPolicySource", p."byTagKind", p."findingsBySeverity"
      FROM "PostureRollup" p
      WHERE p."clusterId" = c.id AND p.namespace = \'\' AND p."takenAt" >= s AND p."takenAt" < e
      ORDER BY p."takenAt" DESC, p."snapshotId" DESC LIMIT 1
    ) r
  ) x
  WHERE f.bucket = kind AND f.start = s\073
  DELETE FROM "FleetPosture" WHERE bucket = kind AND start = s AND clusters = 0\073
END';

-- The buckets of a statement's whole-cluster rollups (inserted, deleted, or either side of an
-- update), days first, each in time order.
CREATE FUNCTION pullsight_fleet_posture_rollups() RETURNS trigger LANGUAGE plpgsql
  AS E'DECLARE b record\073
BEGIN
  IF TG_OP = \'UPDATE\' THEN
    FOR b IN SELECT DISTINCT k.kind, date_trunc(k.kind, r."takenAt" AT TIME ZONE \'UTC\') AS local
      FROM (SELECT "takenAt", namespace FROM old_rows UNION ALL SELECT "takenAt", namespace FROM new_rows) r,
        (VALUES (\'day\'), (\'week\')) k(kind)
      WHERE r.namespace = \'\' ORDER BY 1, 2
    LOOP PERFORM pullsight_fleet_posture_sum(b.kind, b.local AT TIME ZONE \'UTC\')\073 END LOOP\073
  ELSE
    FOR b IN SELECT DISTINCT k.kind, date_trunc(k.kind, r."takenAt" AT TIME ZONE \'UTC\') AS local
      FROM changed_rows r, (VALUES (\'day\'), (\'week\')) k(kind)
      WHERE r.namespace = \'\' ORDER BY 1, 2
    LOOP PERFORM pullsight_fleet_posture_sum(b.kind, b.local AT TIME ZONE \'UTC\')\073 END LOOP\073
  END IF\073
  RETURN NULL\073
END';

CREATE FUNCTION pullsight_fleet_posture_truncate() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN DELETE FROM "FleetPosture"\073 RETURN NULL\073 END';

CREATE TRIGGER fleet_posture_insert AFTER INSERT ON "PostureRollup" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_fleet_posture_rollups();
CREATE TRIGGER fleet_posture_update AFTER UPDATE ON "PostureRollup" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_fleet_posture_rollups();
CREATE TRIGGER fleet_posture_delete AFTER DELETE ON "PostureRollup" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_fleet_posture_rollups();
CREATE TRIGGER fleet_posture_truncate AFTER TRUNCATE ON "PostureRollup"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_fleet_posture_truncate();

-- The buckets of the rollups already stored.
SELECT pullsight_fleet_posture_sum(b.kind, b.local AT TIME ZONE 'UTC')
FROM (
  SELECT DISTINCT k.kind, date_trunc(k.kind, r."takenAt" AT TIME ZONE 'UTC') AS local
  FROM "PostureRollup" r, (VALUES ('day'), ('week')) k(kind)
  WHERE r.namespace = ''
  ORDER BY 1, 2
) b;
