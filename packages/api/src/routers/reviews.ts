import { isoWeekOf, parseScopeKey, type ReviewScope } from "@pullsight/core";
import { getWeeklyReview, listReviews, ReviewConflictError, signReview } from "@pullsight/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { isoWeek, scopeKey, severity } from "../schemas.ts";
import { publicProcedure, reviewerProcedure, router } from "../trpc.ts";

const bySeverity = z.object({
  critical: z.number(),
  high: z.number(),
  medium: z.number(),
  low: z.number(),
  info: z.number(),
});
const reviewFinding = z.object({
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

function scopeOf(key: string): ReviewScope {
  const scope = parseScopeKey(key);
  if (!scope) throw new TRPCError({ code: "BAD_REQUEST", message: `not a review scope: ${key}` });
  return scope;
}

const asBadRequest = (e: unknown): never => {
  if (e instanceof RangeError) throw new TRPCError({ code: "BAD_REQUEST", message: e.message });
  if (e instanceof ReviewConflictError) throw new TRPCError({ code: "CONFLICT", message: e.message });
  throw e;
};

/** A grouped rule's findings in one namespace (the rows are on the findings page and in the CSV). */
const reviewGroup = z.object({
  ruleId: z.string(),
  cluster: z.string(),
  namespace: z.string(),
  findings: z.number().int(),
});

export const reviewsRouter = router({
  /** The review of an ISO week (default: the week before this one) for a scope. */
  get: publicProcedure
    .meta({ reads: ["Cluster", "Finding", "PostureRollup", "Review", "Waiver", "Workload"] })
    .input(z.object({ week: isoWeek.optional(), scope: scopeKey.default("fleet") }).strict())
    .output(
      z.object({
        week: z.string(),
        scope: z.string(),
        start: z.date(),
        end: z.date(),
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
        newFindings: z.array(reviewFinding),
        resolvedFindings: z.array(reviewFinding),
        ageingFindings: z.array(reviewFinding),
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
      }),
    )
    .query(({ ctx, input }) => {
      const now = ctx.now();
      const week = input.week ?? isoWeekOf(new Date(now.getTime() - 7 * 86_400_000));
      return getWeeklyReview(ctx.db, week, scopeOf(input.scope), now, { group: true }).catch(asBadRequest);
    }),

  /** Signs off a week's review (reviewers and admins). Once signed it cannot change. */
  sign: reviewerProcedure
    .input(z.object({ week: isoWeek, scope: scopeKey, notes: z.string().max(10_000) }).strict())
    .output(signedReview)
    .mutation(({ ctx, input }) =>
      signReview(
        ctx.db,
        {
          week: input.week,
          scope: scopeOf(input.scope),
          reviewer: ctx.user.name,
          role: ctx.user.role,
          notes: input.notes,
        },
        ctx.now(),
      ).catch(asBadRequest),
    ),

  /** Past signed reviews, newest week first. */
  list: publicProcedure
    .meta({ reads: ["Review"] })
    .input(
      z
        .object({ scope: scopeKey.optional(), limit: z.number().int().min(1).max(520).optional() })
        .strict()
        .optional(),
    )
    .output(z.array(signedReview))
    .query(({ ctx, input }) =>
      listReviews(ctx.db, {
        ...(input?.scope ? { scope: input.scope } : {}),
        ...(input?.limit ? { limit: input.limit } : {}),
      }),
    ),
});
