import {
  type ClusterDetail,
  clusterDetailResult,
  getClusterDetail,
  getRecentSnapshots,
  namespaceSummary,
  recentSnapshotsResult,
} from "@pullsight/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { clusterSummaryOut, labelPairs, name } from "../schemas.ts";
import { publicProcedure, router } from "../trpc.ts";

/** A cluster's detail with its and its namespaces' labels as pairs. */
const clusterDetail = clusterDetailResult.extend({
  cluster: clusterSummaryOut,
  namespaces: z.array(namespaceSummary.extend({ labels: labelPairs })),
});

export const clustersRouter = router({
  /** One cluster: summary, namespaces with scores and owners, recent snapshots with failures. */
  detail: publicProcedure
    .meta({
      reads: [
        "Cluster",
        "Finding",
        "Namespace",
        "PostureRollup",
        "Snapshot",
        "Waiver",
        "Workload",
        "OpenFindingCount",
        "KubeletClusterDay",
      ],
      clusters: (detail: ClusterDetail) => [detail.cluster.id],
    })
    .input(z.object({ name, snapshots: z.number().int().min(1).max(200).optional() }).strict())
    .output(clusterDetail)
    .query(async ({ ctx, input }) => {
      const detail = await getClusterDetail(ctx.db, input.name, {
        now: ctx.now(),
        ...(input.snapshots ? { snapshots: input.snapshots } : {}),
      });
      if (!detail) throw new TRPCError({ code: "NOT_FOUND", message: `no cluster named ${input.name}` });
      return detail;
    }),
  /** Every cluster's newest snapshots with their failures (the collector page). */
  snapshots: publicProcedure
    .meta({ reads: ["Cluster", "Snapshot"] })
    .input(
      z
        .object({ perCluster: z.number().int().min(1).max(200).optional() })
        .strict()
        .optional(),
    )
    .output(recentSnapshotsResult)
    .query(({ ctx, input }) => getRecentSnapshots(ctx.db, input?.perCluster ?? 20)),
});
