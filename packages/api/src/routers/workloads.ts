import {
  getWorkloadDetail,
  getWorkloadFacets,
  InvalidCursorError,
  listWorkloads,
  WORKLOAD_SORTS,
  type WorkloadDetail,
  workloadDetailResult,
  workloadFacetsResult,
  workloadPageResult,
} from "@pullsight/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { bigId, labelPairs, name, workloadFilter } from "../schemas.ts";
import { publicProcedure, router } from "../trpc.ts";

/** A workload's detail with its labels as pairs. */
const workloadDetail = workloadDetailResult.extend({
  workload: workloadDetailResult.shape.workload.extend({ labels: labelPairs }),
});

export const workloadsRouter = router({
  /** The workloads table: filtered, sorted and paginated by the database (keyset cursor). */
  list: publicProcedure
    .meta({
      reads: [
        "Cluster",
        "ContainerFact",
        "Finding",
        "ImageUse",
        "Namespace",
        "Snapshot",
        "Waiver",
        "Workload",
      ],
    })
    .input(
      z
        .object({
          filter: workloadFilter.optional(),
          sort: z.enum(WORKLOAD_SORTS).optional(),
          order: z.enum(["asc", "desc"]).optional(),
          limit: z.number().int().min(1).max(500).optional(),
          cursor: z.string().max(1000).nullish(),
        })
        .strict(),
    )
    .output(workloadPageResult)
    .query(async ({ ctx, input }) => {
      try {
        return await listWorkloads(ctx.db, { ...input, now: ctx.now() });
      } catch (e) {
        if (e instanceof InvalidCursorError) throw new TRPCError({ code: "BAD_REQUEST", message: e.message });
        throw e;
      }
    }),

  /** The values each filter can take (with container counts), for the filter menus. */
  facets: publicProcedure
    .meta({ reads: ["Cluster", "ContainerFacets", "Namespace"] })
    .input(z.object({ cluster: name.optional() }).strict().optional())
    .output(workloadFacetsResult)
    .query(({ ctx, input }) => getWorkloadFacets(ctx.db, input?.cluster)),

  /** Everything about one workload. */
  detail: publicProcedure
    .meta({
      reads: [
        "Cluster",
        "ContainerFact",
        "Finding",
        "Namespace",
        "PullEvent",
        "RegistryAnswer",
        "RunningImage",
        "Snapshot",
        "Waiver",
        "Workload",
      ],
      clusters: (detail: WorkloadDetail) => [detail.workload.clusterId],
    })
    .input(z.object({ id: bigId }).strict())
    .output(workloadDetail)
    .query(async ({ ctx, input }) => {
      const detail = await getWorkloadDetail(ctx.db, input.id, { now: ctx.now() });
      if (!detail) throw new TRPCError({ code: "NOT_FOUND", message: `no workload ${input.id}` });
      return detail;
    }),
});
