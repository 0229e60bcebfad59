// Failing now: every pod container waiting on a failed pull, from the latest snapshots, with its
// node, cause and where the cause was read, and what kubelet events add (attempts, first failure).
import { countFailingNow, FAILING_SORTS, failingNowRow, listFailingNow } from "@pullsight/db";
import { z } from "zod";
import { failingFilter } from "../schemas.ts";
import { publicProcedure, router } from "../trpc.ts";

export const failingRouter = router({
  now: publicProcedure
    .meta({ reads: ["Cluster", "Finding", "Namespace", "PullEvent", "Snapshot", "Waiver", "Workload"] })
    .input(
      z
        .object({
          filter: failingFilter.optional(),
          limit: z.number().int().min(1).max(1000).optional(),
          sort: z.enum(FAILING_SORTS).optional(),
          order: z.enum(["asc", "desc"]).optional(),
        })
        .strict(),
    )
    .output(z.object({ rows: z.array(failingNowRow), total: z.number().int() }))
    .query(({ ctx, input }) =>
      listFailingNow(ctx.db, input.filter ?? {}, {
        now: ctx.now(),
        ...(input.limit ? { limit: input.limit } : {}),
        sort: { by: input.sort, order: input.order },
      }),
    ),

  /** How many pod containers are failing now (what `now` counts as its total), for a callout. */
  count: publicProcedure
    .meta({ reads: ["Cluster", "Finding", "Namespace"] })
    .input(z.object({ filter: failingFilter.optional() }).strict())
    .output(z.object({ total: z.number().int() }))
    .query(async ({ ctx, input }) => ({ total: await countFailingNow(ctx.db, input.filter ?? {}) })),
});
