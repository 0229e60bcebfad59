import { FINDING_STATUSES, GROUPED_RULE_IDS } from "@pullsight/core";
import { listFindings } from "@pullsight/db";
import { z } from "zod";
import { bigId, findingFilter, severity } from "../schemas.ts";
import { publicProcedure, router } from "../trpc.ts";

export const findingRow = z.object({
  finding_id: z.bigint(),
  cluster: z.string(),
  namespace: z.string(),
  workload_kind: z.string().nullable(),
  workload: z.string().nullable(),
  container: z.string().nullable(),
  rule_id: z.string(),
  severity,
  status: z.enum(FINDING_STATUSES),
  image: z.string().nullable(),
  message: z.string().nullable(),
  opened_at: z.date(),
  opened_from: z.string(),
  first_seen_at: z.date().nullable(),
  opened_snapshot_id: z.bigint(),
  evidence_since: z.date().nullable(),
  clearing_since: z.date().nullable(),
  unverified_since: z.date().nullable(),
  last_seen_snapshot_id: z.bigint().nullable(),
  resolved_at: z.date().nullable(),
  resolved_snapshot_id: z.bigint().nullable(),
  confirmed_snapshot_id: z.bigint().nullable(),
  collected_at: z.date().nullable(),
  collector_version: z.string().nullable(),
  rules_version: z.string().nullable(),
  workload_id: z.bigint().nullable(),
});

/** A rule that fires on most containers, counted per namespace (rows on demand). */
const findingGroup = z.object({
  rule_id: z.string(),
  cluster: z.string(),
  namespace: z.string(),
  severity,
  findings: z.number().int(),
  workloads: z.number().int(),
});

export const findingsRouter = router({
  /** Findings (open and waived by default), a page at a time: the rows the findings export has. */
  list: publicProcedure
    .meta({ reads: ["Cluster", "Finding", "FindingEvidence", "Snapshot", "Waiver", "Workload"] })
    .input(
      z
        .object({
          filter: findingFilter.optional(),
          limit: z.number().int().min(1).max(500).optional(),
          cursor: bigId.nullish(),
        })
        .strict(),
    )
    .output(
      z.object({
        rows: z.array(findingRow),
        total: z.number().int(),
        nextCursor: z.bigint().nullable(),
        /** Grouped rules' findings per namespace; their rows are listed only when the filter names the rule. */
        groups: z.array(findingGroup),
      }),
    )
    .query(({ ctx, input }) =>
      listFindings(ctx.db, input.filter ?? {}, {
        now: ctx.now(),
        groupRules: GROUPED_RULE_IDS,
        ...(input.limit ? { limit: input.limit } : {}),
        ...(input.cursor ? { cursor: input.cursor } : {}),
      }),
    ),
});
