// The weekly review: for an ISO week and a scope (fleet, cluster, namespace or team), what got
// worse first (new critical and high findings in production, teams whose score dropped), the score
// at the end of the week against the week before, findings new, resolved and ageing read in groups
// team → rule, a rule's images on demand (review-groups.ts), the changes that would resolve the most, and waivers
// expiring. Signing freezes it (review-signoff.ts).

import {
  complianceScore,
  isoWeekOf,
  isoWeekRange,
  type ReviewScope,
  SEVERITIES,
  type Severity,
  scopeKey,
} from "@pullsight/core";
import { addWeeks } from "date-fns";
import { z } from "zod";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { bySeverity, severity } from "./results.ts";
import { weekFigures } from "./review-figures.ts";
import {
  OWNER_SQL,
  type ReviewSection,
  type ReviewWindow,
  reviewAction,
  reviewWindow,
  scopeSql,
  sectionFrom,
  severeGroup,
  type TeamGroup,
  teamGroup,
} from "./review-groups.ts";
import { teamMovement, teamMovements, teamTallies } from "./team-scores.ts";
import { getPostureTrend } from "./trends.ts";
import { waivedSql } from "./waivers.ts";

export { AGEING_DAYS, REVIEW_SECTIONS, type ReviewSection, reviewWindow } from "./review-groups.ts";

export const reviewFinding = z.object({
  id: z.bigint(),
  cluster: z.string(),
  namespace: z.string(),
  /** The namespace's owning team, "(unowned)" when none. */
  team: z.string(),
  workload: z.string().nullable(),
  workloadId: z.bigint().nullable(),
  container: z.string().nullable(),
  ruleId: z.string(),
  severity,
  image: z.string().nullable(),
  openedAt: z.date(),
  resolvedAt: z.date().nullable(),
  ageDays: z.number().int(),
  waived: z.boolean(),
});
export type ReviewFinding = z.infer<typeof reviewFinding>;

export const signedReview = z.object({
  id: z.number().int(),
  week: z.string(),
  scope: z.string(),
  reviewer: z.string(),
  role: z.string(),
  notes: z.string(),
  signedAt: z.date(),
  summary: z.unknown(),
});
export type SignedReview = z.infer<typeof signedReview>;

export const weeklyReviewResult = z.object({
  week: z.string(),
  scope: z.string(),
  start: z.date(),
  end: z.date(),
  /** The week has not ended: figures are so far. */
  inProgress: z.boolean(),
  /** Weeks with data, newest first: from the first snapshot's week to this one. */
  weeks: z.array(z.string()),
  score: z.object({
    current: z.number().nullable(),
    previous: z.number().nullable(),
    delta: z.number().nullable(),
    containers: z.number().int(),
    compliant: z.number().int(),
  }),
  counts: z.object({
    new: bySeverity,
    resolved: bySeverity,
    ageing: bySeverity,
    openAtEnd: z.number().int(),
  }),
  /** What got worse, first: new critical and high findings in production namespaces, and teams by score movement. */
  worse: z.object({
    /** By rule and image, the largest first (SEVERE_GROUPS_SHOWN of them). */
    severe: z.array(severeGroup),
    severeCount: z.number().int(),
    /** New critical and high findings in namespaces of other profiles. */
    otherSevere: z.number().int(),
    teams: z.array(teamMovement),
  }),
  groups: z.object({
    new: z.array(teamGroup),
    resolved: z.array(teamGroup),
    ageing: z.array(teamGroup),
  }),
  actions: z.array(reviewAction),
  waiversExpiring: z.array(
    z.object({
      id: z.number().int(),
      ruleId: z.string(),
      scope: z.string(),
      owner: z.string(),
      reason: z.string(),
      expiresAt: z.date(),
    }),
  ),
  signed: signedReview.nullable(),
});
export type WeeklyReview = z.infer<typeof weeklyReviewResult>;

const DAY = 86_400_000;
const zero = (): Record<Severity, number> => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });

const FINDING_COLUMNS = Prisma.sql`f.id, c.name AS cluster, f.namespace, ${OWNER_SQL} AS team, wl.name AS workload,
  f."workloadId", f."containerName" AS container, f."ruleId", f.severity::text AS severity, f.image,
  f."openedAt", f."resolvedAt"`;
const BY_SEVERITY = Prisma.sql`f.severity DESC`;

/** Finding rows of a review's section, optionally of one group, most severe first or by id (paging). */
export async function getReviewRows(
  db: Db,
  w: ReviewWindow,
  scope: ReviewScope,
  q: {
    section: ReviewSection;
    team?: string;
    ruleId?: string;
    /** Any of these rules (an action's). */
    ruleIds?: readonly string[];
    /** The group's image; null for findings without one. */
    image?: string | null;
    severities?: readonly Severity[];
    profile?: string;
    limit: number;
    /** Keyset paging by id (exports); without it, the most severe and newest first. */
    afterId?: bigint;
  },
): Promise<ReviewFinding[]> {
  const where = [Prisma.sql`true`];
  if (q.team !== undefined) where.push(Prisma.sql`${OWNER_SQL} = ${q.team}`);
  if (q.ruleId !== undefined) where.push(Prisma.sql`f."ruleId" = ${q.ruleId}`);
  if (q.ruleIds !== undefined) where.push(Prisma.sql`f."ruleId" = ANY(${[...q.ruleIds]}::text[])`);
  if (q.image !== undefined)
    where.push(q.image === null ? Prisma.sql`f.image IS NULL` : Prisma.sql`f.image = ${q.image}`);
  if (q.severities) where.push(Prisma.sql`f.severity::text = ANY(${[...q.severities]}::text[])`);
  if (q.profile !== undefined) where.push(Prisma.sql`n.profile = ${q.profile}`);
  if (q.afterId !== undefined) where.push(Prisma.sql`f.id > ${q.afterId}`);
  const order =
    q.afterId !== undefined ? Prisma.sql`f.id` : Prisma.sql`${BY_SEVERITY}, f."openedAt" DESC, f.id`;
  const rows = await db.$queryRaw<Array<Omit<ReviewFinding, "ageDays">>>`
    SELECT ${FINDING_COLUMNS}, ${waivedSql(w.at)} AS waived
    FROM ${sectionFrom(q.section, w, scope, { workload: true })}
    WHERE ${Prisma.join(where, " AND ")} ${scopeSql(scope)}
    ORDER BY ${order} LIMIT ${q.limit}`;
  return rows.map((r) => ({
    ...r,
    ageDays: Math.floor(((r.resolvedAt ?? w.at).getTime() - r.openedAt.getTime()) / DAY),
  }));
}

/** A section's findings by severity: its teams' counts added up (every finding has one team). */
function countBySeverity(teams: readonly TeamGroup[]): Record<Severity, number> {
  const out = zero();
  for (const t of teams) for (const s of SEVERITIES) out[s] += t.bySeverity[s];
  return out;
}

/** The score at the end of the week and the week before, for the scope. */
async function scopeScore(db: Db, start: Date, end: Date, scope: ReviewScope) {
  if (scope.kind === "team") {
    const [cur, prev] = await Promise.all([
      teamTallies(db, start, end, scope).then((m) => m.get(scope.team)),
      teamTallies(db, addWeeks(start, -1), start, scope).then((m) => m.get(scope.team)),
    ]);
    const scored = (t?: { containers: number; compliant: number }) =>
      t && { ...t, score: complianceScore(t.compliant, t.containers) };
    return { cur: scored(cur), prev: scored(prev) };
  }
  const trendScope =
    scope.kind === "fleet"
      ? {}
      : scope.kind === "cluster"
        ? { cluster: scope.cluster }
        : { cluster: scope.cluster, namespace: scope.namespace };
  const points = await getPostureTrend(db, {
    scope: trendScope,
    bucket: "week",
    from: addWeeks(start, -1),
    to: end,
  });
  return {
    cur: points.find((p) => p.bucket.getTime() === start.getTime()),
    prev: points.find((p) => p.bucket.getTime() === addWeeks(start, -1).getTime()),
  };
}

/** The week a review opens on: last week, unless nothing was collected before this week began. */
export async function defaultReviewWeek(db: Db, now: Date): Promise<string> {
  const [newest, lastWeek] = (await weeksWithData(db, now)).slice(0, 2);
  return lastWeek ?? newest ?? isoWeekOf(now);
}

/** Weeks from the first snapshot's to the one `now` is in, newest first. */
async function weeksWithData(db: Db, now: Date): Promise<string[]> {
  const first = await db.snapshot.findFirst({ orderBy: { startedAt: "asc" }, select: { startedAt: true } });
  if (!first) return [];
  const weeks: string[] = [];
  for (
    let t = isoWeekRange(isoWeekOf(now)).start.getTime();
    t + 7 * DAY > first.startedAt.getTime();
    t -= 7 * DAY
  )
    weeks.push(isoWeekOf(new Date(t)));
  return weeks;
}

export async function getWeeklyReview(
  db: Db,
  week: string,
  scope: ReviewScope,
  now = new Date(),
): Promise<WeeklyReview> {
  const w = reviewWindow(week, now);
  const [score, weeks, figures, teams, waivers, signed] = await Promise.all([
    scopeScore(db, w.start, w.end, scope),
    weeksWithData(db, now),
    weekFigures(db, week, w, scope, now),
    scope.kind === "namespace" ? Promise.resolve([]) : teamMovements(db, w.start, scope),
    expiringWaivers(db, w, scope),
    db.review.findUnique({ where: { isoWeek_scope: { isoWeek: week, scope: scopeKey(scope) } } }),
  ]);
  const { groups, severeByProfile } = figures;
  const current = score.cur?.score ?? null;
  const previous = score.prev?.score ?? null;
  return {
    week,
    scope: scopeKey(scope),
    start: w.start,
    end: w.end,
    inProgress: w.end > now,
    weeks,
    score: {
      current,
      previous,
      delta: current !== null && previous !== null ? Math.round((current - previous) * 10) / 10 : null,
      containers: score.cur?.containers ?? 0,
      compliant: score.cur?.compliant ?? 0,
    },
    counts: {
      new: countBySeverity(groups.new),
      resolved: countBySeverity(groups.resolved),
      ageing: countBySeverity(groups.ageing),
      openAtEnd: figures.openAtEnd,
    },
    worse: {
      severe: figures.severe,
      severeCount: severeByProfile.find((r) => r.production)?.n ?? 0,
      otherSevere: severeByProfile.find((r) => !r.production)?.n ?? 0,
      teams,
    },
    groups,
    actions: figures.actions,
    waiversExpiring: waivers,
    signed: signed ? toSigned(signed) : null,
  };
}

/** Waivers in force that expire this week or next, in the scope (a team's: those naming its namespaces or none). */
export async function expiringWaivers(db: Db, w: ReviewWindow, scope: ReviewScope) {
  const teamNamespaces =
    scope.kind === "team"
      ? await db.$queryRaw<Array<{ cluster: string; namespace: string }>>`
          SELECT c.name AS cluster, n.name AS namespace FROM "Namespace" n JOIN "Cluster" c ON c.id = n."clusterId"
          WHERE ${OWNER_SQL} = ${scope.team} AND n."deletedAt" IS NULL`
      : [];
  const waivers = await db.waiver.findMany({
    where: {
      revokedAt: null,
      expiresAt: { gte: w.start, lt: addWeeks(w.end, 1) },
      ...(scope.kind === "cluster" || scope.kind === "namespace"
        ? { OR: [{ cluster: null }, { cluster: scope.cluster }] }
        : {}),
      ...(scope.kind === "namespace"
        ? { AND: [{ OR: [{ namespace: null }, { namespace: scope.namespace }] }] }
        : {}),
    },
    orderBy: { expiresAt: "asc" },
  });
  const inTeam = (wv: { cluster: string | null; namespace: string | null }) =>
    scope.kind !== "team" ||
    teamNamespaces.some(
      (t) =>
        (wv.cluster === null || wv.cluster === t.cluster) &&
        (wv.namespace === null || wv.namespace === t.namespace),
    );
  return waivers.filter(inTeam).map((wv) => ({
    id: wv.id,
    ruleId: wv.ruleId,
    scope: [
      wv.cluster ?? "*",
      wv.namespace ?? "*",
      wv.workloadName ? `${wv.workloadKind ?? "*"}/${wv.workloadName}` : "*",
      wv.imagePattern ?? "*",
    ].join(" "),
    owner: wv.owner,
    reason: wv.reason,
    expiresAt: wv.expiresAt,
  }));
}

export const toSigned = (r: {
  id: number;
  isoWeek: string;
  scope: string;
  reviewer: string;
  role: string;
  notes: string;
  signedAt: Date;
  summary: unknown;
}): SignedReview => ({
  id: r.id,
  week: r.isoWeek,
  scope: r.scope,
  reviewer: r.reviewer,
  role: r.role,
  notes: r.notes,
  signedAt: r.signedAt,
  summary: r.summary,
});
