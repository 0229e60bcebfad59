// The tables a read can depend on, by their PostgreSQL names: the read cache forgets an answer
// when one of the tables it read changes (the change trigger names the table). A test checks
// this list against the database.
export const TABLES = [
  "Cluster",
  "Snapshot",
  "Workload",
  "ContainerFact",
  "RunningImage",
  "Finding",
  "FindingEvidence",
  "OpenFindingCount",
  "PullEvent",
  "PostureRollup",
  "FleetPosture",
  "PullLatencyDaily",
  "EventCoverageDaily",
  "KubeletReading",
  "KubeletNodeDay",
  "KubeletClusterDay",
  "Namespace",
  "Waiver",
  "Review",
  "ExportLog",
  "Delivery",
  "RegistryAnswer",
  "RegistryAnswerChange",
  "RegistryProbeRound",
  "ImageChange",
  "RolloutDay",
  "ImageUse",
  "ImageDigestUse",
  "ContainerFacets",
  "ReviewWeekFigures",
] as const;
export type Table = (typeof TABLES)[number];

/**
 * How each table's change trigger finds the clusters whose rows a statement changed (`%s`: the
 * statement's changed rows), so that the read cache forgets only those clusters' answers and the
 * fleet's (migration 20261202200000_change_notify_cluster; a test checks the triggers against this).
 * A table not listed notifies only its name: every answer that read it is forgotten.
 */
export const CLUSTER_OF: Partial<Record<Table, string>> = {
  Cluster: "SELECT DISTINCT r.id FROM %s r",
  Snapshot: 'SELECT DISTINCT r."clusterId" FROM %s r',
  Workload: 'SELECT DISTINCT r."clusterId" FROM %s r',
  Finding: 'SELECT DISTINCT r."clusterId" FROM %s r',
  OpenFindingCount: 'SELECT DISTINCT r."clusterId" FROM %s r',
  PullEvent: 'SELECT DISTINCT r."clusterId" FROM %s r',
  PostureRollup: 'SELECT DISTINCT r."clusterId" FROM %s r',
  PullLatencyDaily: 'SELECT DISTINCT r."clusterId" FROM %s r',
  EventCoverageDaily: 'SELECT DISTINCT r."clusterId" FROM %s r',
  KubeletReading: 'SELECT DISTINCT r."clusterId" FROM %s r',
  KubeletNodeDay: 'SELECT DISTINCT r."clusterId" FROM %s r',
  KubeletClusterDay: 'SELECT DISTINCT r."clusterId" FROM %s r',
  Namespace: 'SELECT DISTINCT r."clusterId" FROM %s r',
  ContainerFact: 'SELECT DISTINCT w."clusterId" FROM %s r LEFT JOIN "Workload" w ON w.id = r."workloadId"',
  RunningImage: 'SELECT DISTINCT w."clusterId" FROM %s r LEFT JOIN "Workload" w ON w.id = r."workloadId"',
  FindingEvidence: 'SELECT DISTINCT s."clusterId" FROM %s r LEFT JOIN "Snapshot" s ON s.id = r."snapshotId"',
  ImageChange: 'SELECT DISTINCT r."clusterId" FROM %s r',
  RolloutDay: 'SELECT DISTINCT r."clusterId" FROM %s r',
  ImageUse: 'SELECT DISTINCT r."clusterId" FROM %s r',
  ImageDigestUse: 'SELECT DISTINCT r."clusterId" FROM %s r',
  ContainerFacets: 'SELECT DISTINCT r."clusterId" FROM %s r',
};
