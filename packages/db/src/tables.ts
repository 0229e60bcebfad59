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
  "PullEvent",
  "PostureRollup",
  "PullLatencyDaily",
  "Namespace",
  "Waiver",
  "Review",
  "ExportLog",
] as const;
export type Table = (typeof TABLES)[number];
