// The weekly review: for an ISO week and a scope (fleet, cluster or namespace), the score at the
// end of the week against the end of the week before, findings new, resolved and ageing, waivers
// expiring; then a sign-off that freezes those figures with the reviewer's name and notes. A
// signed review cannot change (the database ignores updates and deletes of its rows).

import type { Severity } from "@pullsight/core";
import { GROUPED_RULE_IDS, isoWeekRange, type ReviewScope, scopeKey } from "@pullsight/core";
import { addDays, addWeeks } from "date-fns";
import { z } from "zod";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { isGroupedFinding } from "./grouped.ts";
import { bySeverity, severity } from "./results.ts";
import { getPostureTrend } from "./trends.ts";
import { waivedSql } from "./waivers.ts";

export const AGEING_DAYS = 30;

export const reviewFinding = z.object({
  id: z.bigint(),
  cluster: z.string(),
  namespace: z.string(),
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

/** A grouped rule's findings in one namespace (the rows are on the findings page and in the CSV). */
export const reviewGroup = z.object({
  ruleId: z.string(),
  cluster: z.string(),
  namespace: z.string(),
  findings: z.number().int(),
});
export type ReviewGroup = z.infer<typeof reviewGroup>;

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
  /** The rows of each list, without the grouped rules' (those are counted in `grouped`). */
  newFindings: z.array(reviewFinding),
  resolvedFindings: z.array(reviewFinding),
  ageingFindings: z.array(reviewFinding),
  /** Rules that fire on most containers, per namespace with a count, for each list. */
  grouped: z.object({
    new: z.array(reviewGroup),
    resolved: z.array(reviewGroup),
    ageing: z.array(reviewGroup),
  }),
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

async function groupsWhere(db: Db, where: Prisma.Sql, group: boolean): Promise<ReviewGroup[]> {
  if (!group || !GROUPED_RULE_IDS.length) return [];
  return db.$queryRaw<ReviewGroup[]>`
    SELECT f."ruleId", c.name AS cluster, f.namespace, COUNT(*)::int AS findings
    FROM "Finding" f JOIN "Cluster" c ON c.id = f."clusterId"
    WHERE ${where} AND ${isGroupedFinding}
    GROUP BY 1, 2, 3 ORDER BY findings DESC, 2, 3`;
}

const zero = (): Record<Severity, number> => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });

function scopeSql(s: ReviewScope): Prisma.Sql {
  if (s.kind === "fleet") return Prisma.empty;
  if (s.kind === "cluster") return Prisma.sql`AND c.name = ${s.cluster}`;
  return Prisma.sql`AND c.name = ${s.cluster} AND f.namespace = ${s.namespace}`;
}

const LIST_LIMIT = 500;

async function findingsWhere(
  db: Db,
  where: Prisma.Sql,
  at: Date,
  order: Prisma.Sql,
  group: boolean,
): Promise<ReviewFinding[]> {
  const rows = await db.$queryRaw<Array<Omit<ReviewFinding, "ageDays">>>`
    SELECT f.id, c.name AS cluster, f.namespace, wl.name AS workload, f."workloadId", f."containerName" AS container,
      f."ruleId", f.severity::text AS severity, f.image, f."openedAt", f."resolvedAt", ${waivedSql(at)} AS waived
    FROM "Finding" f JOIN "Cluster" c ON c.id = f."clusterId" LEFT JOIN "Workload" wl ON wl.id = f."workloadId"
    WHERE ${where} AND NOT (${group ? isGroupedFinding : Prisma.sql`FALSE`})
    ORDER BY ${order}
    LIMIT ${LIST_LIMIT}`;
  return rows.map((r) => ({
    ...r,
    ageDays: Math.floor(((r.resolvedAt ?? at).getTime() - r.openedAt.getTime()) / 86_400_000),
  }));
}

async function countBySeverity(db: Db, where: Prisma.Sql): Promise<Record<Severity, number>> {
  const rows = await db.$queryRaw<Array<{ severity: Severity; n: number }>>`
    SELECT f.severity::text AS severity, COUNT(*)::int AS n
    FROM "Finding" f JOIN "Cluster" c ON c.id = f."clusterId" LEFT JOIN "Workload" wl ON wl.id = f."workloadId"
    WHERE ${where} GROUP BY 1`;
  const out = zero();
  for (const r of rows) out[r.severity] = r.n;
  return out;
}

export async function getWeeklyReview(
  db: Db,
  week: string,
  scope: ReviewScope,
  now = new Date(),
  /** Count the grouped rules' findings per namespace instead of listing them (pages; exports list every row). */
  opts: { group?: boolean } = {},
): Promise<WeeklyReview> {
  const group = opts.group ?? false;
  const { start, end } = isoWeekRange(week);
  const at = end < now ? end : now;
  const sc = scopeSql(scope);
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
  const cur = points.find((p) => p.bucket.getTime() === start.getTime());
  const prev = points.find((p) => p.bucket.getTime() === addWeeks(start, -1).getTime());
  // New in a week means first seen that week (a week's review never changes afterwards, even when a
  // finding's condition is later known to have begun earlier); age counts from when it began.
  const firstSeen = Prisma.sql`COALESCE(f."firstSeenAt", f."openedAt")`;
  const opened = Prisma.sql`${firstSeen} >= ${start} AND ${firstSeen} < ${end} ${sc}`;
  const resolved = Prisma.sql`f."resolvedAt" >= ${start} AND f."resolvedAt" < ${end} ${sc}`;
  const openAtEnd = Prisma.sql`${firstSeen} < ${at} AND (f."resolvedAt" IS NULL OR f."resolvedAt" >= ${at}) ${sc}`;
  const ageing = Prisma.sql`${openAtEnd} AND f."openedAt" < ${addDays(at, -AGEING_DAYS)}`;
  const bySeverity = Prisma.sql`array_position(ARRAY['critical','high','medium','low','info'], f.severity::text)`;
  const [
    newCounts,
    resolvedCounts,
    ageingCounts,
    openCount,
    newFindings,
    resolvedFindings,
    ageingFindings,
    waivers,
    signed,
    newGroups,
    resolvedGroups,
    ageingGroups,
  ] = await Promise.all([
    countBySeverity(db, opened),
    countBySeverity(db, resolved),
    countBySeverity(db, ageing),
    db.$queryRaw<Array<{ n: number }>>`
        SELECT COUNT(*)::int AS n FROM "Finding" f JOIN "Cluster" c ON c.id = f."clusterId" WHERE ${openAtEnd}`,
    findingsWhere(db, opened, at, Prisma.sql`${bySeverity}, ${firstSeen} DESC, f.id`, group),
    findingsWhere(db, resolved, at, Prisma.sql`${bySeverity}, f."resolvedAt" DESC, f.id`, group),
    findingsWhere(db, ageing, at, Prisma.sql`f."openedAt", ${bySeverity}, f.id`, group),
    db.waiver.findMany({
      where: {
        revokedAt: null,
        expiresAt: { gte: start, lt: addWeeks(end, 1) },
        ...(scope.kind !== "fleet" ? { OR: [{ cluster: null }, { cluster: scope.cluster }] } : {}),
        ...(scope.kind === "namespace"
          ? { AND: [{ OR: [{ namespace: null }, { namespace: scope.namespace }] }] }
          : {}),
      },
      orderBy: { expiresAt: "asc" },
    }),
    db.review.findUnique({ where: { isoWeek_scope: { isoWeek: week, scope: scopeKey(scope) } } }),
    groupsWhere(db, opened, group),
    groupsWhere(db, resolved, group),
    groupsWhere(db, ageing, group),
  ]);
  const current = cur?.score ?? null;
  const previous = prev?.score ?? null;
  return {
    week,
    scope: scopeKey(scope),
    start,
    end,
    inProgress: end > now,
    score: {
      current,
      previous,
      delta: current !== null && previous !== null ? Math.round((current - previous) * 10) / 10 : null,
      containers: cur?.containers ?? 0,
      compliant: cur?.compliant ?? 0,
    },
    counts: {
      new: newCounts,
      resolved: resolvedCounts,
      ageing: ageingCounts,
      openAtEnd: openCount[0]?.n ?? 0,
    },
    newFindings,
    resolvedFindings,
    ageingFindings,
    grouped: { new: newGroups, resolved: resolvedGroups, ageing: ageingGroups },
    waiversExpiring: waivers.map((w) => ({
      id: w.id,
      ruleId: w.ruleId,
      scope: [
        w.cluster ?? "*",
        w.namespace ?? "*",
        w.workloadName ? `${w.workloadKind ?? "*"}/${w.workloadName}` : "*",
        w.imagePattern ?? "*",
      ].join(" "),
      owner: w.owner,
      reason: w.reason,
      expiresAt: w.expiresAt,
    })),
    signed: signed ? toSigned(signed) : null,
  };
}

const toSigned = (r: {
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

export class ReviewConflictError extends Error {}

/** Signs a week's review, freezing its figures. Throws ReviewConflictError when already signed. */
export async function signReview(
  db: Db,
  input: { week: string; scope: ReviewScope; reviewer: string; role: string; notes: string },
  now = new Date(),
): Promise<SignedReview> {
  const { start } = isoWeekRange(input.week);
  if (start > now) throw new RangeError(`${input.week} has not started`);
  const review = await getWeeklyReview(db, input.week, input.scope, now);
  if (review.signed)
    throw new ReviewConflictError(`${input.week} (${review.scope}) was signed by ${review.signed.reviewer}`);
  const summary = {
    score: review.score,
    counts: review.counts,
    inProgress: review.inProgress,
    waiversExpiring: review.waiversExpiring.length,
    computedAt: now.toISOString(),
  };
  try {
    const row = await db.review.create({
      data: {
        isoWeek: input.week,
        scope: review.scope,
        reviewer: input.reviewer,
        role: input.role,
        notes: input.notes,
        signedAt: now,
        summary: summary as Prisma.InputJsonValue,
      },
    });
    return toSigned(row);
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002")
      throw new ReviewConflictError(`${input.week} (${review.scope}) was signed meanwhile`);
    throw e;
  }
}

export async function listReviews(
  db: Db,
  opts: { scope?: string; limit?: number } = {},
): Promise<SignedReview[]> {
  const rows = await db.review.findMany({
    where: opts.scope ? { scope: opts.scope } : {},
    orderBy: [{ isoWeek: "desc" }, { scope: "asc" }],
    take: opts.limit ?? 52,
  });
  return rows.map(toSigned);
}
