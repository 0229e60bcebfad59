// The exports of small tables (a page's worth, read whole rather than through a cursor): the
// weekly review, clusters, a cluster's namespaces, pull latency and waivers. Each declares its
// filters, its columns and its rows together; export-kinds.ts lists them with the large ones.
import { parseScopeKey, scopeKey as scopeKeyOf } from "@pullsight/core";
import {
  type Db,
  expiringWaivers,
  getClusterDetail,
  getFleetOverview,
  getLatencyTrend,
  getReviewRows,
  listWaivers,
  reviewWindow,
  snapshotStatus,
  WAIVER_STATES,
} from "@pullsight/db";
import { z } from "zod";
import { instant, isoWeek, name, ruleId, scopeKey } from "./schemas.ts";

type Rows = AsyncGenerator<Record<string, unknown>[], void, undefined>;

/** An export of a small table: the filters it accepts, its columns, its rows. */
export interface SmallExport<S extends z.ZodType> {
  filters: S;
  columns: readonly string[];
  rows: (db: Db, filters: z.infer<S>, now: Date) => Rows;
}
const smallExport = <S extends z.ZodType>(e: SmallExport<S>) => e;

/** A cluster's or namespace's open findings: unwaived, waived, and unwaived by severity. */
const FINDING_COUNT_COLUMNS = [
  "open_findings",
  "waived_findings",
  "critical",
  "high",
  "medium",
  "low",
  "info",
] as const;
/** A cluster's or namespace's open findings as cells: unwaived, waived, unwaived by severity. */
const findingCountCells = (f: { open: number; waived: number; bySeverity: Record<string, number> }) => ({
  open_findings: f.open,
  waived_findings: f.waived,
  ...f.bySeverity,
});

// ---- the weekly review ---------------------------------------------------------------------------

const reviewFilters = z.object({ week: isoWeek, scope: scopeKey.default("fleet") }).strict();
const REVIEW_COLUMNS = [
  "week",
  "scope",
  "section",
  "owner",
  "group",
  "finding_id",
  "cluster",
  "namespace",
  "workload",
  "container",
  "rule_id",
  "severity",
  "image",
  "opened_at",
  "resolved_at",
  "age_days",
  "waived",
  "signed_by",
  "signed_at",
] as const;

const REVIEW_PAGE = 5_000;

/** Every finding of the review's three sections, a page at a time, each with its owner and the group the page shows it in. */
async function* reviewRows(db: Db, filters: z.infer<typeof reviewFilters>, now: Date): Rows {
  const scope = parseScopeKey(filters.scope);
  if (!scope) throw new RangeError(`not a review scope: ${filters.scope}`);
  const w = reviewWindow(filters.week, now);
  const key = scopeKeyOf(scope);
  const signed = await db.review.findUnique({
    where: { isoWeek_scope: { isoWeek: filters.week, scope: key } },
  });
  const base = {
    week: filters.week,
    scope: key,
    signed_by: signed?.reviewer ?? null,
    signed_at: signed?.signedAt ?? null,
  };
  for (const section of ["new", "resolved", "ageing"] as const) {
    let afterId: bigint | undefined = 0n;
    while (afterId !== undefined) {
      const page = await getReviewRows(db, w, scope, { section, limit: REVIEW_PAGE, afterId });
      if (page.length)
        yield page.map((f) => ({
          ...base,
          section,
          owner: f.team,
          group: [f.team, f.ruleId, f.image ?? "(no image)"].join(" / "),
          finding_id: f.id,
          cluster: f.cluster,
          namespace: f.namespace,
          workload: f.workload,
          container: f.container,
          rule_id: f.ruleId,
          severity: f.severity,
          image: f.image,
          opened_at: f.openedAt,
          resolved_at: f.resolvedAt,
          age_days: f.ageDays,
          waived: f.waived,
        }));
      afterId = page.length === REVIEW_PAGE ? page[page.length - 1]?.id : undefined;
    }
  }
  yield (await expiringWaivers(db, w, scope)).map((wv) => ({
    ...base,
    section: "waiver-expiring",
    rule_id: wv.ruleId,
    namespace: wv.scope,
    resolved_at: wv.expiresAt,
  }));
}

export const reviewExport = smallExport({
  filters: reviewFilters,
  columns: REVIEW_COLUMNS,
  rows: reviewRows,
});

// ---- clusters ------------------------------------------------------------------------------------

const clusterFilters = z
  .object({
    /** Cluster labels, "key=value" joined by commas: the clusters page's label filter. */
    label: z
      .string()
      .max(1000)
      .regex(/^[^=,]+=[^,]*(,[^=,]+=[^,]*)*$/, "labels as key=value,key=value")
      .optional(),
  })
  .strict();
const CLUSTER_COLUMNS = [
  "cluster",
  "labels",
  "kubernetes_version",
  "score",
  "grade",
  "containers",
  "compliant",
  "workloads",
  ...FINDING_COUNT_COLUMNS,
  "last_snapshot_status",
  "last_snapshot_failures",
  "stale",
  "last_snapshot_id",
  "collected_at",
] as const;

async function* clusterRows(db: Db, filters: z.infer<typeof clusterFilters>, now: Date): Rows {
  const labels = filters.label
    ? Object.fromEntries(
        filters.label.split(",").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
      )
    : undefined;
  const fleet = await getFleetOverview(db, { now, ...(labels ? { labels } : {}) });
  yield fleet.clusters.map((c) => ({
    cluster: c.name,
    labels: Object.entries(c.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(";"),
    kubernetes_version: c.kubernetesVersion,
    score: c.score,
    grade: c.grade,
    containers: c.containers,
    compliant: c.compliant,
    workloads: c.workloads,
    ...findingCountCells(c.findings),
    last_snapshot_status: c.lastSnapshotStatus,
    last_snapshot_failures: c.failures.map((f) => `${f.kind}: ${f.reason}`).join("; "),
    stale: c.stale,
    last_snapshot_id: c.lastSnapshotId,
    collected_at: c.lastSnapshotAt,
  }));
}

export const clustersExport = smallExport({
  filters: clusterFilters,
  columns: CLUSTER_COLUMNS,
  rows: clusterRows,
});

// ---- a cluster's namespaces ------------------------------------------------------------------------

const namespaceFilters = z.object({ cluster: name }).strict();
const NAMESPACE_COLUMNS = [
  "cluster",
  "namespace",
  "owner",
  "profile",
  "score",
  "grade",
  "workloads",
  "containers",
  "compliant",
  ...FINDING_COUNT_COLUMNS,
  "last_snapshot_id",
  "collected_at",
] as const;

async function* namespaceRows(db: Db, filters: z.infer<typeof namespaceFilters>, now: Date): Rows {
  const detail = await getClusterDetail(db, filters.cluster, { now, snapshots: 1 });
  if (!detail) throw new RangeError(`no cluster named ${filters.cluster}`);
  yield detail.namespaces.map((n) => ({
    cluster: detail.cluster.name,
    namespace: n.name,
    owner: n.team,
    profile: n.profile,
    score: n.score,
    grade: n.grade,
    workloads: n.workloads,
    containers: n.containers,
    compliant: n.compliant,
    ...findingCountCells(n.findings),
    last_snapshot_id: detail.cluster.lastSnapshotId,
    collected_at: detail.cluster.lastSnapshotAt,
  }));
}

export const namespacesExport = smallExport({
  filters: namespaceFilters,
  columns: NAMESPACE_COLUMNS,
  rows: namespaceRows,
});

// ---- pull latency --------------------------------------------------------------------------------

const latencyFilters = z
  .object({
    bucket: z.enum(["day", "week"]).default("day"),
    from: instant.optional(),
    to: instant.optional(),
    cluster: name.optional(),
    registry: z.string().max(253).optional(),
  })
  .strict();
const LATENCY_COLUMNS = [
  "bucket_start",
  "bucket",
  "cluster",
  "registry",
  "pulls",
  "failures",
  "p50_ms",
  "p95_ms",
  "max_ms",
  "percentiles",
  "failures_by_cause",
] as const;

/** Pull latency per registry (per cluster when one is named), per day or ISO week: the fleet page's table. */
async function* latencyRows(db: Db, filters: z.infer<typeof latencyFilters>, now: Date): Rows {
  const to = filters.to ?? now;
  const rows = await getLatencyTrend(db, {
    bucket: filters.bucket,
    from: filters.from ?? new Date(to.getTime() - 7 * 86_400_000),
    to,
    ...(filters.cluster ? { scope: { cluster: filters.cluster }, byCluster: true } : {}),
    ...(filters.registry ? { registry: filters.registry } : {}),
  });
  yield rows.map((r) => ({
    bucket_start: r.bucket,
    bucket: filters.bucket,
    cluster: r.cluster,
    registry: r.registry,
    pulls: r.pulls,
    failures: r.failures,
    p50_ms: r.p50Ms,
    p95_ms: r.p95Ms,
    max_ms: r.maxMs,
    percentiles: r.percentiles,
    failures_by_cause: Object.entries(r.failuresByCause)
      .map(([cause, n]) => `${cause}=${n}`)
      .join(";"),
  }));
}

export const latencyExport = smallExport({
  filters: latencyFilters,
  columns: LATENCY_COLUMNS,
  rows: latencyRows,
});

// ---- waivers -------------------------------------------------------------------------------------

const waiverFilters = z
  .object({
    state: z.enum([...WAIVER_STATES, "all"]).optional(),
    ruleId: ruleId.optional(),
    cluster: name.optional(),
  })
  .strict();
const WAIVER_COLUMNS = [
  "waiver_id",
  "rule_id",
  "cluster",
  "namespace",
  "workload_kind",
  "workload",
  "image_pattern",
  "reason",
  "owner",
  "expires_at",
  "created_by",
  "created_at",
  "revoked_at",
  "revoked_by",
  "revoke_reason",
  "state",
] as const;

async function* waiverRows(db: Db, filters: z.infer<typeof waiverFilters>, now: Date): Rows {
  const waivers = await listWaivers(db, filters, now);
  yield waivers.map((w) => ({
    waiver_id: w.id,
    rule_id: w.ruleId,
    cluster: w.cluster,
    namespace: w.namespace,
    workload_kind: w.workloadKind,
    workload: w.workloadName,
    image_pattern: w.imagePattern,
    reason: w.reason,
    owner: w.owner,
    expires_at: w.expiresAt,
    created_by: w.createdBy,
    created_at: w.createdAt,
    revoked_at: w.revokedAt,
    revoked_by: w.revokedBy,
    revoke_reason: w.revokeReason,
    state: w.state,
  }));
}

export const waiversExport = smallExport({
  filters: waiverFilters,
  columns: WAIVER_COLUMNS,
  rows: waiverRows,
});

/** The snapshots export's filters (its rows come from a cursor, like the large tables'). */
export const snapshotFilters = z
  .object({
    cluster: name.optional(),
    status: snapshotStatus.optional(),
    from: instant.optional(),
    to: instant.optional(),
  })
  .strict();
