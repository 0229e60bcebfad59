// Open findings counted per cluster or per namespace, split into waived and not, at an instant.
// The totals come from "OpenFindingCount", which triggers on "Finding" keep (migration
// 20261202201000_open_finding_count); only the findings of rules an active waiver names are read,
// because whether a waiver covers a finding depends on the finding's workload and image and on the
// clock (waivers expire). With no active waiver the answer is the counts alone.
import { GROUPED_RULE_IDS, type Severity } from "@pullsight/core";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { FindingCounts } from "./results.ts";
import { activeWaiverRules, waivedSql } from "./waivers.ts";

export const emptyFindingCounts = (): FindingCounts => ({
  bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
  open: 0,
  waived: 0,
  grouped: 0,
});

/** Which counts: the whole fleet's, some clusters', or some namespaces' (cluster id and name). */
export interface CountScope {
  clusterIds?: readonly number[];
  namespaces?: ReadonlyArray<{ clusterId: number; namespace: string }>;
}

/** `clusterId` ("3") or `clusterId/namespace` ("3/shop"): the key of a count. */
export const countKey = (clusterId: number, namespace?: string) =>
  namespace === undefined ? String(clusterId) : `${clusterId}/${namespace}`;

function scopeSql(scope: CountScope, alias: string): Prisma.Sql {
  const col = (name: string) => Prisma.raw(`${alias}."${name}"`);
  const parts: Prisma.Sql[] = [];
  if (scope.clusterIds) parts.push(Prisma.sql`${col("clusterId")} = ANY(${[...scope.clusterIds]}::int[])`);
  if (scope.namespaces) {
    const pairs = scope.namespaces.map((p) => Prisma.sql`(${p.clusterId}::int, ${p.namespace}::text)`);
    parts.push(
      pairs.length
        ? Prisma.sql`(${col("clusterId")}, ${col("namespace")}) IN (${Prisma.join(pairs)})`
        : Prisma.sql`FALSE`,
    );
  }
  return parts.length ? Prisma.sql`AND ${Prisma.join(parts, " AND ")}` : Prisma.empty;
}

const groupedSql = (alias: string) =>
  GROUPED_RULE_IDS.length
    ? Prisma.sql`${Prisma.raw(`${alias}."ruleId"`)} IN (${Prisma.join([...GROUPED_RULE_IDS])})`
    : Prisma.sql`FALSE`;

interface CountRow {
  clusterId: number;
  namespace: string;
  severity: Severity;
  grouped: boolean;
  n: number;
}

/** Open findings by cluster (`by: "cluster"`) or by namespace, keyed by `countKey`. */
export async function countOpenFindings(
  db: Db,
  now: Date,
  by: "cluster" | "namespace",
  scope: CountScope = {},
): Promise<Map<string, FindingCounts>> {
  const ns = by === "namespace" ? Prisma.sql`namespace` : Prisma.sql`''`;
  const [totals, waived] = await Promise.all([
    db.$queryRaw<CountRow[]>`
      SELECT o."clusterId", ${ns} AS namespace, o.severity::text AS severity, ${groupedSql("o")} AS grouped, SUM(o.n)::int AS n
      FROM "OpenFindingCount" o WHERE o.n <> 0 ${scopeSql(scope, "o")}
      GROUP BY 1, 2, 3, 4`,
    db.$queryRaw<CountRow[]>`
      SELECT f."clusterId", ${by === "namespace" ? Prisma.sql`f.namespace` : Prisma.sql`''`} AS namespace,
        f.severity::text AS severity, ${groupedSql("f")} AS grouped, COUNT(*)::int AS n
      FROM (${activeWaiverRules(now)}) r
      JOIN "Finding" f ON f."ruleId" = r."ruleId" AND f."resolvedAt" IS NULL
      JOIN "Cluster" c ON c.id = f."clusterId"
      LEFT JOIN "Workload" wl ON wl.id = f."workloadId"
      WHERE ${waivedSql(now)} ${scopeSql(scope, "f")}
      GROUP BY 1, 2, 3, 4`,
  ]);
  const out = new Map<string, FindingCounts>();
  const countsOf = (r: CountRow) => {
    const key = countKey(r.clusterId, by === "namespace" ? r.namespace : undefined);
    let counts = out.get(key);
    if (!counts) {
      counts = emptyFindingCounts();
      out.set(key, counts);
    }
    return counts;
  };
  for (const r of totals) {
    const counts = countsOf(r);
    counts.bySeverity[r.severity] += r.n;
    counts.open += r.n;
    if (r.grouped) counts.grouped += r.n;
  }
  for (const r of waived) {
    const counts = countsOf(r);
    counts.waived += r.n;
    counts.bySeverity[r.severity] -= r.n;
    counts.open -= r.n;
    if (r.grouped) counts.grouped -= r.n;
  }
  return out;
}
