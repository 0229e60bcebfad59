import {
  getWorkloadDetail,
  getWorkloadFacets,
  InvalidCursorError,
  listWorkloads,
  WORKLOAD_SORTS,
} from "@pullsight/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { bigId, labelPairs, name, severity, workloadFilter } from "../schemas.ts";
import { publicProcedure, router } from "../trpc.ts";

const workloadRow = z.object({
  id: z.bigint(),
  cluster: z.string(),
  namespace: z.string(),
  kind: z.string(),
  name: z.string(),
  lastSeenAt: z.date(),
  lastChangedAt: z.date(),
  containers: z.number().int(),
  images: z.array(z.string()),
  policies: z.array(z.string()),
  findings: z.number().int(),
  waived: z.number().int(),
  maxSeverity: severity.nullable(),
});

const workloadDetail = z.object({
  workload: z.object({
    id: z.bigint(),
    cluster: z.string(),
    namespace: z.string(),
    kind: z.string(),
    name: z.string(),
    uid: z.string().nullable(),
    serviceAccount: z.string().nullable(),
    labels: labelPairs,
    firstSeenAt: z.date(),
    lastSeenAt: z.date(),
    lastChangedAt: z.date(),
    deletedAt: z.date().nullable(),
  }),
  containers: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      image: z.string(),
      registry: z.string(),
      repository: z.string(),
      tag: z.string().nullable(),
      digest: z.string().nullable(),
      tagKind: z.string(),
      registryVisibility: z.string(),
      imagePullPolicy: z.string(),
      policySource: z.string(),
      policyEvidence: z.string(),
      pullSecrets: z.array(z.string()),
      since: z.date(),
      snapshotId: z.bigint(),
    }),
  ),
  findings: z.array(
    z.object({
      id: z.bigint(),
      ruleId: z.string(),
      title: z.string(),
      severity,
      container: z.string().nullable(),
      image: z.string().nullable(),
      message: z.string(),
      evidence: z.record(z.string(), z.unknown()),
      why: z.string(),
      fix: z.string(),
      fixYaml: z.string(),
      references: z.array(z.object({ title: z.string(), url: z.string() })),
      openedAt: z.date(),
      openedFrom: z.string(),
      evidenceSince: z.date().nullable(),
      clearingSince: z.date().nullable(),
      confirmedAt: z.date().nullable(),
      resolvedAt: z.date().nullable(),
      waived: z.boolean(),
    }),
  ),
  running: z.array(
    z.object({
      container: z.string(),
      drift: z.boolean(),
      digests: z.array(
        z.object({
          digest: z.string().nullable(),
          image: z.string(),
          nodes: z.array(z.object({ node: z.string(), pods: z.number().int() })),
          since: z.date(),
        }),
      ),
    }),
  ),
  events: z.array(
    z.object({
      id: z.bigint(),
      reason: z.string(),
      container: z.string().nullable(),
      node: z.string().nullable(),
      image: z.string().nullable(),
      message: z.string(),
      count: z.number().int(),
      firstTimestamp: z.date(),
      lastTimestamp: z.date(),
      pullDurationMs: z.number().nullable(),
      alreadyPresent: z.boolean(),
      failureCause: z.string().nullable(),
    }),
  ),
  latency: z.array(
    z.object({
      image: z.string(),
      pulls: z.number().int(),
      failures: z.number().int(),
      p50Ms: z.number().nullable(),
      p95Ms: z.number().nullable(),
      maxMs: z.number().nullable(),
    }),
  ),
  history: z.array(
    z.object({
      container: z.string(),
      validFrom: z.date(),
      validTo: z.date().nullable(),
      image: z.string(),
      imagePullPolicy: z.string(),
      policySource: z.string(),
      tagKind: z.string(),
    }),
  ),
});

export const workloadsRouter = router({
  /** The workloads table: filtered, sorted and paginated by the database (keyset cursor). */
  list: publicProcedure
    .meta({ reads: ["Cluster", "ContainerFact", "Finding", "Snapshot", "Waiver", "Workload"] })
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
    .output(
      z.object({ rows: z.array(workloadRow), total: z.number().int(), nextCursor: z.string().nullable() }),
    )
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
    .meta({ reads: ["Cluster", "ContainerFact", "Workload"] })
    .input(z.object({ cluster: name.optional() }).strict().optional())
    .output(z.record(z.string(), z.array(z.object({ value: z.string(), containers: z.number().int() }))))
    .query(({ ctx, input }) => getWorkloadFacets(ctx.db, input?.cluster)),

  /** Everything about one workload. */
  detail: publicProcedure
    .meta({
      reads: [
        "Cluster",
        "ContainerFact",
        "Finding",
        "PullEvent",
        "RunningImage",
        "Snapshot",
        "Waiver",
        "Workload",
      ],
    })
    .input(z.object({ id: bigId }).strict())
    .output(workloadDetail)
    .query(async ({ ctx, input }) => {
      const detail = await getWorkloadDetail(ctx.db, input.id, { now: ctx.now() });
      if (!detail) throw new TRPCError({ code: "NOT_FOUND", message: `no workload ${input.id}` });
      return detail;
    }),
});
