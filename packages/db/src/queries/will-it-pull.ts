// Will it pull? Every workload container whose image is at risk of not pulling as it runs now, from
// the open (not clearing) findings of PS019 (the registry no longer serves the reference) and
// PS020 (the tag now names a digest no pod runs), with what the registry said, the pods and nodes
// that keep it running, and the snapshot that last saw it. The page and its CSV read this one
// query, so the CSV is the table.
import { AT_RISK_RULES, UNOWNED } from "@pullsight/core";
import { z } from "zod";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { type ClusterFilter, clusterConditions, ownerOf, teamCondition } from "./filters.ts";
import { firstOrders, type ListSort, type ListSortChoice, orderedBy, pageWithTotal } from "./paging.ts";
import {
  FINDING_PROVENANCE_COLUMNS,
  findingConfirmedBy,
  findingProvenanceFields,
  findingProvenanceSql,
} from "./provenance.ts";
import { waivedSql } from "./waivers.ts";

export interface AtRiskFilter extends ClusterFilter {
  namespace?: string;
  team?: string;
  registry?: string;
  /** core AT_RISK_CAUSES. */
  cause?: string;
}

export const AT_RISK_COLUMNS = [
  "cluster",
  "namespace",
  "owner",
  "workload_kind",
  "workload",
  "container",
  "image",
  "registry",
  "cause",
  "http_status",
  "detail",
  "registry_digest",
  "running_digests",
  "pods",
  "nodes",
  "node_names",
  "pull_certain",
  "severity",
  "waived",
  "since",
  "probed_at",
  "rule_id",
  "finding_id",
  "message",
  ...FINDING_PROVENANCE_COLUMNS,
] as const;

export const atRiskRow = z.object({
  cluster: z.string(),
  namespace: z.string(),
  owner: z.string(),
  workload_kind: z.string().nullable(),
  workload: z.string().nullable(),
  container: z.string().nullable(),
  image: z.string().nullable(),
  registry: z.string().nullable(),
  cause: z.string(),
  http_status: z.number().int().nullable(),
  detail: z.string().nullable(),
  registry_digest: z.string().nullable(),
  /** Space-separated. */
  running_digests: z.string().nullable(),
  pods: z.number().int().nullable(),
  nodes: z.number().int().nullable(),
  /** Space-separated, up to 50 (the evidence's). */
  node_names: z.string().nullable(),
  pull_certain: z.boolean().nullable(),
  severity: z.string(),
  waived: z.boolean(),
  since: z.date(),
  probed_at: z.date().nullable(),
  rule_id: z.string(),
  finding_id: z.bigint(),
  message: z.string(),
  ...findingProvenanceFields,
  /** For links; not an export column. */
  workload_id: z.bigint().nullable(),
});
export type AtRiskRow = z.infer<typeof atRiskRow>;

const CAUSE_SQL = Prisma.sql`(CASE WHEN f."ruleId" = ${AT_RISK_RULES.moved} THEN 'tag-moved'
  ELSE f.evidence -> 'registryAnswer' ->> 'outcome' END)`;

function atRiskWhere(filter: AtRiskFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [
    Prisma.sql`f."ruleId" IN (${AT_RISK_RULES.latent}, ${AT_RISK_RULES.moved})`,
    Prisma.sql`f."resolvedAt" IS NULL`,
    Prisma.sql`f."clearingSince" IS NULL`,
    ...clusterConditions(filter),
  ];
  if (filter.namespace) parts.push(Prisma.sql`f.namespace = ${filter.namespace}`);
  if (filter.team) parts.push(teamCondition(filter.team, "f"));
  if (filter.registry) parts.push(Prisma.sql`f.evidence ->> 'registry' = ${filter.registry}`);
  if (filter.cause) parts.push(Prisma.sql`${CAUSE_SQL} = ${filter.cause}`);
  return Prisma.join(parts, " AND ");
}

/** What the at-risk list sorts by: severity (the default), how long at risk, what the registry said. */
export const AT_RISK_SORTS = ["severity", "since", "cause"] as const;
export type AtRiskSort = (typeof AT_RISK_SORTS)[number];
const AT_RISK_SORT_SQL: Record<AtRiskSort, ListSort> = {
  // The enum orders info < … < critical.
  severity: { expr: Prisma.sql`q.severity::"FindingSeverity"`, first: "desc" },
  since: { expr: Prisma.sql`q.since`, first: "asc" },
  cause: { expr: Prisma.sql`q.cause`, first: "asc" },
};
export const AT_RISK_SORT_FIRST = firstOrders(AT_RISK_SORT_SQL);
export type AtRiskOrder = ListSortChoice<AtRiskSort>;

/** The rows, most severe first, then the longest at risk, unless sorted otherwise; `now` decides what is waived. */
export function atRiskQuery(filter: AtRiskFilter, now: Date, sort: AtRiskOrder = {}): Prisma.Sql {
  const rows = Prisma.sql`
    SELECT c.name AS cluster, f.namespace, ${ownerOf("f")} AS owner, wl.kind AS workload_kind, wl.name AS workload,
      f."containerName" AS container, f.image, f.evidence ->> 'registry' AS registry, ${CAUSE_SQL} AS cause,
      (f.evidence -> 'registryAnswer' ->> 'httpStatus')::int AS http_status,
      f.evidence -> 'registryAnswer' ->> 'detail' AS detail,
      f.evidence ->> 'registryDigest' AS registry_digest,
      (SELECT string_agg(d.value ->> 'digest', ' ') FROM jsonb_array_elements(COALESCE(f.evidence -> 'runningDigests', '[]'::jsonb)) d)
        AS running_digests,
      (f.evidence ->> 'pods')::int AS pods, jsonb_array_length(COALESCE(f.evidence -> 'nodes', '[]'::jsonb)) AS nodes,
      (SELECT string_agg(n.value, ' ') FROM jsonb_array_elements_text(COALESCE(f.evidence -> 'nodes', '[]'::jsonb)) n) AS node_names,
      (f.evidence ->> 'pullCertain')::boolean AS pull_certain,
      f.severity::text AS severity, ${waivedSql(now)} AS waived, f."openedAt" AS since,
      (f.evidence -> 'registryAnswer' ->> 'probedAt')::timestamptz AS probed_at,
      f."ruleId" AS rule_id, f.id AS finding_id,
      COALESCE(f.evidence ->> 'message', '') AS message,
      ${findingProvenanceSql},
      wl.id AS workload_id
    FROM "Finding" f
    JOIN "Cluster" c ON c.id = f."clusterId"
    LEFT JOIN "Workload" wl ON wl.id = f."workloadId"
    LEFT JOIN "Snapshot" s ON s.id = ${findingConfirmedBy}
    WHERE ${atRiskWhere(filter)}`;
  return orderedBy(
    rows,
    AT_RISK_SORT_SQL,
    { ...sort, fallback: "severity" },
    Prisma.sql`q.severity::"FindingSeverity" DESC, q.since, q.cluster, q.namespace, q.workload, q.container`,
  );
}

/** A page of the rows, and how many there are in all. */
export async function listAtRisk(
  db: Db,
  filter: AtRiskFilter,
  opts: { now: Date; limit?: number; sort?: AtRiskOrder },
): Promise<{ rows: AtRiskRow[]; total: number }> {
  const page = await pageWithTotal<AtRiskRow>(
    db,
    atRiskQuery(filter, opts.now, opts.sort),
    opts.limit ?? 200,
  );
  return { rows: page.rows.map((r) => ({ ...r, owner: r.owner ?? UNOWNED })), total: page.total };
}
