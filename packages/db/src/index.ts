// Safe to bundle (Next.js): the Prisma client and the read/write functions over it.
// Process-level concerns (embedded server, migrations, env) live in ./bootstrap.ts.
export { closeDb, createDb, type Db, poolOf, withSessionSettings } from "./client.ts";
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
export {
  type ContainerStart,
  type CoverageInput,
  coverageWatermark,
  recordEventCoverage,
} from "./ingest/event-coverage.ts";
export {
  getKubeletNodeGrowth,
  getKubeletReadings,
  type KubeletNodeReading,
  recordKubeletReadings,
} from "./ingest/kubelet-counters.ts";
export { refreshPullLatencyDaily } from "./ingest/latency.ts";
export {
  ensureCluster,
  linkPullEventsToWorkloads,
  type PullEventInput,
  upsertPullEvents,
} from "./ingest/pull-events.ts";
export {
  fleetImagePullSecrets,
  fleetImageReferences,
  getClusterRegistryAnswers,
  type ImagePullSecretRef,
  type RegistryAnswerInput,
  type RegistryRoundInput,
  recordRegistryRound,
} from "./ingest/registry-answers.ts";
export {
  type ContainerInput,
  compactRollups,
  type FindingInput,
  HOURLY_ROLLUP_DAYS,
  type NamespaceInput,
  type SnapshotFailure,
  type SnapshotInput,
  type SnapshotResult,
  StaleSnapshotBaseError,
  type UnchangedContainer,
  unchangedOf,
  type WorkloadInput,
  writeSnapshot,
} from "./ingest/snapshot.ts";
export {
  getTrendMarks,
  INCIDENT_MIN_FAILURES,
  incidents,
  MARKS_PER_KIND,
  TREND_MARK_KINDS,
  type TrendMark,
  trendMark,
} from "./queries/annotations.ts";
export {
  type ClusterDetail,
  clusterDetailResult,
  getClusterDetail,
  getRecentSnapshots,
  type KubeletMetricsSummary,
  kubeletMetricsSummary,
  recentSnapshotsResult,
  type SnapshotSummary,
  snapshotSummary,
} from "./queries/clusters.ts";
export {
  claimDeliveries,
  DELIVERY_BACKOFF_MS,
  type Delivery,
  type DeliveryKey,
  delivery,
  finishDelivery,
  listDeliveries,
  MAX_DELIVERY_ATTEMPTS,
  type PullFailureAlert,
  recentPullFailures,
} from "./queries/deliveries.ts";
export {
  type ExportLogEntry,
  exportLogEntry,
  finishExportLog,
  listExportLog,
  startExportLog,
} from "./queries/export-log.ts";
export {
  countFailingNow,
  FAILING_NOW_COLUMNS,
  FAILING_SORT_FIRST,
  FAILING_SORTS,
  type FailingNowFilter,
  type FailingNowRow,
  failingNowQuery,
  failingNowRow,
  listFailingNow,
} from "./queries/failing-now.ts";
export {
  type ClusterFilter,
  type ContainerFactFilter,
  InvalidFilterError,
  NOT_DIGEST,
  parseLabelSelector,
} from "./queries/filters.ts";
export {
  countable,
  FINDING_SORT_FIRST,
  FINDING_SORTS,
  type FindingGroup,
  type FindingGroupTotal,
  type FindingList,
  type FindingListRow,
  type FindingRow,
  type FindingSort,
  findingGroup,
  findingListResult,
  findingListRow,
  listFindings,
} from "./queries/findings.ts";
export {
  type ClusterSummary,
  clusterSummary,
  type FleetOverview,
  fleetOverviewResult,
  getFleetOverview,
  SEVERITY_NAMES,
} from "./queries/fleet.ts";
export {
  IMAGE_COLUMNS,
  type ImageFilter,
  type ImageRow,
  imageRow,
  imagesQuery,
  listImages,
} from "./queries/images.ts";
export {
  getWorstNamespaces,
  type NamespaceSummary,
  namespaceSummary,
  type WorstNamespace,
  worstNamespace,
} from "./queries/namespaces.ts";
export { emptyFindingCounts } from "./queries/open-counts.ts";
export { InvalidCursorError, type ListOrder } from "./queries/paging.ts";
export {
  type ClusterPullStats,
  getClusterPullStats,
  getPullFailureStarts,
  type PullFailureStart,
  type PullStatsRow,
  podContainerKey,
  podImageKey,
} from "./queries/pull-stats.ts";
export { getRegistryHealth, type RegistryHealth, registryHealthResult } from "./queries/registry-health.ts";
export {
  bySeverity,
  counts,
  type FindingCounts,
  findingCounts,
  findingStatus,
  grade,
  labelMap,
  SNAPSHOT_STATUSES,
  type SnapshotStatusName,
  severity,
  snapshotStatus,
} from "./queries/results.ts";
export {
  AGEING_DAYS,
  defaultReviewWeek,
  expiringWaivers,
  getReviewRows,
  getWeeklyReview,
  REVIEW_SECTIONS,
  type ReviewFinding,
  type ReviewSection,
  reviewFinding,
  reviewWindow,
  type SignedReview,
  signedReview,
  type WeeklyReview,
  weeklyReviewResult,
} from "./queries/review.ts";
export { keepLastWeek } from "./queries/review-figures.ts";
export {
  IMAGES_PER_RULE,
  type ImageGroups,
  imageGroups,
  type ReviewAction,
  reviewImageGroups,
  reviewTeamRules,
  ruleGroup,
  type TeamGroup,
} from "./queries/review-groups.ts";
export { listReviews, missingScope, ReviewConflictError, signReview } from "./queries/review-signoff.ts";
export {
  getTeamNamespaces,
  listTeamSummaries,
  listTeams,
  type TeamMovement,
  type TeamSummary,
  teamSummary,
  teamTallies,
} from "./queries/team-scores.ts";
export {
  type CoveragePoint,
  coveragePoint,
  getEventCoverage,
  getLatencyTrend,
  getPostureTrend,
  type LatencyPoint,
  latencyPoint,
  type PosturePoint,
  posturePoint,
  type TrendScope,
} from "./queries/trends.ts";
export {
  createWaiver,
  getActiveWaivers,
  getWaiver,
  listWaivers,
  revokeWaiver,
  WAIVER_STATES,
  type WaiverInput,
  type WaiverRow,
  waiverRow,
} from "./queries/waivers.ts";
export {
  AT_RISK_COLUMNS,
  AT_RISK_SORT_FIRST,
  AT_RISK_SORTS,
  type AtRiskFilter,
  type AtRiskRow,
  atRiskQuery,
  atRiskRow,
  listAtRisk,
} from "./queries/will-it-pull.ts";
export {
  getWorkloadDetail,
  WORKLOAD_DETAIL_EVENTS,
  type WorkloadDetail,
  workloadDetailResult,
} from "./queries/workload-detail.ts";
export {
  getWorkloadFacets,
  listWorkloads,
  WORKLOAD_SORTS,
  type WorkloadFilter,
  type WorkloadPage,
  type WorkloadRow,
  type WorkloadSort,
  workloadFacetsResult,
  workloadPageResult,
  workloadRow,
} from "./queries/workloads.ts";
export { CLUSTER_OF, TABLES, type Table } from "./tables.ts";
