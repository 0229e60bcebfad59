import { GROUPED_RULE_IDS } from "@pullsight/core";
import { FINDING_SORTS, findingListResult, InvalidCursorError, listFindings } from "@pullsight/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { findingFilter } from "../schemas.ts";
import { publicProcedure, router } from "../trpc.ts";

export const findingsRouter = router({
  /** Findings (open and waived by default), a page at a time: the rows the findings export has. */
  list: publicProcedure
    .meta({
      reads: [
        "Cluster",
        "Finding",
        "FindingEvidence",
        "Namespace",
        "OpenFindingCount",
        "Snapshot",
        "Waiver",
        "Workload",
      ],
    })
    .input(
      z
        .object({
          filter: findingFilter.optional(),
          limit: z.number().int().min(1).max(500).optional(),
          sort: z.enum(FINDING_SORTS).optional(),
          order: z.enum(["asc", "desc"]).optional(),
          cursor: z.string().max(2000).nullish(),
        })
        .strict(),
    )
    .output(findingListResult)
    .query(({ ctx, input }) =>
      listFindings(ctx.db, input.filter ?? {}, {
        now: ctx.now(),
        groupRules: GROUPED_RULE_IDS,
        ...(input.limit ? { limit: input.limit } : {}),
        ...(input.sort ? { sort: input.sort } : {}),
        ...(input.order ? { order: input.order } : {}),
        ...(input.cursor ? { cursor: input.cursor } : {}),
      }).catch((e: unknown) => {
        if (e instanceof InvalidCursorError) throw new TRPCError({ code: "BAD_REQUEST", message: e.message });
        throw e;
      }),
    ),
});
