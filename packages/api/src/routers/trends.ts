import {
  coveragePoint,
  getEventCoverage,
  getLatencyTrend,
  getPostureTrend,
  getTrendMarks,
  latencyPoint,
  posturePoint,
  trendMark,
} from "@pullsight/db";
import { z } from "zod";
import { name, postureScope, range, resolveRange, trendScope } from "../schemas.ts";
import { publicProcedure, router } from "../trpc.ts";

const bucket = z.enum(["day", "week"]);

export const trendsRouter = router({
  /** Score, policy mix, tag kinds and digest/pinned adoption per day or ISO week. */
  posture: publicProcedure
    .meta({ reads: ["Cluster", "FleetPosture", "Namespace", "PostureRollup"] })
    .input(
      z
        .object({ scope: postureScope.optional(), bucket: bucket.optional(), range: range.optional() })
        .strict(),
    )
    .output(z.array(posturePoint))
    .query(({ ctx, input }) =>
      getPostureTrend(ctx.db, {
        ...(input.scope ? { scope: input.scope } : {}),
        bucket: input.bucket ?? "day",
        ...resolveRange(input.range, ctx.now()),
      }),
    ),

  /** Pull latency (p50/p95/max), pulls and failures by cause, per registry (and cluster). */
  latency: publicProcedure
    .meta({ reads: ["Cluster", "PullLatencyDaily"] })
    .input(
      z
        .object({
          scope: trendScope.optional(),
          bucket: bucket.optional(),
          range: range.optional(),
          byCluster: z.boolean().optional(),
          registry: z.string().max(253).optional(),
        })
        .strict(),
    )
    .output(z.array(latencyPoint))
    .query(({ ctx, input }) =>
      getLatencyTrend(ctx.db, {
        ...(input.scope ? { scope: input.scope } : {}),
        bucket: input.bucket ?? "day",
        ...resolveRange(input.range, ctx.now()),
        ...(input.byCluster ? { byCluster: true } : {}),
        ...(input.registry ? { registry: input.registry } : {}),
      }),
    ),

  /**
   * Event coverage per day: how many container starts and failing containers stored kubelet events
   * explain, and how many events the kubelet's aggregator combined. Pull figures are a sample of
   * what happened; this says how large.
   */
  coverage: publicProcedure
    .meta({ reads: ["Cluster", "EventCoverageDaily"] })
    .input(z.object({ scope: trendScope.optional(), range: range.optional() }).strict())
    .output(z.array(coveragePoint))
    .query(({ ctx, input }) =>
      getEventCoverage(ctx.db, {
        ...(input.scope ? { scope: input.scope } : {}),
        ...resolveRange(input.range, ctx.now()),
      }),
    ),

  /**
   * What happened on the days a trend moved (rollouts, tags that moved, failure spikes, waivers,
   * sign-offs), for marks on the fleet's or a cluster's trends.
   */
  marks: publicProcedure
    .meta({
      reads: [
        "Cluster",
        "Finding",
        "ImageChange",
        "PullLatencyDaily",
        "Review",
        "RolloutDay",
        "Snapshot",
        "Waiver",
        "Workload",
      ],
    })
    .input(z.object({ cluster: name.optional(), range: range.optional() }).strict())
    .output(z.array(trendMark))
    .query(({ ctx, input }) =>
      getTrendMarks(ctx.db, {
        ...(input.cluster ? { cluster: input.cluster } : {}),
        ...resolveRange(input.range, ctx.now()),
      }),
    ),
});
