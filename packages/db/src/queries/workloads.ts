// The workloads table: filtered, sorted and paginated in the database (keyset cursors, never
// OFFSET), so it stays fast on a 100,000-workload fleet. Container filters apply to one and the
// same current container (policy X *and* tag kind Y); finding filters count open, unwaived
// findings.

import type { Severity } from "@pullsight/core";
import { SEVERITIES, UNOWNED } from "@pullsight/core";
import { z } from "zod";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import {
  type ClusterFilter,
  type ContainerFactFilter,
  clusterConditions,
  factConditions,
  ownerOf,
  teamCondition,
} from "./filters.ts";
import { afterCursor, decodeCursor, encodeCursor, type SortType } from "./paging.ts";
import { factsConfirmedBy } from "./provenance.ts";
import { severity } from "./results.ts";
import { activeWaiverRules, waivedSql } from "./waivers.ts";

export interface WorkloadFilter extends ClusterFilter, ContainerFactFilter {
  namespace?: string;
  /** Workloads in namespaces this team owns. */
  team?: string;
  kind?: string;
  ruleId?: string;
  severity?: Severity;
  /** Free text over workload names, namespaces and container images (case-insensitive). */
  q?: string;
}

export const WORKLOAD_SORTS = [
  "name",
  "namespace",
  "cluster",
  "kind",
  "findings",
  "severity",
  "containers",
  "lastSeen",
] as const;
export type WorkloadSort = (typeof WORKLOAD_SORTS)[number];

export interface WorkloadListInput {
  filter?: WorkloadFilter;
  sort?: WorkloadSort;
  order?: "asc" | "desc";
  limit?: number;
  cursor?: string | null;
  now?: Date;
}

export const workloadRow = z.object({
  id: z.bigint(),
  cluster: z.string(),
  namespace: z.string(),
  /** The namespace's owning team, "(unowned)" when none. */
  owner: z.string(),
  kind: z.string(),
  name: z.string(),
  lastSeenAt: z.date(),
  /** When a current container fact (image, policy, secrets…) last changed. */
  lastChangedAt: z.date(),
  containers: z.number().int(),
  images: z.array(z.string()),
  policies: z.array(z.string()),
  /** Open, unwaived findings. */
  findings: z.number().int(),
  waived: z.number().int(),
  /** Highest severity among open, unwaived findings. */
  maxSeverity: severity.nullable(),
});
export type WorkloadRow = z.infer<typeof workloadRow>;

export const workloadPageResult = z.object({
  rows: z.array(workloadRow),
  total: z.number().int(),
  nextCursor: z.string().nullable(),
});
export type WorkloadPage = z.infer<typeof workloadPageResult>;

/** The values each filter can take, with how many containers have each. */
export const workloadFacetsResult = z.record(
  z.string(),
  z.array(z.object({ value: z.string(), containers: z.number().int() })),
);

/** Least to most severe, as a SQL array parameter (array_position gives the rank). */
export const SEVERITY_ORDER: string[] = [...SEVERITIES];

/** Escapes LIKE wildcards so user text is matched literally. */
export const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The shortest text pg_trgm can look up by index: a shorter one yields no trigram. */
const TRIGRAM = 3;

/**
 * Workloads whose name, namespace or a current image holds `q` (Workload.search, a line each, kept
 * by triggers). With a trigram, the matches are found by the index first, as a set of ids the rest
 * of the answer starts from (an array: a subquery was merged into a walk of the workloads in the
 * page's order, matching row by row, which read every workload when the matches came late in it). Shorter text is matched in one pass over the workloads the rest of the filter
 * reads. A line break cannot be in a name, namespace or image, so text holding one matches none.
 */
function searchCondition(q: string): Prisma.Sql {
  if (q.includes("\n")) return Prisma.sql`false`;
  const like = `%${likeEscape(q)}%`;
  return q.length >= TRIGRAM
    ? Prisma.sql`wl.id = ANY(ARRAY(SELECT ws.id FROM "Workload" ws WHERE ws.search ILIKE ${like} AND ws."deletedAt" IS NULL))`
    : Prisma.sql`wl.search ILIKE ${like}`;
}

/** WHERE conditions over `wl` (Workload) and `c` (Cluster) for a filter. */
export function workloadWhere(filter: WorkloadFilter, now: Date): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`wl."deletedAt" IS NULL`];
  // As an array of cluster ids known before the scan: PostgreSQL then reads those clusters'
  // workloads from an index (counted from it alone, or walked in "most findings" order) instead of
  // joining every workload to its cluster's name first.
  const clusters = clusterConditions(filter);
  if (clusters.length)
    parts.push(
      Prisma.sql`wl."clusterId" = ANY(ARRAY(SELECT c.id FROM "Cluster" c WHERE ${Prisma.join(clusters, " AND ")}))`,
    );
  if (filter.namespace) parts.push(Prisma.sql`wl.namespace = ${filter.namespace}`);
  if (filter.team) parts.push(teamCondition(filter.team, "wl"));
  if (filter.kind) parts.push(Prisma.sql`wl.kind = ${filter.kind}`);
  const cf = factConditions(filter);
  if (cf.length)
    parts.push(
      Prisma.sql`EXISTS (SELECT 1 FROM "ContainerFact" cf WHERE cf."workloadId" = wl.id AND cf."validTo" IS NULL AND ${Prisma.join(cf, " AND ")})`,
    );
  const f: Prisma.Sql[] = [];
  if (filter.ruleId) f.push(Prisma.sql`f."ruleId" = ${filter.ruleId}`);
  if (filter.severity) f.push(Prisma.sql`f.severity = ${filter.severity}::"FindingSeverity"`);
  if (f.length)
    parts.push(
      Prisma.sql`EXISTS (SELECT 1 FROM "Finding" f WHERE f."workloadId" = wl.id AND f."resolvedAt" IS NULL AND ${Prisma.join(f, " AND ")} AND NOT ${waivedSql(now)})`,
    );
  const q = filter.q?.trim();
  if (q) parts.push(searchCondition(q));
  return Prisma.join(parts, " AND ");
}

/**
 * Each sort's column in the rows, and, where it can be had without summarizing every workload, the
 * same over `wl` and `c` (the findings sort: findingsPage): then the page is chosen first and only its
 * rows get their containers and findings summarized (a search matching thousands of workloads, or
 * the fleet's five worst, summarizes a page, not the fleet).
 */
const SORT_SQL: Record<WorkloadSort, { expr: string; type: SortType; own?: string; counts?: true }> = {
  name: { expr: "name", type: "text", own: "wl.name" },
  namespace: { expr: "namespace", type: "text", own: "wl.namespace" },
  cluster: { expr: "cluster", type: "text", own: "c.name" },
  kind: { expr: "kind", type: "text", own: "wl.kind" },
  // Open unwaived findings per workload: its kept count less its waived findings (findingsPage).
  findings: { expr: "findings", type: "int", counts: true },
  severity: { expr: "severity_rank", type: "int" },
  containers: { expr: "containers", type: "int" },
  lastSeen: { expr: '"lastSeenAt"', type: "timestamptz", own: 'wl."lastSeenAt"' },
};

/**
 * One row per workload with its current containers (count, images, policies) and its open
 * findings (unwaived count, waived count, highest unwaived severity as a rank 1–5, 0 for none):
 * the workloads table and its CSV export select from this.
 */
export function workloadRowsSql(where: Prisma.Sql, now: Date): Prisma.Sql {
  return Prisma.sql`
        SELECT wl.id, c.name AS cluster, wl.namespace, ${ownerOf("wl")} AS owner, wl.kind, wl.name, wl."lastSeenAt",
          COALESCE(cs.last_changed, wl."firstSeenAt") AS "lastChangedAt",
          COALESCE(cs.containers, 0) AS containers, COALESCE(cs.images, '{}') AS images,
          COALESCE(cs.policies, '{}') AS policies,
          COALESCE(fs.findings, 0) AS findings, COALESCE(fs.waived, 0) AS waived,
          COALESCE(fs.severity_rank, 0) AS severity_rank,
          sn.id AS snapshot_id, sn."finishedAt" AS collected_at
        FROM "Workload" wl
        JOIN "Cluster" c ON c.id = wl."clusterId"
        LEFT JOIN "Snapshot" sn ON sn.id = ${factsConfirmedBy}
        LEFT JOIN LATERAL (
          SELECT COUNT(*)::int AS containers, MAX(cf."validFrom") AS last_changed, array_agg(DISTINCT cf.image ORDER BY cf.image) AS images,
            array_agg(DISTINCT cf."imagePullPolicy" ORDER BY cf."imagePullPolicy") AS policies
          FROM "ContainerFact" cf WHERE cf."workloadId" = wl.id AND cf."validTo" IS NULL
        ) cs ON true
        LEFT JOIN LATERAL (
          SELECT COUNT(*) FILTER (WHERE NOT x.waived)::int AS findings, COUNT(*) FILTER (WHERE x.waived)::int AS waived,
            COALESCE(MAX(array_position(${SEVERITY_ORDER}::text[], x.severity::text)) FILTER (WHERE NOT x.waived), 0)::int AS severity_rank
          FROM (SELECT f.severity, ${waivedSql(now)} AS waived FROM "Finding" f
                WHERE f."workloadId" = wl.id AND f."resolvedAt" IS NULL) x
        ) fs ON true
        WHERE ${where}`;
}

/**
 * The page of the findings sort (most or fewest open unwaived findings), as CTEs ending in `page`.
 * Workload."openFindings" (kept by triggers) counts waived findings too, and only a workload with
 * a waived finding (`waived`, few: only findings of rules an active waiver names are matched) can
 * rank otherwise: so the page is among the first limit + |waived| workloads in "openFindings"
 * order, which an index hands out, and the waived ones. Any other workload has at least that
 * many unwaived workloads ranked before it.
 */
function findingsPage(
  where: Prisma.Sql,
  now: Date,
  after: (expr: Prisma.Sql, id: Prisma.Sql) => Prisma.Sql,
  dir: Prisma.Sql,
  limit: number,
): Prisma.Sql {
  const open = Prisma.sql`wl."openFindings"`;
  const unwaived = Prisma.sql`(wl."openFindings" - COALESCE(fw.n, 0))`;
  return Prisma.sql`
    waived AS MATERIALIZED (
      SELECT f."workloadId" AS id, COUNT(*)::int AS n
      FROM (${activeWaiverRules(now)}) r
      JOIN "Finding" f ON f."ruleId" = r."ruleId" AND f."resolvedAt" IS NULL
      JOIN "Cluster" c ON c.id = f."clusterId" JOIN "Workload" wl ON wl.id = f."workloadId"
      WHERE ${waivedSql(now)} GROUP BY 1),
    candidates AS (
      (SELECT wl.id FROM "Workload" wl JOIN "Cluster" c ON c.id = wl."clusterId"
       WHERE ${where} AND ${after(open, Prisma.sql`wl.id`)}
       ORDER BY ${open} ${dir}, wl.id ${dir} LIMIT ${limit + 1} + (SELECT COUNT(*) FROM waived))
      UNION SELECT id FROM waived),
    page AS (
      SELECT wl.id FROM "Workload" wl JOIN "Cluster" c ON c.id = wl."clusterId" LEFT JOIN waived fw ON fw.id = wl.id
      WHERE wl.id = ANY(ARRAY(SELECT id FROM candidates)) AND ${where} AND ${after(unwaived, Prisma.sql`wl.id`)}
      ORDER BY ${unwaived} ${dir}, wl.id ${dir} LIMIT ${limit + 1})`;
}

export async function listWorkloads(db: Db, input: WorkloadListInput = {}): Promise<WorkloadPage> {
  const now = input.now ?? new Date();
  const filter = input.filter ?? {};
  const sort = SORT_SQL[input.sort ?? "name"];
  const desc = input.order === "desc";
  const limit = Math.max(1, Math.min(input.limit ?? 50, 500));
  const where = workloadWhere(filter, now);
  const sortExpr = Prisma.raw(sort.expr);
  const dir = Prisma.raw(desc ? "DESC" : "ASC");
  const after = afterCursor(input.cursor ? decodeCursor(input.cursor, sort.type) : null, sort.type, desc);
  const pageCte = sort.counts
    ? findingsPage(where, now, after, dir, limit)
    : sort.own
      ? Prisma.sql`page AS (
        SELECT wl.id FROM "Workload" wl JOIN "Cluster" c ON c.id = wl."clusterId"
        WHERE ${where} AND ${after(Prisma.raw(sort.own), Prisma.sql`wl.id`)}
        ORDER BY ${Prisma.raw(sort.own)} ${dir}, wl.id ${dir} LIMIT ${limit + 1})`
      : null;
  const pageSql = pageCte
    ? Prisma.sql`
      WITH ${pageCte}
      SELECT * FROM (${workloadRowsSql(Prisma.sql`wl.id IN (SELECT id FROM page)`, now)}) w
      ORDER BY ${sortExpr} ${dir}, id ${dir}`
    : Prisma.sql`
      WITH w AS (${workloadRowsSql(where, now)})
      SELECT * FROM w WHERE ${after(sortExpr, Prisma.sql`id`)}
      ORDER BY ${sortExpr} ${dir}, id ${dir}
      LIMIT ${limit + 1}`;
  const [rows, total] = await Promise.all([
    db.$queryRaw<
      Array<WorkloadRow & { severity_rank: number; snapshot_id: unknown; collected_at: unknown }>
    >`${pageSql}`,
    db.$queryRaw<Array<{ n: number }>>`
      SELECT COUNT(*)::int AS n FROM "Workload" wl JOIN "Cluster" c ON c.id = wl."clusterId" WHERE ${where}`,
  ]);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const value = (r: (typeof rows)[number]): string | number => {
    switch (input.sort ?? "name") {
      case "severity":
        return r.severity_rank;
      case "lastSeen":
        return r.lastSeenAt.toISOString();
      default:
        return r[(input.sort ?? "name") as "name"] as string | number;
    }
  };
  return {
    rows: page.map(({ severity_rank, snapshot_id: _s, collected_at: _c, ...r }) => ({
      ...r,
      maxSeverity: severity_rank > 0 ? (SEVERITY_ORDER[severity_rank - 1] as Severity) : null,
    })),
    total: total[0]?.n ?? 0,
    nextCursor: rows.length > limit && last ? encodeCursor({ v: value(last), id: String(last.id) }) : null,
  };
}

/** The values each filter can take in the current fleet (for the filter menus). */
export async function getWorkloadFacets(
  db: Db,
  cluster?: string,
): Promise<z.infer<typeof workloadFacetsResult>> {
  const where = cluster ? Prisma.sql`AND c.name = ${cluster}` : Prisma.empty;
  // Each cluster's counts as the snapshot step keeps them (ContainerFacets), summed here. The team
  // facet is the namespaces' counts summed by their owners.
  const [rows, owners] = await Promise.all([
    db.$queryRaw<Array<{ clusterId: number; name: string; counts: Record<string, Record<string, number>> }>>`
      SELECT f."clusterId", c.name, f.counts FROM "ContainerFacets" f JOIN "Cluster" c ON c.id = f."clusterId"
      WHERE true ${where}`,
    db.$queryRaw<Array<{ clusterId: number; name: string; owner: string | null }>>`
      SELECT n."clusterId", n.name, n.owner FROM "Namespace" n JOIN "Cluster" c ON c.id = n."clusterId"
      WHERE n."deletedAt" IS NULL ${where}`,
  ]);
  const ownerOfNs = new Map(owners.map((o) => [`${o.clusterId}/${o.name}`, o.owner ?? UNOWNED]));
  const counts = new Map<string, Map<string, number>>();
  const add = (facet: string, value: string, n: number) => {
    const m = counts.get(facet) ?? new Map<string, number>();
    m.set(value, (m.get(value) ?? 0) + n);
    counts.set(facet, m);
  };
  for (const r of rows) {
    for (const [facet, values] of Object.entries(r.counts))
      for (const [value, n] of Object.entries(values)) {
        add(facet, value, n);
        // Every container has a kind: the kinds' counts add up to the cluster's.
        if (facet === "kind") add("cluster", r.name, n);
        if (facet === "namespace") add("team", ownerOfNs.get(`${r.clusterId}/${value}`) ?? UNOWNED, n);
      }
  }
  const out: Record<string, Array<{ value: string; containers: number }>> = {};
  for (const [facet, values] of [...counts].sort(([a], [b]) => a.localeCompare(b)))
    out[facet] = [...values]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([value, containers]) => ({ value, containers }));
  return out;
}
