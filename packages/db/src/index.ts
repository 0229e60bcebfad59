// Safe to bundle (Next.js): the Prisma client and the read/write functions over it.
// Process-level concerns (embedded server, migrations, env) live in ./bootstrap.ts.
export { closeDb, createDb, type Db, poolOf } from "./client.ts";
export {
  createExportPool,
  ExportPoolBusyError,
  type ExportPoolOptions,
  readWithCursor,
} from "./exports/cursor.ts";
export {
  FINDING_COLUMNS,
  type FindingExportFilter,
  findingsQuery,
  INVENTORY_COLUMNS,
  type InventoryFilter,
  inventoryQuery,
  PULL_EVENT_COLUMNS,
  type PullEventExportFilter,
  pullEventsQuery,
  SNAPSHOT_COLUMNS,
  type SnapshotExportFilter,
  snapshotsQuery,
  WORKLOAD_COLUMNS,
  workloadsQuery,
} from "./exports/queries.ts";
export { refreshPullLatencyDaily } from "./ingest/latency.ts";
export {
  ensureCluster,
  linkPullEventsToWorkloads,
  type PullEventInput,
  upsertPullEvents,
} from "./ingest/pull-events.ts";
export {
  type ContainerInput,
  compactRollups,
  type FindingInput,
  HOURLY_ROLLUP_DAYS,
  type SnapshotFailure,
  type SnapshotInput,
  type SnapshotResult,
  snapshotStatus,
  type WorkloadInput,
  writeSnapshot,
} from "./ingest/snapshot.ts";
export {
  type ClusterDetail,
  getClusterDetail,
  type NamespaceSummary,
  type SnapshotSummary,
} from "./queries/clusters.ts";
export {
  type ClusterFilter,
  type ContainerFactFilter,
  InvalidFilterError,
  NOT_DIGEST,
  parseLabelSelector,
} from "./queries/filters.ts";
export { type FindingGroup, type FindingRow, listFindings } from "./queries/findings.ts";
export {
  type ClusterSummary,
  emptyFindingCounts,
  type FindingCounts,
  type FleetOverview,
  getFleetOverview,
  SEVERITY_NAMES,
  type SeverityName,
} from "./queries/fleet.ts";
export {
  type ClusterPullStats,
  getClusterPullStats,
  getPullFailureStarts,
  type PullStatsRow,
  podContainerKey,
} from "./queries/pull-stats.ts";
export {
  AGEING_DAYS,
  getWeeklyReview,
  listReviews,
  ReviewConflictError,
  type SignedReview,
  signReview,
  type WeeklyReview,
} from "./queries/review.ts";
export {
  getLatencyTrend,
  getPostureTrend,
  type LatencyPoint,
  type PosturePoint,
  type TrendScope,
} from "./queries/trends.ts";
export {
  createWaiver,
  getActiveWaivers,
  getWaiver,
  listWaivers,
  revokeWaiver,
  type WaiverInput,
  type WaiverRow,
} from "./queries/waivers.ts";
export { getWorkloadDetail, type WorkloadDetail } from "./queries/workload-detail.ts";
export {
  getWorkloadFacets,
  InvalidCursorError,
  listWorkloads,
  WORKLOAD_SORTS,
  type WorkloadFilter,
  type WorkloadPage,
  type WorkloadRow,
  type WorkloadSort,
} from "./queries/workloads.ts";
export { TABLES, type Table } from "./tables.ts";
