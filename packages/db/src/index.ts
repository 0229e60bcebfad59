// Safe to bundle (Next.js): the Prisma client and the read/write functions over it.
// Process-level concerns (embedded server, migrations, env) live in ./bootstrap.ts.
export { closeDb, createDb, type Db } from "./client.ts";
export {
  ensureCluster,
  linkPullEventsToWorkloads,
  type PullEventInput,
  upsertPullEvents,
} from "./ingest/events.ts";
export { refreshPullLatencyDaily } from "./ingest/latency.ts";
export {
  type ContainerInput,
  type FindingInput,
  type SnapshotFailure,
  type SnapshotInput,
  type SnapshotResult,
  snapshotStatus,
  type WorkloadInput,
  writeSnapshot,
} from "./ingest/snapshot.ts";
export { type ClusterSummary, type FleetOverview, getFleetOverview } from "./queries/fleet.ts";
export { type ClusterPullStats, getClusterPullStats, type PullStatsRow } from "./queries/pull-stats.ts";
