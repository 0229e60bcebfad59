// Namespaces with their scores, owners and open findings: one cluster's (the cluster page) and
// the fleet's lowest-scoring (the fleet page). Scores come from the namespace rollups of each
// cluster's newest snapshot, so the work is proportional to the namespaces shown, not to history.
import { complianceScore, gradeFor, ownerLabel } from "@pullsight/core";
import { z } from "zod";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { countKey, countOpenFindings, emptyFindingCounts } from "./open-counts.ts";
import { type FindingCounts, findingCounts, grade, labelMap } from "./results.ts";

export const namespaceSummary = z.object({
  name: z.string(),
  /** The namespace's owning team (core teams.ts), "(unowned)" when nothing names one. */
  team: z.string(),
  labels: labelMap,
  profile: z.string().nullable(),
  workloads: z.number().int(),
  containers: z.number().int(),
  compliant: z.number().int(),
  score: z.number().nullable(),
  grade: grade.nullable(),
  findings: findingCounts,
});
export type NamespaceSummary = z.infer<typeof namespaceSummary>;

export const worstNamespace = namespaceSummary.extend({ cluster: z.string() });
export type WorstNamespace = z.infer<typeof worstNamespace>;

interface NamespaceRollup {
  clusterId: number;
  namespace: string;
  workloads: number;
  containers: number;
  compliant: number;
}

/** The namespace rollups of each cluster's newest snapshot (of `clusterIds`, or every cluster), in one query. */
export function latestNamespaceRollups(db: Db, clusterIds?: readonly number[]): Promise<NamespaceRollup[]> {
  return db.$queryRaw<NamespaceRollup[]>`
    SELECT r."clusterId", r.namespace, r.workloads, r.containers, r.compliant
    FROM "Cluster" c CROSS JOIN LATERAL (
      SELECT "snapshotId" FROM "PostureRollup" WHERE "clusterId" = c.id AND namespace = ''
      ORDER BY "takenAt" DESC LIMIT 1
    ) l
    JOIN "PostureRollup" r ON r."snapshotId" = l."snapshotId" AND r.namespace <> ''
    ${clusterIds ? Prisma.sql`WHERE c.id = ANY(${[...clusterIds]}::int[])` : Prisma.empty}`;
}

const byScore = (a: NamespaceSummary, b: NamespaceSummary) =>
  (a.score ?? 101) - (b.score ?? 101) || a.name.localeCompare(b.name);

/** Summaries of `rollups` with their namespaces' labels and open findings, lowest score first. */
export async function summarizeNamespaces(
  db: Db,
  now: Date,
  rollups: NamespaceRollup[],
): Promise<Array<NamespaceSummary & { clusterId: number }>> {
  if (rollups.length === 0) return [];
  const pairs = Prisma.join(rollups.map((r) => Prisma.sql`(${r.clusterId}::int, ${r.namespace}::text)`));
  const [info, findings] = await Promise.all([
    db.$queryRaw<
      Array<{
        clusterId: number;
        name: string;
        labels: unknown;
        profile: string | null;
        owner: string | null;
      }>
    >`
      SELECT n."clusterId", n.name, n.labels, n.profile, n.owner FROM "Namespace" n
      WHERE n."deletedAt" IS NULL AND (n."clusterId", n.name) IN (${pairs})`,
    countOpenFindings(db, now, "namespace", {
      namespaces: rollups.map((r) => ({ clusterId: r.clusterId, namespace: r.namespace })),
    }),
  ]);
  const key = countKey;
  const infoOf = new Map(info.map((n) => [key(n.clusterId, n.name), n]));
  return rollups
    .map((r) => {
      const found = infoOf.get(key(r.clusterId, r.namespace));
      const labels = (found?.labels ?? {}) as Record<string, string>;
      const score = complianceScore(r.compliant, r.containers);
      return {
        clusterId: r.clusterId,
        name: r.namespace,
        team: ownerLabel(found?.owner),
        labels,
        profile: found?.profile ?? null,
        workloads: r.workloads,
        containers: r.containers,
        compliant: r.compliant,
        score,
        grade: gradeFor(score),
        findings: findings.get(key(r.clusterId, r.namespace)) ?? emptyFindingCounts(),
      };
    })
    .sort(byScore);
}

/**
 * The fleet's `limit` lowest-scoring namespaces that run containers, ties broken by more open
 * findings. Findings are counted only for the namespaces that can make the list (those scoring at
 * most the `limit`-th lowest score), not for the whole fleet.
 */
export async function getWorstNamespaces(
  db: Db,
  opts: { now?: Date; limit?: number } = {},
): Promise<WorstNamespace[]> {
  const limit = opts.limit ?? 5;
  const scored = (await latestNamespaceRollups(db))
    .filter((r) => r.containers > 0)
    .map((r) => ({ ...r, score: complianceScore(r.compliant, r.containers) ?? 101 }))
    .sort((a, b) => a.score - b.score);
  const cutoff = scored[limit - 1]?.score ?? Number.POSITIVE_INFINITY;
  const candidates = scored.filter((r) => r.score <= cutoff);
  const names = new Map(
    (await db.cluster.findMany({ select: { id: true, name: true } })).map((c) => [c.id, c.name]),
  );
  const open = (c: FindingCounts) => c.open;
  return (await summarizeNamespaces(db, opts.now ?? new Date(), candidates))
    .sort((a, b) => (a.score ?? 101) - (b.score ?? 101) || open(b.findings) - open(a.findings))
    .slice(0, limit)
    .map(({ clusterId, ...n }) => ({ ...n, cluster: names.get(clusterId) ?? String(clusterId) }));
}
