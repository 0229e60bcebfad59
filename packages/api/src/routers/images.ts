// The image inventory: every image reference live workloads run, its running digests and nodes,
// its registry's answer and its open findings.
import { imageRow, listImages } from "@pullsight/db";
import { z } from "zod";
import { imageFilter } from "../schemas.ts";
import { publicProcedure, router } from "../trpc.ts";

export const imagesRouter = router({
  list: publicProcedure
    .meta({
      reads: [
        "Cluster",
        "Finding",
        "ImageDigestUse",
        "ImageUse",
        "RegistryAnswer",
        "RunningImage",
        "Workload",
      ],
    })
    .input(
      z
        .object({ filter: imageFilter.optional(), limit: z.number().int().min(1).max(500).optional() })
        .strict(),
    )
    .output(z.object({ rows: z.array(imageRow), total: z.number().int() }))
    .query(({ ctx, input }) => {
      const { drift, ...filter } = input.filter ?? {};
      return listImages(
        ctx.db,
        { ...filter, ...(drift ? { drift: true } : {}) },
        {
          ...(input.limit ? { limit: input.limit } : {}),
        },
      );
    }),
});
