// Teams as the dashboard shows them: every team that owns a namespace with its score now and a
// week ago and its open findings, and one team's namespaces across clusters.
import { getTeamNamespaces, listTeamSummaries, teamSummary, worstNamespace } from "@pullsight/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { team } from "../schemas.ts";
import { publicProcedure, router } from "../trpc.ts";

const READS = [
  "Cluster",
  "Finding",
  "Namespace",
  "OpenFindingCount",
  "PostureRollup",
  "Waiver",
  "Workload",
] as const;

export const teamsRouter = router({
  /** Every team, the lowest score first. */
  list: publicProcedure
    .meta({ reads: [...READS] })
    .output(z.array(teamSummary))
    .query(({ ctx }) => listTeamSummaries(ctx.db, ctx.now())),

  /** One team: its summary and its namespaces. */
  detail: publicProcedure
    .meta({ reads: [...READS] })
    .input(z.object({ team }).strict())
    .output(z.object({ summary: teamSummary, namespaces: z.array(worstNamespace) }))
    .query(async ({ ctx, input }) => {
      const [summary] = await listTeamSummaries(ctx.db, ctx.now(), input.team);
      if (!summary)
        throw new TRPCError({ code: "NOT_FOUND", message: `no namespace is owned by team ${input.team}` });
      return { summary, namespaces: await getTeamNamespaces(ctx.db, input.team, ctx.now()) };
    }),
});
