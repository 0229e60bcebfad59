// Scores per owning team: the namespace rollups of each cluster's newest snapshot in a window,
// summed over the namespaces a team owns. A team spans clusters, so its score is its compliant
// containers over its containers across all of them, like the fleet's.
import { complianceScore, type ReviewScope } from "@pullsight/core";
import { addWeeks } from "date-fns";
import { z } from "zod";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { latestNamespaceRollups, summarizeNamespaces, type WorstNamespace } from "./namespaces.ts";
import { countKey, countOpenFindings, emptyFindingCounts } from "./open-counts.ts";
import { type FindingCounts, findingCounts } from "./results.ts";
import { OWNER_SQL } from "./review-groups.ts";

interface TeamTally {
  team: string;
  containers: number;
  compliant: number;
}

/** Containers and compliant containers per team at each cluster's newest snapshot in [from, to). */
export async function teamTallies(
  db: Db,
  from: Date,
  to: Date,
  scope: ReviewScope = { kind: "fleet" },
): Promise<Map<string, TeamTally>> {
  const cluster = scope.kind === "cluster" || scope.kind === "namespace" ? scope.cluster : null;
  const rows = await db.$queryRaw<TeamTally[]>`
    SELECT ${OWNER_SQL} AS team, SUM(r.containers)::int AS containers, SUM(r.compliant)::int AS compliant
    FROM "Cluster" c CROSS JOIN LATERAL (
      SELECT "snapshotId" FROM "PostureRollup"
      WHERE "clusterId" = c.id AND namespace = '' AND "takenAt" >= ${from} AND "takenAt" < ${to}
      ORDER BY "takenAt" DESC, "snapshotId" DESC LIMIT 1
    ) l
    JOIN "PostureRollup" r ON r."snapshotId" = l."snapshotId" AND r.namespace <> ''
    LEFT JOIN "Namespace" n ON n."clusterId" = r."clusterId" AND n.name = r.namespace
    WHERE true ${cluster === null ? Prisma.empty : Prisma.sql`AND c.name = ${cluster}`}
      ${scope.kind === "namespace" ? Prisma.sql`AND r.namespace = ${scope.namespace}` : Prisma.empty}
    GROUP BY 1`;
  return new Map(rows.map((r) => [r.team, r]));
}

export const teamMovement = z.object({
  team: z.string(),
  score: z.number().nullable(),
  previous: z.number().nullable(),
  /** Points gained (negative: lost) since the week before; null when either week has no score. */
  delta: z.number().nullable(),
  containers: z.number().int(),
});
export type TeamMovement = z.infer<typeof teamMovement>;

/** Each team's score at the end of the week starting `start` against the week before, the largest drop first. */
export async function teamMovements(db: Db, start: Date, scope: ReviewScope): Promise<TeamMovement[]> {
  const [current, previous] = await Promise.all([
    teamTallies(db, start, addWeeks(start, 1), scope),
    teamTallies(db, addWeeks(start, -1), start, scope),
  ]);
  const teams = new Set([...current.keys(), ...previous.keys()]);
  const out = [...teams].map((team) => {
    const now = current.get(team);
    const before = previous.get(team);
    const score = now ? complianceScore(now.compliant, now.containers) : null;
    const prev = before ? complianceScore(before.compliant, before.containers) : null;
    const delta = score !== null && prev !== null ? Math.round((score - prev) * 10) / 10 : null;
    return { team, score, previous: prev, delta, containers: now?.containers ?? 0 };
  });
  const order = (m: TeamMovement) => m.delta ?? Number.POSITIVE_INFINITY;
  return out
    .filter((m) => scope.kind !== "team" || m.team === scope.team)
    .sort(
      (a, b) => order(a) - order(b) || (a.score ?? 101) - (b.score ?? 101) || a.team.localeCompare(b.team),
    );
}

/** The teams that own a namespace now, by name, with "(unowned)" when some namespace has no owner. */
export async function listTeams(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ team: string }>>`
    SELECT DISTINCT ${OWNER_SQL} AS team FROM "Namespace" n WHERE n."deletedAt" IS NULL ORDER BY 1`;
  return rows.map((r) => r.team);
}

export const teamSummary = z.object({
  team: z.string(),
  /** Score at each cluster's newest snapshot, and a week before. */
  score: z.number().nullable(),
  weekAgo: z.number().nullable(),
  delta: z.number().nullable(),
  containers: z.number().int(),
  compliant: z.number().int(),
  clusters: z.number().int(),
  namespaces: z.number().int(),
  findings: findingCounts,
});
export type TeamSummary = z.infer<typeof teamSummary>;

const addCounts = (a: FindingCounts, b: FindingCounts): FindingCounts => ({
  open: a.open + b.open,
  waived: a.waived + b.waived,
  grouped: a.grouped + b.grouped,
  bySeverity: Object.fromEntries(
    Object.entries(a.bySeverity).map(([s, n]) => [
      s,
      n + (b.bySeverity[s as keyof typeof b.bySeverity] ?? 0),
    ]),
  ) as FindingCounts["bySeverity"],
});

/** Every team (or one) with its score now and a week ago, its namespaces and its open findings. */
export async function listTeamSummaries(db: Db, now: Date, only?: string): Promise<TeamSummary[]> {
  const [current, weekAgo, namespaces] = await Promise.all([
    teamTallies(db, new Date(0), new Date(now.getTime() + 1)),
    teamTallies(db, new Date(0), addWeeks(now, -1)),
    db.$queryRaw<Array<{ team: string; clusterId: number; namespace: string }>>`
      SELECT ${OWNER_SQL} AS team, n."clusterId", n.name AS namespace FROM "Namespace" n
      WHERE n."deletedAt" IS NULL ${only === undefined ? Prisma.empty : Prisma.sql`AND ${OWNER_SQL} = ${only}`}`,
  ]);
  const counts = await countOpenFindings(db, now, "namespace", { namespaces });
  const byTeam = new Map<string, TeamSummary>();
  for (const ns of namespaces) {
    const now_ = current.get(ns.team);
    const before = weekAgo.get(ns.team);
    const entry = byTeam.get(ns.team) ?? {
      team: ns.team,
      score: now_ ? complianceScore(now_.compliant, now_.containers) : null,
      weekAgo: before ? complianceScore(before.compliant, before.containers) : null,
      delta: null,
      containers: now_?.containers ?? 0,
      compliant: now_?.compliant ?? 0,
      clusters: 0,
      namespaces: 0,
      findings: emptyFindingCounts(),
    };
    entry.namespaces += 1;
    entry.findings = addCounts(
      entry.findings,
      counts.get(countKey(ns.clusterId, ns.namespace)) ?? emptyFindingCounts(),
    );
    byTeam.set(ns.team, entry);
  }
  for (const [team, entry] of byTeam) {
    entry.clusters = new Set(namespaces.filter((n) => n.team === team).map((n) => n.clusterId)).size;
    if (entry.score !== null && entry.weekAgo !== null)
      entry.delta = Math.round((entry.score - entry.weekAgo) * 10) / 10;
  }
  return [...byTeam.values()].sort(
    (a, b) => (a.score ?? 101) - (b.score ?? 101) || a.team.localeCompare(b.team),
  );
}

/** A team's namespaces across clusters with their scores and open findings, lowest score first. */
export async function getTeamNamespaces(db: Db, team: string, now: Date): Promise<WorstNamespace[]> {
  const owned = await db.$queryRaw<Array<{ clusterId: number; name: string }>>`
    SELECT n."clusterId", n.name FROM "Namespace" n WHERE n."deletedAt" IS NULL AND ${OWNER_SQL} = ${team}`;
  if (!owned.length) return [];
  const keys = new Set(owned.map((o) => countKey(o.clusterId, o.name)));
  const rollups = (await latestNamespaceRollups(db, [...new Set(owned.map((o) => o.clusterId))])).filter(
    (r) => keys.has(countKey(r.clusterId, r.namespace)),
  );
  const names = new Map(
    (await db.cluster.findMany({ select: { id: true, name: true } })).map((c) => [c.id, c.name]),
  );
  return (await summarizeNamespaces(db, now, rollups)).map(({ clusterId, ...n }) => ({
    ...n,
    cluster: names.get(clusterId) ?? String(clusterId),
  }));
}
