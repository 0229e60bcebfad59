import { isoWeekOf, parseScopeKey, type ReviewScope } from "@pullsight/core";
import {
  getWeeklyReview,
  listReviews,
  ReviewConflictError,
  signedReview,
  signReview,
  weeklyReviewResult,
} from "@pullsight/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { isoWeek, scopeKey } from "../schemas.ts";
import { publicProcedure, reviewerProcedure, router } from "../trpc.ts";

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

export const reviewsRouter = router({
  /** The review of an ISO week (default: the week before this one) for a scope. */
  get: publicProcedure
    .meta({ reads: ["Cluster", "Finding", "PostureRollup", "Review", "Waiver", "Workload"] })
    .input(z.object({ week: isoWeek.optional(), scope: scopeKey.default("fleet") }).strict())
    .output(weeklyReviewResult)
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
