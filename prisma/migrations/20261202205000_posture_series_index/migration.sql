-- A cluster's posture series (trends, the review's score) is read from this index alone: the
-- whole-cluster rollups are a small part of the table, scattered among the namespaces' rows, and
-- reading them from the heap visited a page per point (packages/db/src/queries/trends.ts).
CREATE INDEX IF NOT EXISTS "PostureRollup_cluster_series_idx" ON "PostureRollup"("clusterId", "takenAt")
  INCLUDE ("snapshotId", "workloads", "containers", "compliant", "byPolicy", "byPolicySource", "byTagKind", "findingsBySeverity")
  WHERE "namespace" = '';
