// Failing now: every pod container waiting on a failed pull, as the latest snapshot of its cluster
// saw it. One row per pod, read from the open (not clearing) image-pull-failing findings' evidence
// (PS009 names the pods, their nodes and each waiting reason's cause and where it was read), with
// what kubelet events add per pod: failed attempts and the first and latest failure (events expire
// after an hour, so attempts count what is still known; the first failure falls back to the one
// the snapshot recorded). The page and its CSV
// read this one query, so the CSV is the table.
import { UNOWNED } from "@pullsight/core";
import { z } from "zod";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { FAILED_ATTEMPTS_SQL, PULL_FAILURE_SQL } from "../ingest/pull-events.ts";
import { type ClusterFilter, clusterConditions, ownerOf, teamCondition } from "./filters.ts";
import { firstOrders, type ListSort, type ListSortChoice, orderedBy, pageWithTotal } from "./paging.ts";
import {
  FINDING_PROVENANCE_COLUMNS,
  findingConfirmedBy,
  findingProvenanceFields,
  findingProvenanceSql,
} from "./provenance.ts";
import { FAILURE_REASONS } from "./pull-stats.ts";
import { waivedSql } from "./waivers.ts";

export interface FailingNowFilter extends ClusterFilter {
  namespace?: string;
  team?: string;
  /** A cause class (core failure-cause.ts), "unknown" for none. */
  cause?: string;
}

/** The rule whose evidence names the failing pods. */
const PULL_FAILING = "PS009";

export const FAILING_NOW_COLUMNS = [
  "cluster",
  "namespace",
  "owner",
  "workload_kind",
  "workload",
  "pod",
  "node",
  "container",
  "image",
  "reason",
  "cause",
  "cause_source",
  "first_failure",
  "last_failure",
  "attempts",
  "waived",
  "severity",
  "finding_id",
  "message",
  ...FINDING_PROVENANCE_COLUMNS,
] as const;

export const failingNowRow = z.object({
  cluster: z.string(),
  namespace: z.string(),
  owner: z.string(),
  workload_kind: z.string().nullable(),
  workload: z.string().nullable(),
  pod: z.string(),
  node: z.string(),
  container: z.string().nullable(),
  image: z.string().nullable(),
  reason: z.string(),
  cause: z.string(),
  cause_source: z.string(),
  first_failure: z.date().nullable(),
  last_failure: z.date().nullable(),
  attempts: z.number().int().nullable(),
  waived: z.boolean(),
  severity: z.string(),
  finding_id: z.bigint(),
  message: z.string(),
  ...findingProvenanceFields,
  /** For links; not an export column. */
  workload_id: z.bigint().nullable(),
});
export type FailingNowRow = z.infer<typeof failingNowRow>;

function failingWhere(filter: FailingNowFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [
    Prisma.sql`f."ruleId" = ${PULL_FAILING}`,
    Prisma.sql`f."resolvedAt" IS NULL`,
    // Clearing: the last snapshot no longer saw it fail.
    Prisma.sql`f."clearingSince" IS NULL`,
    ...clusterConditions(filter),
  ];
  if (filter.namespace) parts.push(Prisma.sql`f.namespace = ${filter.namespace}`);
  if (filter.team) parts.push(teamCondition(filter.team, "f"));
  if (filter.cause) parts.push(Prisma.sql`COALESCE(cs.value ->> 'cause', 'unknown') = ${filter.cause}`);
  return Prisma.join(parts, " AND ");
}

/** What the failing list sorts by: how long it has failed (the default), severity, attempts, cause. */
export const FAILING_SORTS = ["since", "severity", "attempts", "cause"] as const;
export type FailingSort = (typeof FAILING_SORTS)[number];
const FAILING_SORT_SQL: Record<FailingSort, ListSort> = {
  // Oldest first failure first: the longest failing.
  since: { expr: Prisma.sql`q.first_failure`, first: "asc" },
  // The enum orders info < … < critical.
  severity: { expr: Prisma.sql`q.severity::"FindingSeverity"`, first: "desc" },
  attempts: { expr: Prisma.sql`q.attempts`, first: "desc" },
  cause: { expr: Prisma.sql`q.cause`, first: "asc" },
};
export const FAILING_SORT_FIRST = firstOrders(FAILING_SORT_SQL);
export type FailingOrder = ListSortChoice<FailingSort>;

/** One row per failing pod container: the open findings' reasons, their causes and their pods. */
const FAILING_FROM = Prisma.sql`"Finding" f
    JOIN "Cluster" c ON c.id = f."clusterId"
    CROSS JOIN LATERAL jsonb_array_elements(f.evidence -> 'reasons') WITH ORDINALITY AS r(value, n)
    LEFT JOIN LATERAL (
      SELECT x.value FROM jsonb_array_elements(f.evidence -> 'causeSources') WITH ORDINALITY AS x(value, n)
      WHERE x.n = r.n) cs ON true
    CROSS JOIN LATERAL jsonb_array_elements(COALESCE(r.value -> 'instances', '[]'::jsonb)) AS i(value)`;

/** The rows, longest failing first unless sorted otherwise; `now` decides what is waived. */
export function failingNowQuery(filter: FailingNowFilter, now: Date, sort: FailingOrder = {}): Prisma.Sql {
  const rows = Prisma.sql`
    SELECT c.name AS cluster, f.namespace, ${ownerOf("f")} AS owner, wl.kind AS workload_kind, wl.name AS workload,
      i.value ->> 'pod' AS pod, i.value ->> 'node' AS node, f."containerName" AS container, f.image,
      r.value ->> 'reason' AS reason, COALESCE(cs.value ->> 'cause', 'unknown') AS cause,
      COALESCE(cs.value ->> 'source', 'none') AS cause_source,
      COALESCE(ev.first_failure, (i.value ->> 'since')::timestamptz) AS first_failure, ev.last_failure,
      ev.attempts, ${waivedSql(now)} AS waived, f.severity::text AS severity, f.id AS finding_id,
      r.value ->> 'message' AS message,
      ${findingProvenanceSql},
      wl.id AS workload_id
    FROM ${FAILING_FROM}
    LEFT JOIN "Workload" wl ON wl.id = f."workloadId"
    LEFT JOIN "Snapshot" s ON s.id = ${findingConfirmedBy}
    LEFT JOIN LATERAL (
      SELECT (SUM(${FAILED_ATTEMPTS_SQL}) FILTER (WHERE ${PULL_FAILURE_SQL}))::int AS attempts,
        MIN(e."firstTimestamp") AS first_failure, MAX(e."lastTimestamp") AS last_failure
      FROM "PullEvent" e
      WHERE e."clusterId" = f."clusterId" AND e.namespace = f.namespace AND e."podName" = i.value ->> 'pod'
        AND (e."containerName" IS NULL OR e."containerName" = f."containerName")
        AND e.reason = ANY(${FAILURE_REASONS}::text[])) ev ON true
    WHERE ${failingWhere(filter)}`;
  return orderedBy(
    rows,
    FAILING_SORT_SQL,
    { ...sort, fallback: "since" },
    Prisma.sql`q.cluster, q.namespace, q.pod, q.container`,
  );
}

/** A page of the rows, and how many there are in all. */
export async function listFailingNow(
  db: Db,
  filter: FailingNowFilter,
  opts: { now: Date; limit?: number; sort?: FailingOrder },
): Promise<{ rows: FailingNowRow[]; total: number }> {
  const query = failingNowQuery(filter, opts.now, opts.sort);
  const page = await pageWithTotal<FailingNowRow>(db, query, opts.limit ?? 200);
  return { rows: page.rows.map((r) => ({ ...r, owner: r.owner ?? UNOWNED })), total: page.total };
}

/**
 * How many pod containers are failing: the rows' count without what the rows add to each (events,
 * workload, provenance), for pages that show the number only.
 */
export async function countFailingNow(db: Db, filter: FailingNowFilter): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: number }>>`
    SELECT COUNT(*)::int AS n FROM ${FAILING_FROM} WHERE ${failingWhere(filter)}`;
  return row?.n ?? 0;
}
