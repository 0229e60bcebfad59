import { getClusterDetail } from "@pullsight/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { clusterSummary, findingCounts, grade, labelPairs, name, snapshotStatus } from "../schemas.ts";
import { publicProcedure, router } from "../trpc.ts";

const snapshotSummary = z.object({
  id: z.bigint(),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
  status: snapshotStatus,
  durationMs: z.number().nullable(),
  failures: z.array(
    z.object({ kind: z.string(), reason: z.string(), status: z.number().nullable(), message: z.string() }),
  ),
  collectorVersion: z.string(),
  rulesVersion: z.string(),
  rows: z.record(z.string(), z.number()).nullable(),
});

export const clusterDetail = z.object({
  cluster: clusterSummary,
  namespaces: z.array(
    z.object({
      name: z.string(),
      team: z.string().nullable(),
      labels: labelPairs,
      profile: z.string().nullable(),
      workloads: z.number().int(),
      containers: z.number().int(),
      compliant: z.number().int(),
      score: z.number().nullable(),
      grade: grade.nullable(),
      findings: findingCounts,
    }),
  ),
  snapshots: z.array(snapshotSummary),
});

export const clustersRouter = router({
  /** One cluster: summary, namespaces with scores and owners, recent snapshots with failures. */
  detail: publicProcedure
    .meta({ reads: ["Cluster", "Finding", "Namespace", "PostureRollup", "Snapshot", "Waiver", "Workload"] })
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
});
