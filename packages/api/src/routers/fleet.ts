import { getFleetOverview } from "@pullsight/db";
import { z } from "zod";
import { clusterSummary, findingCounts, grade, labels, snapshotStatus } from "../schemas.ts";
import { publicProcedure, router } from "../trpc.ts";

export const fleetOverview = z.object({
  clusters: z.array(clusterSummary),
  totals: z.object({
    clusters: z.number().int(),
    workloads: z.number().int(),
    containers: z.number().int(),
    compliant: z.number().int(),
    score: z.number().nullable(),
    grade: grade.nullable(),
    openFindings: z.number().int(),
    findings: findingCounts,
  }),
  lastCollectedAt: z.date().nullable(),
  incomplete: z.array(z.object({ name: z.string(), status: snapshotStatus.nullable(), stale: z.boolean() })),
});

export const fleetRouter = router({
  /** Fleet totals, score and grade, and every cluster with its last snapshot, freshness and grade. */
  overview: publicProcedure
    .meta({ reads: ["Cluster", "Finding", "PostureRollup", "Snapshot", "Waiver", "Workload"] })
    .input(
      z
        .object({
          labels: labels.optional(),
          staleAfterMinutes: z.number().int().min(1).max(10_080).optional(),
        })
        .strict()
        .optional(),
    )
    .output(fleetOverview)
    .query(({ ctx, input }) =>
      getFleetOverview(ctx.db, {
        now: ctx.now(),
        ...(input?.labels ? { labels: input.labels } : {}),
        ...(input?.staleAfterMinutes ? { staleAfterMs: input.staleAfterMinutes * 60_000 } : {}),
      }),
    ),
});
