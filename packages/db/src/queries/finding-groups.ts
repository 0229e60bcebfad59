// The findings list's grouped rules (core's GROUPED_RULE_IDS: rules that fire on most containers),
// one line per namespace with its findings and workloads. A page shows the namespaces with most
// findings, so only those are summarized: the ranking and the totals come from the open-finding
// counts ("OpenFindingCount", kept by triggers) when the filter allows, and each shown namespace's
// workloads and newest severity from one covering index (Finding_open_rule_idx). A filter the
// counts cannot answer (resolved, as of an instant, team, facts) groups the list's own rows.
import type { Db } from "../client.ts";
import type { FindingExportFilter } from "../exports/queries.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { clusterConditions } from "./filters.ts";
import type { FindingGroup, FindingGroupTotal } from "./findings.ts";

/** Conditions of a countable filter over "OpenFindingCount" (`o`) or "Finding" (`f`), with `c` the cluster. */
export function countedWhere(filter: FindingExportFilter, alias: "o" | "f"): Prisma.Sql {
  const a = (column: string) => Prisma.raw(`${alias}."${column}"`);
  const parts = clusterConditions(filter);
  if (filter.namespace) parts.push(Prisma.sql`${a("namespace")} = ${filter.namespace}`);
  if (filter.ruleId) parts.push(Prisma.sql`${a("ruleId")} = ${filter.ruleId}`);
  if (filter.severity) parts.push(Prisma.sql`${a("severity")} = ${filter.severity}::"FindingSeverity"`);
  return parts.length ? Prisma.sql`AND ${Prisma.join(parts, " AND ")}` : Prisma.empty;
}

/**
 * The `limit` namespaces with most findings of the `grouped` rules (ties by cluster, namespace,
 * rule) and every rule's totals. `inner`: the list's rows when the filter is not countable.
 */
export async function findingGroups(
  db: Db,
  filter: FindingExportFilter,
  grouped: readonly string[],
  opts: { inner: Prisma.Sql | null; limit: number },
): Promise<{ groups: FindingGroup[]; totals: FindingGroupTotal[] }> {
  if (grouped.length === 0) return { groups: [], totals: [] };
  const perNamespace = opts.inner ? fromRows(opts.inner, grouped) : fromCounts(filter, grouped);
  const [groups, totals] = await Promise.all([
    opts.inner
      ? largestFromRows(db, perNamespace, opts.limit)
      : largestFromCounts(db, filter, perNamespace, opts.limit),
    db.$queryRaw<FindingGroupTotal[]>`
      WITH g AS (${perNamespace})
      SELECT "ruleId", COUNT(*)::int AS namespaces, SUM(findings)::int AS findings
      FROM g GROUP BY 1 ORDER BY 1`,
  ]);
  return { groups, totals };
}

/** ("ruleId", "clusterId", cluster, namespace, findings) from the open-finding counts. */
const fromCounts = (filter: FindingExportFilter, grouped: readonly string[]) => Prisma.sql`
  SELECT o."ruleId", o."clusterId", c.name AS cluster, o.namespace, SUM(o.n)::int AS findings
  FROM "OpenFindingCount" o JOIN "Cluster" c ON c.id = o."clusterId"
  WHERE o."ruleId" IN (${Prisma.join([...grouped])}) ${countedWhere(filter, "o")}
  GROUP BY 1, 2, 3, 4 HAVING SUM(o.n) > 0`;

/** The same, with the shown lines' workloads and newest severity, from the list's rows. */
const fromRows = (inner: Prisma.Sql, grouped: readonly string[]) => Prisma.sql`
  SELECT q.rule_id AS "ruleId", NULL::int AS "clusterId", q.cluster, q.namespace, COUNT(*)::int AS findings,
    COUNT(DISTINCT (q.workload_kind, q.workload))::int AS workloads,
    (ARRAY_AGG(q.severity ORDER BY q.finding_id DESC))[1] AS severity
  FROM (${inner}) q WHERE q.rule_id IN (${Prisma.join([...grouped])})
  GROUP BY 1, 2, 3, 4`;

const LARGEST = Prisma.sql`ORDER BY findings DESC, cluster, namespace, "ruleId"`;

function largestFromRows(db: Db, perNamespace: Prisma.Sql, limit: number) {
  return db.$queryRaw<FindingGroup[]>`
    SELECT "ruleId", cluster, namespace, severity, findings, workloads FROM (${perNamespace}) g
    ${LARGEST} LIMIT ${limit}`;
}

/**
 * The largest lines, then for each its workloads (a workload counts once; findings without one
 * count as one more) and its newest finding's severity, read from the covering index.
 */
function largestFromCounts(db: Db, filter: FindingExportFilter, perNamespace: Prisma.Sql, limit: number) {
  const severity = filter.severity
    ? Prisma.sql`AND f.severity = ${filter.severity}::"FindingSeverity"`
    : Prisma.empty;
  return db.$queryRaw<FindingGroup[]>`
    WITH top AS (SELECT * FROM (${perNamespace}) g ${LARGEST} LIMIT ${limit})
    SELECT t."ruleId", t.cluster, t.namespace, w.severity::text AS severity, t.findings, w.workloads
    FROM top t CROSS JOIN LATERAL (
      SELECT (COUNT(DISTINCT f."workloadId") + (COUNT(*) FILTER (WHERE f."workloadId" IS NULL) > 0)::int)::int AS workloads,
        (ARRAY_AGG(f.severity ORDER BY f.id DESC))[1] AS severity
      FROM "Finding" f
      WHERE f."resolvedAt" IS NULL AND f."ruleId" = t."ruleId" AND f."clusterId" = t."clusterId"
        AND f.namespace = t.namespace ${severity}) w
    ${LARGEST}`;
}
