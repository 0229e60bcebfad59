import { GROUPED_RULE_IDS } from "@pullsight/core";
import { findingListResult, listFindings } from "@pullsight/db";
import { z } from "zod";
import { bigId, findingFilter } from "../schemas.ts";
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
          cursor: bigId.nullish(),
        })
        .strict(),
    )
    .output(findingListResult)
    .query(({ ctx, input }) =>
      listFindings(ctx.db, input.filter ?? {}, {
        now: ctx.now(),
        groupRules: GROUPED_RULE_IDS,
        ...(input.limit ? { limit: input.limit } : {}),
        ...(input.cursor ? { cursor: input.cursor } : {}),
      }),
    ),
});
