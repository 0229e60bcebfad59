// Signing a weekly review freezes its figures with the reviewer's name and notes. The server checks
// that the scope exists and the week has data and has begun, and refuses a second sign-off of the
// same week and scope; the database refuses any change to a signed review with an error
// (migration 20261203011000).
import { isoWeekOf, isoWeekRange, type ReviewScope, scopeKey, UNOWNED } from "@pullsight/core";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { getWeeklyReview, type SignedReview, toSigned } from "./review.ts";

export class ReviewConflictError extends Error {
  override readonly name = "ReviewConflictError";
}

/** Why a scope names nothing there is to review, or null when it exists. */
export async function missingScope(db: Db, scope: ReviewScope): Promise<string | null> {
  if (scope.kind === "fleet") return null;
  if (scope.kind === "team") {
    const found = await db.namespace.findFirst({
      where: scope.team === UNOWNED ? { owner: null } : { owner: scope.team },
      select: { name: true },
    });
    return found ? null : `no namespace is owned by team ${scope.team}`;
  }
  const cluster = await db.cluster.findUnique({ where: { name: scope.cluster }, select: { id: true } });
  if (!cluster) return `no cluster is named ${scope.cluster}`;
  if (scope.kind === "cluster") return null;
  const ns = await db.namespace.findUnique({
    where: { clusterId_name: { clusterId: cluster.id, name: scope.namespace } },
    select: { name: true },
  });
  return ns ? null : `cluster ${scope.cluster} has no namespace ${scope.namespace}`;
}

/** Why a week cannot be reviewed (before the first snapshot's week, or not begun), or null. */
async function unreviewableWeek(db: Db, week: string, now: Date): Promise<string | null> {
  const { start } = isoWeekRange(week);
  if (start > now) return `${week} has not started`;
  const first = await db.snapshot.findFirst({ orderBy: { startedAt: "asc" }, select: { startedAt: true } });
  if (!first) return "nothing has been collected yet";
  const firstWeek = isoWeekOf(first.startedAt);
  return isoWeekRange(firstWeek).start > start ? `${week} is before the first snapshot (${firstWeek})` : null;
}

/** Signs a week's review. Throws RangeError for a scope or week with nothing to sign, ReviewConflictError when signed. */
export async function signReview(
  db: Db,
  input: { week: string; scope: ReviewScope; reviewer: string; role: string; notes: string },
  now = new Date(),
): Promise<SignedReview> {
  const problem = (await unreviewableWeek(db, input.week, now)) ?? (await missingScope(db, input.scope));
  if (problem) throw new RangeError(problem);
  const key = scopeKey(input.scope);
  const existing = await db.review.findUnique({
    where: { isoWeek_scope: { isoWeek: input.week, scope: key } },
  });
  if (existing) throw new ReviewConflictError(`${input.week} (${key}) was signed by ${existing.reviewer}`);
  const review = await getWeeklyReview(db, input.week, input.scope, now);
  const summary = {
    score: review.score,
    counts: review.counts,
    inProgress: review.inProgress,
    groups: {
      new: review.groups.new.length,
      resolved: review.groups.resolved.length,
      ageing: review.groups.ageing.length,
    },
    actions: review.actions.map((a) => ({ text: a.text, team: a.team, findings: a.findings })),
    waiversExpiring: review.waiversExpiring.length,
    computedAt: now.toISOString(),
  };
  try {
    const row = await db.review.create({
      data: {
        isoWeek: input.week,
        scope: key,
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
      throw new ReviewConflictError(`${input.week} (${key}) was signed meanwhile`);
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
