import { parseScopeKey, type ReviewScope, RULES_BY_ID } from "@pullsight/core";
import {
  type Db,
  defaultReviewWeek,
  delivery,
  getReviewRows,
  getWeeklyReview,
  imageGroups,
  listDeliveries,
  listReviews,
  listTeams,
  missingScope,
  REVIEW_SECTIONS,
  ReviewConflictError,
  reviewFinding,
  reviewImageGroups,
  reviewTeamRules,
  reviewWindow,
  ruleGroup,
  signedReview,
  signReview,
  weeklyReviewResult,
} from "@pullsight/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { isoWeek, ruleId, scopeKey } from "../schemas.ts";
import { publicProcedure, reviewerProcedure, router } from "../trpc.ts";

/** The scope a (normalised) key names, refused with the reason when there is nothing to review. */
async function existingScope(db: Db, key: string): Promise<ReviewScope> {
  const scope = parseScopeKey(key);
  if (!scope) throw new TRPCError({ code: "BAD_REQUEST", message: `not a review scope: ${key}` });
  const missing = await missingScope(db, scope);
  if (missing) throw new TRPCError({ code: "BAD_REQUEST", message: missing });
  return scope;
}

const asBadRequest = (e: unknown): never => {
  if (e instanceof RangeError) throw new TRPCError({ code: "BAD_REQUEST", message: e.message });
  if (e instanceof ReviewConflictError) throw new TRPCError({ code: "CONFLICT", message: e.message });
  throw e;
};

/** A week's window, refused as a bad request when the week does not exist. */
function windowOf(week: string, now: Date) {
  try {
    return reviewWindow(week, now);
  } catch (e) {
    return asBadRequest(e);
  }
}

const REVIEW_READS = [
  "Cluster",
  "FleetPosture",
  "Finding",
  "Namespace",
  "PostureRollup",
  "Review",
  "Snapshot",
  "Waiver",
  "Workload",
] as const;
/** A review reads an ended week's figures where they are kept (db review-figures.ts). */
const REVIEW_FIGURES_READS = [...REVIEW_READS, "ReviewWeekFigures"] as const;

/** A team's group in a section of a review: what its rules, and a rule's images, are asked by. */
const teamGroupInput = z.object({
  week: isoWeek,
  scope: scopeKey.default("fleet"),
  section: z.enum(REVIEW_SECTIONS),
  team: z.string().trim().min(1).max(253),
});

/** Rows of one group shown at once; the findings page and the CSV have them all. */
export const GROUP_ROWS_LIMIT = 50;

export const reviewsRouter = router({
  /** The review of an ISO week (default: last week, or this one when nothing is older) for a scope. */
  get: publicProcedure
    .meta({ reads: [...REVIEW_FIGURES_READS] })
    .input(z.object({ week: isoWeek.optional(), scope: scopeKey.default("fleet") }).strict())
    .output(weeklyReviewResult)
    .query(async ({ ctx, input }) => {
      const now = ctx.now();
      const week = input.week ?? (await defaultReviewWeek(ctx.db, now));
      const scope = await existingScope(ctx.db, input.scope);
      return getWeeklyReview(ctx.db, week, scope, now).catch(asBadRequest);
    }),

  /** The rules of one team's group in a review's section, heaviest first, with their titles. */
  rules: publicProcedure
    .meta({ reads: ["Cluster", "Finding", "Namespace"] })
    .input(teamGroupInput.strict())
    .output(z.array(ruleGroup.extend({ title: z.string().nullable() })))
    .query(async ({ ctx, input }) => {
      const scope = await existingScope(ctx.db, input.scope);
      const w = windowOf(input.week, ctx.now());
      const rules = await reviewTeamRules(ctx.db, input.section, w, scope, input.team);
      return rules.map((r) => ({ ...r, title: RULES_BY_ID.get(r.ruleId)?.title ?? null }));
    }),

  /** The images of one rule in a team's group of a review's section, heaviest first. */
  images: publicProcedure
    .meta({ reads: ["Cluster", "Finding", "Namespace"] })
    .input(teamGroupInput.extend({ ruleId }).strict())
    .output(imageGroups)
    .query(async ({ ctx, input }) => {
      const scope = await existingScope(ctx.db, input.scope);
      const w = windowOf(input.week, ctx.now());
      return reviewImageGroups(ctx.db, input.section, w, scope, { team: input.team, ruleId: input.ruleId });
    }),

  /** The findings of one group of a review's section (team, rule, image), most severe first. */
  rows: publicProcedure
    .meta({ reads: [...REVIEW_READS] })
    .input(
      z
        .object({
          week: isoWeek,
          scope: scopeKey.default("fleet"),
          section: z.enum(REVIEW_SECTIONS),
          team: z.string().trim().min(1).max(253).optional(),
          ruleId: ruleId.optional(),
          /** Any of these rules (an action's). */
          ruleIds: z.array(ruleId).min(1).max(20).optional(),
          /** The group's image; null for findings without one. */
          image: z.string().max(1000).nullable().optional(),
        })
        .strict(),
    )
    .output(z.array(reviewFinding))
    .query(async ({ ctx, input }) => {
      const scope = await existingScope(ctx.db, input.scope);
      const w = windowOf(input.week, ctx.now());
      return getReviewRows(ctx.db, w, scope, {
        section: input.section,
        ...(input.team !== undefined ? { team: input.team } : {}),
        ...(input.ruleId !== undefined ? { ruleId: input.ruleId } : {}),
        ...(input.ruleIds !== undefined ? { ruleIds: input.ruleIds } : {}),
        ...(input.image !== undefined ? { image: input.image } : {}),
        limit: GROUP_ROWS_LIMIT,
      });
    }),

  /** Signs off a week's review (reviewers and admins). Once signed it cannot change. */
  sign: reviewerProcedure
    .input(z.object({ week: isoWeek, scope: scopeKey, notes: z.string().max(10_000) }).strict())
    .output(signedReview)
    .mutation(async ({ ctx, input }) => {
      const scope = parseScopeKey(input.scope);
      if (!scope) throw new TRPCError({ code: "BAD_REQUEST", message: `not a review scope: ${input.scope}` });
      return signReview(
        ctx.db,
        { week: input.week, scope, reviewer: ctx.user.name, role: ctx.user.role, notes: input.notes },
        ctx.now(),
      ).catch(asBadRequest);
    }),

  /** What a review can be of: the clusters and the teams that own namespaces. */
  scopes: publicProcedure
    .meta({ reads: ["Cluster", "Namespace"] })
    .output(z.object({ clusters: z.array(z.string()), teams: z.array(z.string()) }))
    .query(async ({ ctx }) => ({
      clusters: (await ctx.db.cluster.findMany({ select: { name: true }, orderBy: { name: "asc" } })).map(
        (c) => c.name,
      ),
      teams: await listTeams(ctx.db),
    })),

  /** Digests and alerts sent (or failing) to the profiles file's recipients, newest first. */
  deliveries: publicProcedure
    .meta({ reads: ["Delivery"] })
    .input(
      z
        .object({ limit: z.number().int().min(1).max(500).optional() })
        .strict()
        .optional(),
    )
    .output(z.array(delivery))
    .query(({ ctx, input }) => listDeliveries(ctx.db, { limit: input?.limit ?? 50 })),

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
