// The findings list: the same rows as the findings export (one query, so the table and its CSV
// cannot disagree), a page at a time by finding id.

import type { FindingStatus } from "@pullsight/core";
import type { Db } from "../client.ts";
import { type FindingExportFilter, findingsQuery } from "../exports/queries.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { SeverityName } from "./fleet.ts";

export interface FindingRow {
  finding_id: bigint;
  cluster: string;
  namespace: string;
  workload_kind: string | null;
  workload: string | null;
  container: string | null;
  rule_id: string;
  severity: SeverityName;
  status: FindingStatus;
  image: string | null;
  message: string | null;
  opened_at: Date;
  /** snapshot | pull-events | pod-status: what says when the condition began. */
  opened_from: string;
  first_seen_at: Date | null;
  opened_snapshot_id: bigint;
  evidence_since: Date | null;
  /** Set while a runtime condition is gone but its hysteresis window has not passed. */
  clearing_since: Date | null;
  /** Set while its rule has no data for the container (no pods, too few pulls): held as it was. */
  unverified_since: Date | null;
  /** The snapshot that last saw its condition. */
  last_seen_snapshot_id: bigint | null;
  resolved_at: Date | null;
  resolved_snapshot_id: bigint | null;
  /** The snapshot that confirms the row's status (collected_at is its time). */
  confirmed_snapshot_id: bigint | null;
  collected_at: Date | null;
  collector_version: string | null;
  rules_version: string | null;
  /** The workload's id (links); not an export column. */
  workload_id: bigint | null;
}

/** Findings of a rule that fires on most containers, counted for one namespace instead of listed. */
export interface FindingGroup {
  rule_id: string;
  cluster: string;
  namespace: string;
  severity: SeverityName;
  findings: number;
  workloads: number;
}

export async function listFindings(
  db: Db,
  filter: FindingExportFilter,
  opts: {
    cursor?: bigint | null;
    limit?: number;
    now?: Date;
    /** Rules shown as one line per namespace with a count, unless the filter names the rule. */
    groupRules?: readonly string[];
  } = {},
): Promise<{ rows: FindingRow[]; total: number; nextCursor: bigint | null; groups: FindingGroup[] }> {
  const now = opts.now ?? new Date();
  const limit = Math.max(1, Math.min(opts.limit ?? 50, 500));
  const inner = findingsQuery(filter, now);
  const grouped = (opts.groupRules ?? []).filter((id) => id !== filter.ruleId);
  const listed = grouped.length ? Prisma.sql`NOT (q.rule_id IN (${Prisma.join(grouped)}))` : Prisma.sql`TRUE`;
  const [rows, total, groups] = await Promise.all([
    db.$queryRaw<FindingRow[]>`
      SELECT * FROM (${inner}) q WHERE q.finding_id > ${opts.cursor ?? 0n} AND ${listed}
      ORDER BY q.finding_id LIMIT ${limit + 1}`,
    db.$queryRaw<Array<{ n: number }>>`SELECT COUNT(*)::int AS n FROM (${inner}) q WHERE ${listed}`,
    grouped.length
      ? db.$queryRaw<FindingGroup[]>`
          SELECT q.rule_id, q.cluster, q.namespace,
                 (ARRAY_AGG(q.severity ORDER BY q.finding_id DESC))[1] AS severity,
                 COUNT(*)::int AS findings,
                 COUNT(DISTINCT (q.workload_kind, q.workload))::int AS workloads
          FROM (${inner}) q WHERE q.rule_id IN (${Prisma.join(grouped)})
          GROUP BY q.rule_id, q.cluster, q.namespace
          ORDER BY findings DESC, q.cluster, q.namespace`
      : Promise.resolve([]),
  ]);
  const page = rows.slice(0, limit);
  return {
    rows: page,
    total: total[0]?.n ?? 0,
    nextCursor: rows.length > limit ? (page[page.length - 1]?.finding_id ?? null) : null,
    groups,
  };
}
