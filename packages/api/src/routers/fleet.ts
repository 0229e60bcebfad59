import { fleetOverviewResult, getFleetOverview, getWorstNamespaces, worstNamespace } from "@pullsight/db";
import { z } from "zod";
import { clusterSummaryOut, labelPairs, labels } from "../schemas.ts";
import { publicProcedure, router } from "../trpc.ts";

export const fleetRouter = router({
  /** Fleet totals, score and grade, and every cluster with its last snapshot, freshness and grade. */
  overview: publicProcedure
    .meta({
      reads: ["Cluster", "Finding", "PostureRollup", "Snapshot", "Waiver", "Workload", "OpenFindingCount"],
    })
    .input(
      z
        .object({
          labels: labels.optional(),
          staleAfterMinutes: z.number().int().min(1).max(10_080).optional(),
        })
        .strict()
        .optional(),
    )
    .output(fleetOverviewResult.extend({ clusters: z.array(clusterSummaryOut) }))
    .query(({ ctx, input }) =>
      getFleetOverview(ctx.db, {
        now: ctx.now(),
        ...(input?.labels ? { labels: input.labels } : {}),
        ...(input?.staleAfterMinutes ? { staleAfterMs: input.staleAfterMinutes * 60_000 } : {}),
      }),
    ),
  /** The fleet's lowest-scoring namespaces that run containers (ties: more open findings first). */
  worstNamespaces: publicProcedure
    .meta({
      reads: ["Cluster", "Finding", "Namespace", "PostureRollup", "Waiver", "Workload", "OpenFindingCount"],
    })
    .input(
      z
        .object({ limit: z.number().int().min(1).max(100).optional() })
        .strict()
        .optional(),
    )
    .output(z.array(worstNamespace.extend({ labels: labelPairs })))
    .query(({ ctx, input }) => getWorstNamespaces(ctx.db, { now: ctx.now(), limit: input?.limit ?? 5 })),
});
