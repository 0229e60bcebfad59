import { getFleetOverview } from "@pullsight/db";
import { z } from "zod";
import { publicProcedure, router } from "../trpc.ts";

const snapshotStatus = z.enum(["running", "complete", "partial", "failed"]);

const fleetOverview = z.object({
  clusters: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      kubernetesVersion: z.string().nullable(),
      lastSnapshotAt: z.date().nullable(),
      lastSnapshotStatus: snapshotStatus.nullable(),
      lastSnapshotFailures: z.number().int(),
      workloads: z.number().int(),
    }),
  ),
  totals: z.object({
    clusters: z.number().int(),
    workloads: z.number().int(),
    containers: z.number().int(),
    openFindings: z.number().int(),
  }),
  lastCollectedAt: z.date().nullable(),
});

export const fleetRouter = router({
  /** Every cluster with its last snapshot, and fleet totals. */
  overview: publicProcedure
    .input(z.object({}).strict().optional())
    .output(fleetOverview)
    .query(({ ctx }) => getFleetOverview(ctx.db)),
});
