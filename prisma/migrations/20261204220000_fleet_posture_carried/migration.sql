-- The fleet's day and week carry every cluster's last known posture: a bucket adds up each
-- cluster's last whole-cluster rollup taken before the bucket's end, whether it was taken in the
-- bucket or earlier ("carried"), as the fleet's score card counts every cluster's last snapshot.
-- A bucket that only summed the clusters collected in it dropped a cluster whose collector was
-- behind from the fleet's point, so the trend's "now" disagreed with the card above it. A bucket
-- still exists only while some cluster has a rollup in it.
-- A rollup written, changed or deleted now also changes every later bucket that carries it, so a
-- statement computes again its rollups' buckets and every stored bucket after the earliest of
-- them (in normal operation there is none: snapshots write now). Buckets are still locked days
-- first, then weeks, each in time order.
-- The function bodies are E'' strings with their semicolons written \073 (see 20261121203000).
ALTER TABLE "FleetPosture" ADD COLUMN "carried" INTEGER NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION pullsight_fleet_posture_sum(kind text, at timestamptz) RETURNS void LANGUAGE plpgsql
  AS E'DECLARE s timestamptz\073 e timestamptz\073
BEGIN
  s := date_trunc(kind, at AT TIME ZONE \'UTC\') AT TIME ZONE \'UTC\'\073
  e := s + CASE kind WHEN \'day\' THEN interval \'1 day\' ELSE interval \'7 days\' END\073
  INSERT INTO "FleetPosture" (bucket, start, clusters, workloads, containers, compliant)
    VALUES (kind, s, 0, 0, 0, 0) ON CONFLICT DO NOTHING\073
  PERFORM 1 FROM "FleetPosture" WHERE bucket = kind AND start = s FOR UPDATE\073
  UPDATE "FleetPosture" f SET clusters = x.clusters, carried = x.carried, workloads = x.workloads,
    containers = x.containers, compliant = x.compliant, "byPolicy" = x."byPolicy",
    "byPolicySource" = x."byPolicySource", "byTagKind" = x."byTagKind", "findingsBySeverity" = x."findingsBySeverity"
  FROM (
    SELECT count(*)::int AS clusters, (count(*) FILTER (WHERE r."takenAt" < s))::int AS carried,
      COALESCE(sum(r.workloads), 0)::int AS workloads,
      COALESCE(sum(r.containers), 0)::int AS containers, COALESCE(sum(r.compliant), 0)::int AS compliant,
      pullsight_counts_sum(r."byPolicy") AS "byPolicy", pullsight_counts_sum(r."byPolicySource") AS "byPolicySource",
      pullsight_counts_sum(r."byTagKind") AS "byTagKind", pullsight_counts_sum(r."findingsBySeverity") AS "findingsBySeverity"
    FROM "Cluster" c CROSS JOIN LATERAL (
      SELECT p."takenAt", p.workloads, p.containers, p.compliant, p."byPolicy", p."byPolicySource", p."byTagKind", p."findingsBySeverity"
      FROM "PostureRollup" p
      WHERE p."clusterId" = c.id AND p.namespace = \'\' AND p."takenAt" < e
      ORDER BY p."takenAt" DESC, p."snapshotId" DESC LIMIT 1
    ) r
  ) x
  WHERE f.bucket = kind AND f.start = s\073
  DELETE FROM "FleetPosture" WHERE bucket = kind AND start = s AND clusters = carried\073
END';

-- The buckets of whole-cluster rollups taken at `times`, and every stored bucket after the
-- earliest of them, computed again: days first, then weeks, each in time order.
CREATE FUNCTION pullsight_fleet_posture_from(times timestamptz[]) RETURNS void LANGUAGE plpgsql
  AS E'DECLARE b record\073
BEGIN
  FOR b IN
    WITH touched AS (
      SELECT DISTINCT k.kind, date_trunc(k.kind, t AT TIME ZONE \'UTC\') AS local
      FROM unnest(times) t, (VALUES (\'day\'), (\'week\')) k(kind)
    )
    SELECT kind, local FROM touched
    UNION
    SELECT f.bucket, f.start AT TIME ZONE \'UTC\' FROM "FleetPosture" f
    WHERE f.start AT TIME ZONE \'UTC\' > (SELECT min(local) FROM touched WHERE touched.kind = f.bucket)
    ORDER BY 1, 2
  LOOP PERFORM pullsight_fleet_posture_sum(b.kind, b.local AT TIME ZONE \'UTC\')\073 END LOOP\073
END';

CREATE OR REPLACE FUNCTION pullsight_fleet_posture_rollups() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN
  IF TG_OP = \'UPDATE\' THEN
    PERFORM pullsight_fleet_posture_from(ARRAY(
      SELECT "takenAt" FROM old_rows WHERE namespace = \'\' UNION SELECT "takenAt" FROM new_rows WHERE namespace = \'\'))\073
  ELSE
    PERFORM pullsight_fleet_posture_from(ARRAY(SELECT "takenAt" FROM changed_rows WHERE namespace = \'\'))\073
  END IF\073
  RETURN NULL\073
END';

-- The buckets stored so far, computed again as carried.
SELECT pullsight_fleet_posture_from(ARRAY(SELECT DISTINCT "takenAt" FROM "PostureRollup" WHERE namespace = ''));
