// Provenance: which snapshot last confirmed a row of current state. A snapshot confirms what it
// could read: current facts of the workload kinds it read completely, open findings of the rules
// it could evaluate on those kinds. The writer keeps the latest per part in Cluster.confirmations
// (ingest/findings.ts, Confirmations), so naming the snapshot costs a lookup, not a search.
import { Prisma } from "../generated/prisma/client.ts";

/**
 * The snapshot that last confirmed finding `f`; needs `c` (its Cluster) and `wl` (its Workload,
 * left-joined). A clearing or resolved finding names the last snapshot that saw its condition.
 */
export const findingConfirmedBy = Prisma.sql`(CASE WHEN f."resolvedAt" IS NULL AND f."clearingSince" IS NULL
  THEN GREATEST(f."lastSeenSnapshotId", (c.confirmations ->> (f."ruleId" || '|' || COALESCE(wl.kind, '')))::bigint)
  ELSE f."lastSeenSnapshotId" END)`;

/**
 * The snapshot that last confirmed the current facts of workload `wl` in cluster `c`: the latest
 * that read its kind completely (clusters not collected since confirmations were kept: their last).
 */
export const factsConfirmedBy = Prisma.sql`COALESCE((c.confirmations ->> ('|' || wl.kind))::bigint, c."lastSnapshotId")`;
