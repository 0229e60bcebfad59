// Will it pull? References at risk (the registry no longer serves them, or their tag moved) and how
// each registry answers the prober.
import { AT_RISK_SORTS, atRiskRow, getRegistryHealth, listAtRisk, registryHealthResult } from "@pullsight/db";
import { z } from "zod";
import { atRiskFilter, name } from "../schemas.ts";
import { publicProcedure, router } from "../trpc.ts";

export const registriesRouter = router({
  atRisk: publicProcedure
    .meta({ reads: ["Cluster", "Finding", "Namespace", "Snapshot", "Waiver", "Workload"] })
    .input(
      z
        .object({
          filter: atRiskFilter.optional(),
          limit: z.number().int().min(1).max(1000).optional(),
          sort: z.enum(AT_RISK_SORTS).optional(),
          order: z.enum(["asc", "desc"]).optional(),
        })
        .strict(),
    )
    .output(z.object({ rows: z.array(atRiskRow), total: z.number().int() }))
    .query(({ ctx, input }) =>
      listAtRisk(ctx.db, input.filter ?? {}, {
        now: ctx.now(),
        ...(input.limit ? { limit: input.limit } : {}),
        sort: { by: input.sort, order: input.order },
      }),
    ),
  health: publicProcedure
    .meta({ reads: ["Cluster", "ContainerFact", "RegistryAnswer", "RegistryProbeRound", "Workload"] })
    .input(
      z
        .object({
          days: z.number().int().min(1).max(90).optional(),
          /** Count the references and answers of one cluster's workloads only. */
          cluster: name.optional(),
        })
        .strict()
        .optional(),
    )
    .output(registryHealthResult)
    .query(({ ctx, input }) =>
      getRegistryHealth(ctx.db, {
        now: ctx.now(),
        ...(input?.days ? { days: input.days } : {}),
        ...(input?.cluster ? { cluster: input.cluster } : {}),
      }),
    ),
});
