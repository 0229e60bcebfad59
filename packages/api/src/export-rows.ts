// The rows of the exports of small tables (a page's worth, read whole rather than through a
// cursor): the weekly review, clusters, a cluster's namespaces, pull latency and waivers.
import { parseScopeKey } from "@pullsight/core";
import {
  type Db,
  getClusterDetail,
  getFleetOverview,
  getLatencyTrend,
  getWeeklyReview,
  listWaivers,
} from "@pullsight/db";
import type { z } from "zod";
import type { exportFilters } from "./exports.ts";

/** A cluster's or namespace's open findings as cells: unwaived, waived, unwaived by severity. */
const findingCountCells = (f: { open: number; waived: number; bySeverity: Record<string, number> }) => ({
  open_findings: f.open,
  waived_findings: f.waived,
  ...f.bySeverity,
});

export async function* reviewRows(db: Db, filters: z.infer<(typeof exportFilters)["review"]>, now: Date) {
  const scope = parseScopeKey(filters.scope);
  if (!scope) throw new RangeError(`not a review scope: ${filters.scope}`);
  const r = await getWeeklyReview(db, filters.week, scope, now);
  const base = {
    week: r.week,
    scope: r.scope,
    signed_by: r.signed?.reviewer ?? null,
    signed_at: r.signed?.signedAt ?? null,
  };
  const rows: Record<string, unknown>[] = [];
  for (const [section, list] of [
    ["new", r.newFindings],
    ["resolved", r.resolvedFindings],
    ["ageing", r.ageingFindings],
  ] as const)
    for (const f of list)
      rows.push({
        ...base,
        section,
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
      });
  for (const w of r.waiversExpiring)
    rows.push({
      ...base,
      section: "waiver-expiring",
      rule_id: w.ruleId,
      namespace: w.scope,
      resolved_at: w.expiresAt,
    });
  yield rows;
}

export async function* clusterRows(db: Db, filters: z.infer<(typeof exportFilters)["clusters"]>, now: Date) {
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

export async function* namespaceRows(
  db: Db,
  filters: z.infer<(typeof exportFilters)["namespaces"]>,
  now: Date,
) {
  const detail = await getClusterDetail(db, filters.cluster, { now, snapshots: 1 });
  if (!detail) throw new RangeError(`no cluster named ${filters.cluster}`);
  yield detail.namespaces.map((n) => ({
    cluster: detail.cluster.name,
    namespace: n.name,
    team: n.team,
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

/** Pull latency per registry (per cluster when one is named), per day or ISO week: the fleet page's table. */
export async function* latencyRows(db: Db, filters: z.infer<(typeof exportFilters)["latency"]>, now: Date) {
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
    exact: r.exact,
    failures_by_cause: Object.entries(r.failuresByCause)
      .map(([cause, n]) => `${cause}=${n}`)
      .join(";"),
  }));
}

export async function* waiverRows(db: Db, filters: z.infer<(typeof exportFilters)["waivers"]>, now: Date) {
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
