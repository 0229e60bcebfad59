import { createWaiver, getWaiver, listWaivers, revokeWaiver, waiverRow } from "@pullsight/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { instant, name, rowId, ruleId } from "../schemas.ts";
import { publicProcedure, reviewerProcedure, router } from "../trpc.ts";

const MAX_WAIVER_DAYS = 366;

export const waiversRouter = router({
  list: publicProcedure
    .meta({ reads: ["Waiver"] })
    .input(
      z
        .object({
          state: z.enum(["active", "expired", "revoked", "all"]).optional(),
          ruleId: ruleId.optional(),
          cluster: name.optional(),
        })
        .strict()
        .optional(),
    )
    .output(z.array(waiverRow))
    .query(({ ctx, input }) => listWaivers(ctx.db, input ?? {}, ctx.now())),

  /** Waives a rule within a scope until a required expiry (reviewers and admins). */
  create: reviewerProcedure
    .input(
      z
        .object({
          ruleId,
          cluster: name.optional(),
          namespace: name.optional(),
          workloadKind: z.string().max(64).optional(),
          workloadName: name.optional(),
          imagePattern: z.string().min(1).max(512).optional(),
          reason: z.string().trim().min(10, "say why, in at least 10 characters").max(2000),
          owner: z.string().trim().min(1).max(200),
          expiresAt: instant,
        })
        .strict()
        .refine((w) => !w.workloadName || w.workloadKind, { message: "a workload needs its kind" }),
    )
    .output(waiverRow)
    .mutation(({ ctx, input }) => {
      const now = ctx.now();
      if (input.expiresAt <= now)
        throw new TRPCError({ code: "BAD_REQUEST", message: "expiresAt must be in the future" });
      if (input.expiresAt.getTime() - now.getTime() > MAX_WAIVER_DAYS * 86_400_000)
        throw new TRPCError({
          code: "BAD_REQUEST",
          message: `a waiver lasts at most ${MAX_WAIVER_DAYS} days`,
        });
      return createWaiver(ctx.db, input, ctx.user.name, now);
    }),

  /** Ends a waiver early: its creator or an admin. */
  revoke: reviewerProcedure
    .input(z.object({ id: rowId, reason: z.string().trim().min(3).max(2000) }).strict())
    .output(waiverRow)
    .mutation(async ({ ctx, input }) => {
      const now = ctx.now();
      const waiver = await getWaiver(ctx.db, input.id, now);
      if (!waiver) throw new TRPCError({ code: "NOT_FOUND", message: `no waiver ${input.id}` });
      if (waiver.createdBy !== ctx.user.name && ctx.user.role !== "admin")
        throw new TRPCError({
          code: "FORBIDDEN",
          message: "only its creator or an admin can revoke a waiver",
        });
      const revoked = await revokeWaiver(ctx.db, input.id, ctx.user.name, input.reason, now);
      if (!revoked)
        throw new TRPCError({ code: "CONFLICT", message: `waiver ${input.id} is already ${waiver.state}` });
      return revoked;
    }),
});
