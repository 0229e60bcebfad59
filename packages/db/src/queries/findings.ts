// The findings list: the same rows as the findings export (one query, so the table and its CSV
// cannot disagree), sorted by severity, age, cluster or rule and paged by keyset cursor.

import { FINDING_GROUPS_SHOWN, type FindingStatus, type Severity } from "@pullsight/core";
import { z } from "zod";
import type { Db } from "../client.ts";
import { type FindingExportFilter, findingsQuery } from "../exports/queries.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { countedWhere, findingGroups } from "./finding-groups.ts";
import { afterCursor, decodeCursor, encodeCursor, type SortType } from "./paging.ts";
import { camelized, findingStatus, severity } from "./results.ts";

/** A finding as the findings export has it: its SQL row, with the CSV's (snake_case) column names. */
export interface FindingRow {
  finding_id: bigint;
  cluster: string;
  namespace: string;
  owner: string;
  workload_kind: string | null;
  workload: string | null;
  container: string | null;
  rule_id: string;
  severity: Severity;
  status: FindingStatus;
  image: string | null;
  message: string | null;
  opened_at: Date;
  opened_from: string;
  first_seen_at: Date | null;
  opened_snapshot_id: bigint;
  evidence_since: Date | null;
  clearing_since: Date | null;
  unverified_since: Date | null;
  last_seen_snapshot_id: bigint | null;
  resolved_at: Date | null;
  resolved_snapshot_id: bigint | null;
  confirmed_snapshot_id: bigint | null;
  collected_at: Date | null;
  collector_version: string | null;
  rules_version: string | null;
  workload_id: bigint | null;
}

/** The same finding in the API and the UI: the export's fields under their camelCase names. */
export const findingListRow = z.object({
  findingId: z.bigint(),
  cluster: z.string(),
  namespace: z.string(),
  /** The namespace's owning team, "(unowned)" when none. */
  owner: z.string(),
  workloadKind: z.string().nullable(),
  workload: z.string().nullable(),
  container: z.string().nullable(),
  ruleId: z.string(),
  severity,
  status: findingStatus,
  image: z.string().nullable(),
  message: z.string().nullable(),
  openedAt: z.date(),
  /** snapshot | pull-events | pod-status: what says when the condition began. */
  openedFrom: z.string(),
  firstSeenAt: z.date().nullable(),
  openedSnapshotId: z.bigint(),
  evidenceSince: z.date().nullable(),
  /** Set while a runtime condition is gone but its hysteresis window has not passed. */
  clearingSince: z.date().nullable(),
  /** Set while its rule has no data for the container (no pods, too few pulls): held as it was. */
  unverifiedSince: z.date().nullable(),
  /** The snapshot that last saw its condition. */
  lastSeenSnapshotId: z.bigint().nullable(),
  resolvedAt: z.date().nullable(),
  resolvedSnapshotId: z.bigint().nullable(),
  /** The snapshot that confirms the row's status (collectedAt is its time). */
  confirmedSnapshotId: z.bigint().nullable(),
  collectedAt: z.date().nullable(),
  collectorVersion: z.string().nullable(),
  rulesVersion: z.string().nullable(),
  /** The workload's id (links); not an export column. */
  workloadId: z.bigint().nullable(),
});
export type FindingListRow = z.infer<typeof findingListRow>;

/** Findings of a rule that fires on most containers, counted for one namespace instead of listed. */
export const findingGroup = z.object({
  ruleId: z.string(),
  cluster: z.string(),
  namespace: z.string(),
  severity,
  findings: z.number().int(),
  workloads: z.number().int(),
});
export type FindingGroup = z.infer<typeof findingGroup>;

export const findingGroupTotal = z.object({
  ruleId: z.string(),
  namespaces: z.number().int(),
  findings: z.number().int(),
});
export type FindingGroupTotal = z.infer<typeof findingGroupTotal>;

export const findingListResult = z.object({
  rows: z.array(findingListRow),
  total: z.number().int(),
  /** Opaque: the sort value and id the page ended on (paging.ts). */
  nextCursor: z.string().nullable(),
  /**
   * Grouped rules' findings per namespace, the namespaces with most first, as many as a page shows;
   * their rows are listed only when the filter names the rule.
   */
  groups: z.array(findingGroup),
  /** Each grouped rule's namespaces and findings, all of them (groups holds the largest). */
  groupTotals: z.array(findingGroupTotal),
});
export type FindingList = z.infer<typeof findingListResult>;

/** What the findings table sorts by; ties are broken by id, in the same direction. */
export const FINDING_SORTS = ["severity", "opened", "cluster", "rule"] as const;
export type FindingSort = (typeof FINDING_SORTS)[number];
/** The direction a sort starts in: most severe first, oldest first, then A to Z. */
export const FINDING_SORT_FIRST: Record<FindingSort, "asc" | "desc"> = {
  severity: "desc",
  opened: "asc",
  cluster: "asc",
  rule: "asc",
};

const FINDING_SORT_SQL: Record<
  FindingSort,
  { expr: Prisma.Sql; type: SortType; value: (r: FindingRow) => string | number }
> = {
  // The enum itself (info < … < critical), so that Finding_open_severity_idx can hand out the first page.
  severity: { expr: Prisma.sql`q.severity_order`, type: "severity", value: (r) => r.severity },
  opened: { expr: Prisma.sql`q.opened_at`, type: "timestamptz", value: (r) => r.opened_at.toISOString() },
  cluster: { expr: Prisma.sql`q.cluster`, type: "text", value: (r) => r.cluster },
  rule: { expr: Prisma.sql`q.rule_id`, type: "text", value: (r) => r.rule_id },
};

export async function listFindings(
  db: Db,
  filter: FindingExportFilter,
  opts: {
    sort?: FindingSort;
    order?: "asc" | "desc";
    /** A cursor this list handed out for the same sort (InvalidCursorError otherwise). */
    cursor?: string | null;
    limit?: number;
    now?: Date;
    /** Rules shown as one line per namespace with a count, unless the filter names the rule. */
    groupRules?: readonly string[];
    /** How many of those lines (the namespaces with most findings); default FINDING_GROUPS_SHOWN. */
    groupLimit?: number;
    /** Count from the open-finding counts when the filter allows (default); false counts the rows (tests compare the two). */
    useCounts?: boolean;
  } = {},
): Promise<FindingList> {
  const now = opts.now ?? new Date();
  const limit = Math.max(1, Math.min(opts.limit ?? 50, 500));
  const inner = findingsQuery(filter, now, { ordered: false });
  const grouped = (opts.groupRules ?? []).filter((id) => id !== filter.ruleId);
  const listed = grouped.length ? Prisma.sql`NOT (q.rule_id IN (${Prisma.join(grouped)}))` : Prisma.sql`TRUE`;
  const counted = opts.useCounts !== false && countable(filter);
  const key = opts.sort ?? "severity";
  const sort = FINDING_SORT_SQL[key];
  const desc = (opts.order ?? FINDING_SORT_FIRST[key]) === "desc";
  const dir = Prisma.raw(desc ? "DESC" : "ASC");
  const after = afterCursor(opts.cursor ? decodeCursor(opts.cursor, sort.type) : null, sort.type, desc);
  const [rows, total, { groups, totals }] = await Promise.all([
    db.$queryRaw<FindingRow[]>`
      SELECT * FROM (${inner}) q WHERE ${after(sort.expr, Prisma.sql`q.finding_id`)} AND ${listed}
      ORDER BY ${sort.expr} ${dir}, q.finding_id ${dir} LIMIT ${limit + 1}`,
    counted
      ? countListed(db, filter, grouped)
      : db.$queryRaw<Array<{ n: number }>>`SELECT COUNT(*)::int AS n FROM (${inner}) q WHERE ${listed}`,
    findingGroups(db, filter, grouped, {
      inner: counted ? null : inner,
      limit: opts.groupLimit ?? FINDING_GROUPS_SHOWN,
    }),
  ]);
  const page = rows.slice(0, limit);
  return {
    rows: page.map(camelized),
    total: total[0]?.n ?? 0,
    nextCursor:
      rows.length > limit && page.length
        ? encodeCursor({
            v: sort.value(page[page.length - 1] as FindingRow),
            id: String(page[page.length - 1]?.finding_id),
          })
        : null,
    groups,
    groupTotals: totals,
  };
}

/**
 * True when the filter selects open findings (waived included) by cluster, namespace, rule and
 * severity only: then the open-finding counts answer the total, and the grouped rules' counts come
 * from one covering index, instead of building every row of the list to count it.
 */
export function countable(filter: FindingExportFilter): boolean {
  const { cluster, clusters, clusterLabel, namespace, ruleId, severity, state, ...rest } = filter;
  return (state ?? "open") === "open" && Object.values(rest).every((v) => v === undefined);
}

/** The list's total for a countable filter: open findings of the rules listed one by one. */
function countListed(db: Db, filter: FindingExportFilter, grouped: string[]) {
  const notGrouped = grouped.length
    ? Prisma.sql`AND o."ruleId" NOT IN (${Prisma.join(grouped)})`
    : Prisma.empty;
  return db.$queryRaw<Array<{ n: number }>>`
    SELECT COALESCE(SUM(o.n), 0)::int AS n FROM "OpenFindingCount" o JOIN "Cluster" c ON c.id = o."clusterId"
    WHERE TRUE ${notGrouped} ${countedWhere(filter, "o")}`;
}
