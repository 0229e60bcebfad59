// What each CSV export contains: a documented, stable column order (the SQL selects exactly these
// names, in this order) and the query behind it, with the same filters as the UI. Every row
// carries its provenance: the snapshot(s) it comes from, when that was collected, and the
// collector and rule-catalogue versions that produced it.
import type { FindingStatus, Severity } from "@pullsight/core";
import { Prisma } from "../generated/prisma/client.ts";
import {
  type ClusterFilter,
  type ContainerFactFilter,
  clusterConditions,
  factConditions,
  factValidAt,
  findingFactCondition,
  findingOpenAt,
  ownerOf,
  teamCondition,
} from "../queries/filters.ts";
import { factsConfirmedBy, findingConfirmedBy, findingLastSeenBy } from "../queries/provenance.ts";
import { waivedSql } from "../queries/waivers.ts";
import {
  likeEscape,
  SEVERITY_ORDER,
  type WorkloadFilter,
  workloadRowsSql,
  workloadWhere,
} from "../queries/workloads.ts";

export interface FindingExportFilter extends ClusterFilter, ContainerFactFilter {
  namespace?: string;
  /** Findings in namespaces this team owns. */
  team?: string;
  ruleId?: string;
  severity?: Severity;
  /** open (waived included, marked), resolved, or all. Default open. */
  state?: "open" | "resolved" | "all";
  /** Exactly this status; overrides `state`. */
  status?: FindingStatus;
  /** The findings as they stood at this instant (within retention): open then, saying what they said then. */
  asOf?: Date;
}

/** The inventory's filters: the workloads table's, applied to each container, optionally as of an instant. */
export interface InventoryFilter extends WorkloadFilter {
  asOf?: Date;
}

export interface PullEventExportFilter {
  cluster?: string;
  namespace?: string;
  team?: string;
  reason?: string;
  registry?: string;
  from?: Date;
  to?: Date;
}

export const INVENTORY_COLUMNS = [
  "cluster",
  "namespace",
  "owner",
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
  "credential_sources",
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
  "owner",
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
  "kinds_listed",
  "kinds_watched",
  "collector_version",
  "rules_version",
] as const;

export const FINDING_COLUMNS = [
  "finding_id",
  "cluster",
  "namespace",
  "owner",
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
  "unverified_since",
  "last_seen_snapshot_id",
  "resolved_at",
  "resolved_snapshot_id",
  "confirmed_snapshot_id",
  "collected_at",
  "collector_version",
  "rules_version",
] as const;

export const PULL_EVENT_COLUMNS = [
  "event_uid",
  "cluster",
  "namespace",
  "owner",
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
  "aggregated",
  "first_timestamp",
  "last_timestamp",
  "message",
] as const;

/** Provenance of a workload's current facts: the snapshot that last confirmed them. Expects `c` and `wl`. */
const FACTS_SNAPSHOT = Prisma.sql`LEFT JOIN "Snapshot" s ON s.id = ${factsConfirmedBy}`;

/**
 * One row per container, filtered on the container itself (its facts, and its own open findings),
 * as it is now or as it was at `filter.asOf`. Provenance: the snapshot that last confirmed the
 * facts (by then).
 */
export function inventoryQuery(filter: InventoryFilter, now: Date): Prisma.Sql {
  const at = filter.asOf;
  const openAt = findingOpenAt(at);
  const waived = waivedSql(at ?? now, { asOf: !!at });
  const provenance = at
    ? Prisma.sql`LEFT JOIN LATERAL (
        SELECT s.id, s."finishedAt", s."collectorVersion", s."rulesVersion" FROM "Snapshot" s
        WHERE s."clusterId" = c.id AND s.status <> 'failed' AND s."finishedAt" <= ${at} AND wl.kind = ANY(s."completeKinds")
        ORDER BY s."startedAt" DESC LIMIT 1) s ON true`
    : FACTS_SNAPSHOT;
  return Prisma.sql`
    SELECT c.name AS cluster, wl.namespace, ${ownerOf("wl")} AS owner, wl.kind AS workload_kind, wl.name AS workload,
      cf."containerName" AS container, cf."containerType"::text AS container_type, cf.image, cf.registry,
      cf.repository, cf.tag, cf.digest, cf."tagKind" AS tag_kind, cf."registryVisibility" AS registry_visibility,
      cf."imagePullPolicy" AS image_pull_policy, cf."policySource" AS policy_source,
      cf."policyEvidence" AS policy_evidence, array_to_string(cf."pullSecrets", ';') AS pull_secrets,
      array_to_string(cf."credentialSources", ';') AS credential_sources,
      (SELECT string_agg(DISTINCT ri.digest, ';' ORDER BY ri.digest) FROM "RunningImage" ri
        WHERE ri."workloadId" = wl.id AND ri."containerName" = cf."containerName" AND ${factValidAt(at, "ri")}) AS running_digests,
      (SELECT string_agg(DISTINCT f."ruleId", ';' ORDER BY f."ruleId") FROM "Finding" f
        WHERE f."workloadId" = wl.id AND f."containerName" = cf."containerName" AND ${openAt}
          AND NOT ${waived}) AS open_findings,
      cf."validFrom" AS fact_valid_from, cf."validFromSnapshot" AS fact_snapshot_id,
      s.id AS snapshot_id, s."finishedAt" AS collected_at,
      s."collectorVersion" AS collector_version, s."rulesVersion" AS rules_version
    FROM "ContainerFact" cf
    JOIN "Workload" wl ON wl.id = cf."workloadId"
    JOIN "Cluster" c ON c.id = wl."clusterId"
    ${provenance}
    WHERE ${inventoryWhere(filter, now)}
    ORDER BY c.name, wl.namespace, wl.kind, wl.name, cf."containerName"`;
}

/** The inventory's conditions over `cf` (the row's container fact), `wl` and `c`. */
function inventoryWhere(filter: InventoryFilter, now: Date): Prisma.Sql {
  const at = filter.asOf;
  // A fact valid at an instant is a container that existed then: deleted workloads' facts are closed.
  const parts: Prisma.Sql[] = [factValidAt(at), ...clusterConditions(filter), ...factConditions(filter)];
  if (!at) parts.push(Prisma.sql`wl."deletedAt" IS NULL`);
  if (filter.namespace) parts.push(Prisma.sql`wl.namespace = ${filter.namespace}`);
  if (filter.team) parts.push(teamCondition(filter.team, "wl"));
  if (filter.kind) parts.push(Prisma.sql`wl.kind = ${filter.kind}`);
  const f: Prisma.Sql[] = [];
  if (filter.ruleId) f.push(Prisma.sql`f."ruleId" = ${filter.ruleId}`);
  if (filter.severity) f.push(Prisma.sql`f.severity = ${filter.severity}::"FindingSeverity"`);
  if (f.length)
    parts.push(
      Prisma.sql`EXISTS (SELECT 1 FROM "Finding" f WHERE f."workloadId" = wl.id AND f."containerName" = cf."containerName"
        AND ${findingOpenAt(at)} AND ${Prisma.join(f, " AND ")} AND NOT ${waivedSql(at ?? now, { asOf: !!at })})`,
    );
  const q = filter.q?.trim();
  if (q) {
    const like = `%${likeEscape(q)}%`;
    parts.push(Prisma.sql`(wl.name ILIKE ${like} OR wl.namespace ILIKE ${like} OR cf.image ILIKE ${like})`);
  }
  return Prisma.join(parts, " AND ");
}

/**
 * Findings, now or as they stood at `filter.asOf`: open then, with the severity, image and message
 * they had then (FindingEvidence), and the snapshot that last confirmed them by then. In id order
 * unless `ordered` is false: a caller that pages (ORDER BY … LIMIT around it) must not have it,
 * because a subquery with its own ORDER BY is planned whole, without the caller's limit.
 */
export function findingsQuery(
  filter: FindingExportFilter,
  now: Date,
  opts: { ordered?: boolean } = {},
): Prisma.Sql {
  const at = filter.asOf;
  const when = at ?? now;
  const waived = waivedSql(when, { asOf: !!at });
  // Severity, image and message as of the instant: the version of the evidence valid then.
  const severity = at ? Prisma.sql`COALESCE(h.severity, f.severity)` : Prisma.sql`f.severity`;
  const image = at ? Prisma.sql`(CASE WHEN h.id IS NULL THEN f.image ELSE h.image END)` : Prisma.sql`f.image`;
  const evidence = at ? Prisma.sql`COALESCE(h.evidence, f.evidence)` : Prisma.sql`f.evidence`;
  const resolvedBy = at ? Prisma.sql`f."resolvedAt" <= ${at}` : Prisma.sql`f."resolvedAt" IS NOT NULL`;
  const parts: Prisma.Sql[] = [...clusterConditions(filter), ...findingFactCondition(filter, at)];
  // The cluster's id as a value known before the scan, so that one cluster's open findings are read
  // from its own index in id order instead of filtering the whole fleet's by a join.
  if (filter.cluster)
    parts.push(Prisma.sql`f."clusterId" = (SELECT id FROM "Cluster" WHERE name = ${filter.cluster})`);
  const state = filter.status === "resolved" ? "resolved" : filter.status ? "open" : (filter.state ?? "open");
  if (state === "open") parts.push(findingOpenAt(at));
  if (state === "resolved") parts.push(resolvedBy);
  if (state === "all" && at) parts.push(Prisma.sql`COALESCE(f."firstSeenAt", f."openedAt") <= ${at}`);
  if (filter.status === "open") parts.push(Prisma.sql`NOT ${waived}`);
  if (filter.status === "waived") parts.push(waived);
  if (filter.namespace) parts.push(Prisma.sql`f.namespace = ${filter.namespace}`);
  if (filter.team) parts.push(teamCondition(filter.team, "f"));
  if (filter.ruleId) parts.push(Prisma.sql`f."ruleId" = ${filter.ruleId}`);
  if (filter.severity) parts.push(Prisma.sql`${severity} = ${filter.severity}::"FindingSeverity"`);
  // Whether it was clearing then: the version of the finding valid at the instant says so.
  const clearingAt = Prisma.sql`(CASE WHEN h.id IS NULL THEN f."clearingSince" ELSE h."clearingSince" END)`;
  const clearing = at ? clearingAt : Prisma.sql`f."clearingSince"`;
  // As of an instant: the latest snapshot by then that evaluated the finding, and the latest that
  // saw its condition (before it started clearing).
  const evaluatedBy = (bound: Prisma.Sql) => Prisma.sql`(
    SELECT s.id FROM "Snapshot" s
    WHERE s."clusterId" = f."clusterId" AND s.status <> 'failed' AND s."finishedAt" <= ${at ?? now} AND ${bound}
      AND f."ruleId" = ANY(s."evaluableRules") AND (wl.kind IS NULL OR wl.kind = ANY(s."completeKinds"))
    ORDER BY s."startedAt" DESC LIMIT 1)`;
  const history = at
    ? Prisma.sql`LEFT JOIN "FindingEvidence" h ON h."findingId" = f.id AND h."validFrom" <= ${at} AND h."validTo" > ${at}
      LEFT JOIN LATERAL (SELECT
          CASE WHEN ${resolvedBy} THEN f."resolvedSnapshotId" ELSE ${evaluatedBy(Prisma.sql`true`)} END AS confirmed,
          CASE WHEN ${resolvedBy} THEN f."lastSeenSnapshotId" WHEN ${clearingAt} IS NULL THEN ${evaluatedBy(Prisma.sql`true`)}
            ELSE ${evaluatedBy(Prisma.sql`s."finishedAt" < ${clearingAt}`)} END AS seen) p ON true
      LEFT JOIN "Snapshot" s ON s.id = p.confirmed`
    : Prisma.sql`LEFT JOIN "Snapshot" s ON s.id = ${findingConfirmedBy}`;
  const lastSeen = at ? Prisma.sql`p.seen` : findingLastSeenBy;
  return Prisma.sql`
    SELECT f.id AS finding_id, c.name AS cluster, f.namespace, ${ownerOf("f")} AS owner, wl.kind AS workload_kind, wl.name AS workload,
      f."containerName" AS container, f."ruleId" AS rule_id, ${severity}::text AS severity,
      CASE WHEN ${resolvedBy} THEN 'resolved' WHEN ${waived} THEN 'waived' ELSE 'open' END AS status,
      ${image} AS image, ${evidence} ->> 'message' AS message, f."openedAt" AS opened_at, f."openedFrom" AS opened_from,
      f."firstSeenAt" AS first_seen_at, f."openedSnapshotId" AS opened_snapshot_id,
      ${at ? Prisma.sql`(CASE WHEN h.id IS NULL THEN f."evidenceSince" ELSE h."evidenceSince" END)` : Prisma.sql`f."evidenceSince"`} AS evidence_since,
      ${clearing} AS clearing_since,
      ${at ? Prisma.sql`(CASE WHEN f."unverifiedSince" <= ${at} THEN f."unverifiedSince" END)` : Prisma.sql`f."unverifiedSince"`} AS unverified_since,
      ${lastSeen} AS last_seen_snapshot_id,
      (CASE WHEN ${resolvedBy} THEN f."resolvedAt" END) AS resolved_at,
      (CASE WHEN ${resolvedBy} THEN f."resolvedSnapshotId" END) AS resolved_snapshot_id,
      s.id AS confirmed_snapshot_id, s."finishedAt" AS collected_at,
      s."collectorVersion" AS collector_version, s."rulesVersion" AS rules_version,
      ${severity} AS severity_order, -- the enum, for sorting (an index orders open findings by it); not an export column
      wl.id AS workload_id -- for links in the UI; not an export column
    FROM "Finding" f
    JOIN "Cluster" c ON c.id = f."clusterId"
    LEFT JOIN "Workload" wl ON wl.id = f."workloadId"
    ${history}
    ${parts.length ? Prisma.sql`WHERE ${Prisma.join(parts, " AND ")}` : Prisma.empty}
    ${opts.ordered === false ? Prisma.empty : Prisma.sql`ORDER BY f.id`}`;
}

export function pullEventsQuery(filter: PullEventExportFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (filter.cluster) parts.push(Prisma.sql`c.name = ${filter.cluster}`);
  if (filter.namespace) parts.push(Prisma.sql`e.namespace = ${filter.namespace}`);
  if (filter.team) parts.push(teamCondition(filter.team, "e"));
  if (filter.reason) parts.push(Prisma.sql`e.reason = ${filter.reason}`);
  if (filter.registry) parts.push(Prisma.sql`e.registry = ${filter.registry}`);
  if (filter.from) parts.push(Prisma.sql`e."lastTimestamp" >= ${filter.from}`);
  if (filter.to) parts.push(Prisma.sql`e."lastTimestamp" < ${filter.to}`);
  return Prisma.sql`
    SELECT e.uid AS event_uid, c.name AS cluster, e.namespace, ${ownerOf("e")} AS owner, e."podName" AS pod, e."containerName" AS container,
      wl.kind AS workload_kind, wl.name AS workload, e."nodeName" AS node, e.reason, e.image, e.registry,
      e."alreadyPresent" AS already_present, e."pullDurationMs" AS pull_duration_ms,
      e."waitingDurationMs" AS waiting_duration_ms, e."imageSizeBytes" AS image_size_bytes,
      e."failureCause" AS failure_cause, e."count", e.aggregated, e."firstTimestamp" AS first_timestamp,
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
    SELECT w.cluster, w.namespace, w.owner, w.kind AS workload_kind, w.name AS workload, w.containers,
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
      (SELECT string_agg(k, ';' ORDER BY k) FROM jsonb_object_keys(COALESCE(s.stats -> 'objects', '{}'::jsonb)) k
        WHERE k NOT IN (SELECT jsonb_array_elements_text(COALESCE(s.stats -> 'mirrored', '[]'::jsonb)))) AS kinds_listed,
      (SELECT string_agg(k, ';' ORDER BY k) FROM jsonb_object_keys(COALESCE(s.stats -> 'objects', '{}'::jsonb)) k
        WHERE k IN (SELECT jsonb_array_elements_text(COALESCE(s.stats -> 'mirrored', '[]'::jsonb)))) AS kinds_watched,
      s."collectorVersion" AS collector_version, s."rulesVersion" AS rules_version
    FROM "Snapshot" s
    JOIN "Cluster" c ON c.id = s."clusterId"
    ${parts.length ? Prisma.sql`WHERE ${Prisma.join(parts, " AND ")}` : Prisma.empty}
    ORDER BY s.id DESC`;
}
