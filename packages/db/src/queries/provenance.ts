// Provenance: which snapshot last confirmed a row of current state. A snapshot confirms what it
// could read: current facts of the workload kinds it read completely, findings of the rules it
// could evaluate on those kinds. The writer keeps the latest per part in Cluster.confirmations
// (ingest/findings.ts, Confirmations), so naming the snapshot costs a lookup, not a search.
import { z } from "zod";
import { Prisma } from "../generated/prisma/client.ts";

/** The latest snapshot that evaluated finding `f`'s rule on its workload's kind. Needs `c` and `wl` (left-joined). */
const latestEvaluation = Prisma.sql`GREATEST(f."lastSeenSnapshotId", (c.confirmations ->> (f."ruleId" || '|' || COALESCE(wl.kind, '')))::bigint)`;

/**
 * The snapshot that confirms what a row says of finding `f`: the latest that evaluated it while it
 * is open (seeing the condition, or not seeing it while it clears), the one that resolved it; for
 * one whose rule has no data for its container now, the last that could check it.
 */
export const findingConfirmedBy = Prisma.sql`(CASE WHEN f."resolvedAt" IS NOT NULL THEN f."resolvedSnapshotId"
  WHEN f."unverifiedSince" IS NOT NULL THEN f."lastSeenSnapshotId" ELSE ${latestEvaluation} END)`;

/** The snapshot that last saw finding `f`'s condition. */
export const findingLastSeenBy = Prisma.sql`(CASE WHEN f."resolvedAt" IS NULL AND f."clearingSince" IS NULL
  AND f."unverifiedSince" IS NULL THEN ${latestEvaluation} ELSE f."lastSeenSnapshotId" END)`;

/**
 * The snapshot that last confirmed the current facts of workload `wl` in cluster `c`: the latest
 * that read its kind completely (clusters not collected since confirmations were kept: their last).
 */
export const factsConfirmedBy = Prisma.sql`COALESCE((c.confirmations ->> ('|' || wl.kind))::bigint, c."lastSnapshotId")`;

/** What a row about a finding says of the snapshot that confirmed it (`s`, joined on findingConfirmedBy). */
export const FINDING_PROVENANCE_COLUMNS = [
  "confirmed_snapshot_id",
  "collected_at",
  "collector_version",
  "rules_version",
] as const;
export const findingProvenanceFields = {
  confirmed_snapshot_id: z.bigint().nullable(),
  collected_at: z.date().nullable(),
  collector_version: z.string().nullable(),
  rules_version: z.string().nullable(),
};
export const findingProvenanceSql = Prisma.sql`s.id AS confirmed_snapshot_id, s."finishedAt" AS collected_at,
  s."collectorVersion" AS collector_version, s."rulesVersion" AS rules_version`;
