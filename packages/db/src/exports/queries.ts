// What each CSV export contains: a documented, stable column order (the SQL selects exactly these
// names, in this order) and the query behind it, with the same filters as the UI. Every row
// carries its provenance: the snapshot(s) it comes from, when that was collected, and the
// collector and rule-catalogue versions that produced it.
import { Prisma } from "../generated/prisma/client.ts";
import type { SeverityName } from "../queries/fleet.ts";
import { factsConfirmedBy, findingConfirmedBy } from "../queries/provenance.ts";
import { waivedSql } from "../queries/waivers.ts";
import { SEVERITY_ORDER, type WorkloadFilter, workloadRowsSql, workloadWhere } from "../queries/workloads.ts";

export interface FindingExportFilter {
  cluster?: string;
  namespace?: string;
  ruleId?: string;
  severity?: SeverityName;
  /** open (waived included, marked), resolved, or all. Default open. */
  state?: "open" | "resolved" | "all";
  /** Exactly this status; overrides `state`. */
  status?: "open" | "waived" | "resolved";
}

export interface PullEventExportFilter {
  cluster?: string;
  namespace?: string;
  reason?: string;
  registry?: string;
  from?: Date;
  to?: Date;
}

export const INVENTORY_COLUMNS = [
  "cluster",
  "namespace",
  "workload_kind",
  "workload",
  "container",
  "container_type",
  "image",
  "registry",
  "repository",
  "tag",
  "digest",
  "tag_kind",
  "registry_visibility",
  "image_pull_policy",
  "policy_source",
  "policy_evidence",
  "pull_secrets",
  "running_digests",
  "open_findings",
  "fact_valid_from",
  "fact_snapshot_id",
  "snapshot_id",
  "collected_at",
  "collector_version",
  "rules_version",
] as const;

/** The workloads table, one row per workload, exactly its columns (the inventory export has one per container). */
export const WORKLOAD_COLUMNS = [
  "cluster",
  "namespace",
  "workload_kind",
  "workload",
  "containers",
  "images",
  "pull_policies",
  "open_findings",
  "waived_findings",
  "max_severity",
  "last_changed_at",
  "snapshot_id",
  "collected_at",
] as const;

export const SNAPSHOT_COLUMNS = [
  "snapshot_id",
  "cluster",
  "started_at",
  "finished_at",
  "status",
  "duration_ms",
  "rows_written",
  "failed_reads",
  "failures",
  "collector_version",
  "rules_version",
] as const;

export const FINDING_COLUMNS = [
  "finding_id",
  "cluster",
  "namespace",
  "workload_kind",
  "workload",
  "container",
  "rule_id",
  "severity",
  "status",
  "image",
  "message",
  "opened_at",
  "opened_from",
  "first_seen_at",
  "opened_snapshot_id",
  "evidence_since",
  "clearing_since",
  "last_seen_snapshot_id",
  "resolved_at",
  "resolved_snapshot_id",
  "collected_at",
  "collector_version",
  "rules_version",
] as const;

export const PULL_EVENT_COLUMNS = [
  "event_uid",
  "cluster",
  "namespace",
  "pod",
  "container",
  "workload_kind",
  "workload",
  "node",
  "reason",
  "image",
  "registry",
  "already_present",
  "pull_duration_ms",
  "waiting_duration_ms",
  "image_size_bytes",
  "failure_cause",
  "count",
  "first_timestamp",
  "last_timestamp",
  "message",
] as const;

/** Provenance of a workload's current facts: the snapshot that last confirmed them. Expects `c` and `wl`. */
const FACTS_SNAPSHOT = Prisma.sql`LEFT JOIN "Snapshot" s ON s.id = ${factsConfirmedBy}`;

export function inventoryQuery(filter: WorkloadFilter, now: Date): Prisma.Sql {
  return Prisma.sql`
    SELECT c.name AS cluster, wl.namespace, wl.kind AS workload_kind, wl.name AS workload,
      cf."containerName" AS container, cf."containerType"::text AS container_type, cf.image, cf.registry,
      cf.repository, cf.tag, cf.digest, cf."tagKind" AS tag_kind, cf."registryVisibility" AS registry_visibility,
      cf."imagePullPolicy" AS image_pull_policy, cf."policySource" AS policy_source,
      cf."policyEvidence" AS policy_evidence, array_to_string(cf."pullSecrets", ';') AS pull_secrets,
      (SELECT string_agg(DISTINCT ri.digest, ';' ORDER BY ri.digest) FROM "RunningImage" ri
        WHERE ri."workloadId" = wl.id AND ri."containerName" = cf."containerName" AND ri."validTo" IS NULL) AS running_digests,
      (SELECT string_agg(DISTINCT f."ruleId", ';' ORDER BY f."ruleId") FROM "Finding" f
        WHERE f."workloadId" = wl.id AND f."containerName" = cf."containerName" AND f."resolvedAt" IS NULL
          AND NOT ${waivedSql(now)}) AS open_findings,
      cf."validFrom" AS fact_valid_from, cf."validFromSnapshot" AS fact_snapshot_id,
      s.id AS snapshot_id, s."finishedAt" AS collected_at,
      s."collectorVersion" AS collector_version, s."rulesVersion" AS rules_version
    FROM "ContainerFact" cf
    JOIN "Workload" wl ON wl.id = cf."workloadId"
    JOIN "Cluster" c ON c.id = wl."clusterId"
    ${FACTS_SNAPSHOT}
    WHERE cf."validTo" IS NULL AND ${workloadWhere(filter, now)}
    ORDER BY c.name, wl.namespace, wl.kind, wl.name, cf."containerName"`;
}

export function findingsQuery(filter: FindingExportFilter, now: Date): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  const state = filter.status === "resolved" ? "resolved" : filter.status ? "open" : (filter.state ?? "open");
  if (state === "open") parts.push(Prisma.sql`f."resolvedAt" IS NULL`);
  if (state === "resolved") parts.push(Prisma.sql`f."resolvedAt" IS NOT NULL`);
  if (filter.status === "open") parts.push(Prisma.sql`NOT ${waivedSql(now)}`);
  if (filter.status === "waived") parts.push(waivedSql(now));
  if (filter.cluster) parts.push(Prisma.sql`c.name = ${filter.cluster}`);
  if (filter.namespace) parts.push(Prisma.sql`f.namespace = ${filter.namespace}`);
  if (filter.ruleId) parts.push(Prisma.sql`f."ruleId" = ${filter.ruleId}`);
  if (filter.severity) parts.push(Prisma.sql`f.severity = ${filter.severity}::"FindingSeverity"`);
  return Prisma.sql`
    SELECT f.id AS finding_id, c.name AS cluster, f.namespace, wl.kind AS workload_kind, wl.name AS workload,
      f."containerName" AS container, f."ruleId" AS rule_id, f.severity::text AS severity,
      CASE WHEN f."resolvedAt" IS NOT NULL THEN 'resolved' WHEN ${waivedSql(now)} THEN 'waived' ELSE 'open' END AS status,
      f.image, f.evidence ->> 'message' AS message, f."openedAt" AS opened_at, f."openedFrom" AS opened_from,
      f."firstSeenAt" AS first_seen_at, f."openedSnapshotId" AS opened_snapshot_id,
      f."evidenceSince" AS evidence_since, f."clearingSince" AS clearing_since,
      s.id AS last_seen_snapshot_id, f."resolvedAt" AS resolved_at,
      f."resolvedSnapshotId" AS resolved_snapshot_id, s."finishedAt" AS collected_at,
      s."collectorVersion" AS collector_version, s."rulesVersion" AS rules_version,
      wl.id AS workload_id -- for links in the UI; not an export column
    FROM "Finding" f
    JOIN "Cluster" c ON c.id = f."clusterId"
    LEFT JOIN "Workload" wl ON wl.id = f."workloadId"
    LEFT JOIN "Snapshot" s ON s.id = ${findingConfirmedBy}
    ${parts.length ? Prisma.sql`WHERE ${Prisma.join(parts, " AND ")}` : Prisma.empty}
    ORDER BY f.id`;
}

export function pullEventsQuery(filter: PullEventExportFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (filter.cluster) parts.push(Prisma.sql`c.name = ${filter.cluster}`);
  if (filter.namespace) parts.push(Prisma.sql`e.namespace = ${filter.namespace}`);
  if (filter.reason) parts.push(Prisma.sql`e.reason = ${filter.reason}`);
  if (filter.registry) parts.push(Prisma.sql`e.registry = ${filter.registry}`);
  if (filter.from) parts.push(Prisma.sql`e."lastTimestamp" >= ${filter.from}`);
  if (filter.to) parts.push(Prisma.sql`e."lastTimestamp" < ${filter.to}`);
  return Prisma.sql`
    SELECT e.uid AS event_uid, c.name AS cluster, e.namespace, e."podName" AS pod, e."containerName" AS container,
      wl.kind AS workload_kind, wl.name AS workload, e."nodeName" AS node, e.reason, e.image, e.registry,
      e."alreadyPresent" AS already_present, e."pullDurationMs" AS pull_duration_ms,
      e."waitingDurationMs" AS waiting_duration_ms, e."imageSizeBytes" AS image_size_bytes,
      e."failureCause" AS failure_cause, e."count", e."firstTimestamp" AS first_timestamp,
      e."lastTimestamp" AS last_timestamp, e.message
    FROM "PullEvent" e
    JOIN "Cluster" c ON c.id = e."clusterId"
    LEFT JOIN "Workload" wl ON wl.id = e."workloadId"
    ${parts.length ? Prisma.sql`WHERE ${Prisma.join(parts, " AND ")}` : Prisma.empty}
    ORDER BY e.id`;
}

/** The workloads table's rows, in its default order (cluster, namespace, kind, name). */
export function workloadsQuery(filter: WorkloadFilter, now: Date): Prisma.Sql {
  return Prisma.sql`
    SELECT w.cluster, w.namespace, w.kind AS workload_kind, w.name AS workload, w.containers,
      array_to_string(w.images, ';') AS images, array_to_string(w.policies, ';') AS pull_policies,
      w.findings AS open_findings, w.waived AS waived_findings,
      (${SEVERITY_ORDER}::text[])[NULLIF(w.severity_rank, 0)] AS max_severity,
      w."lastChangedAt" AS last_changed_at, w.snapshot_id, w.collected_at
    FROM (${workloadRowsSql(workloadWhere(filter, now), now)}) w
    ORDER BY w.cluster, w.namespace, w.kind, w.name, w.id`;
}

export interface SnapshotExportFilter {
  cluster?: string;
  status?: "running" | "complete" | "partial" | "failed";
  from?: Date;
  to?: Date;
}

/** Snapshots with status, duration, rows written and every failed read (kind: reason; …). */
export function snapshotsQuery(filter: SnapshotExportFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (filter.cluster) parts.push(Prisma.sql`c.name = ${filter.cluster}`);
  if (filter.status) parts.push(Prisma.sql`s.status::text = ${filter.status}`);
  if (filter.from) parts.push(Prisma.sql`s."startedAt" >= ${filter.from}`);
  if (filter.to) parts.push(Prisma.sql`s."startedAt" < ${filter.to}`);
  return Prisma.sql`
    SELECT s.id AS snapshot_id, c.name AS cluster, s."startedAt" AS started_at, s."finishedAt" AS finished_at,
      s.status::text AS status,
      (s.stats ->> 'readMs')::numeric::bigint AS duration_ms,
      (SELECT SUM(v::bigint) FROM jsonb_each_text(COALESCE(s.stats -> 'rows', '{}'::jsonb)) AS r(k, v)) AS rows_written,
      jsonb_array_length(COALESCE(s.failures, '[]'::jsonb)) AS failed_reads,
      (SELECT string_agg((x ->> 'kind') || ': ' || (x ->> 'reason'), '; ') FROM jsonb_array_elements(COALESCE(s.failures, '[]'::jsonb)) x) AS failures,
      s."collectorVersion" AS collector_version, s."rulesVersion" AS rules_version
    FROM "Snapshot" s
    JOIN "Cluster" c ON c.id = s."clusterId"
    ${parts.length ? Prisma.sql`WHERE ${Prisma.join(parts, " AND ")}` : Prisma.empty}
    ORDER BY s.id DESC`;
}
