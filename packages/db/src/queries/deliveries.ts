// The delivery log of digests and alerts: a row per subject (a week, a finding), recipient and
// channel target, claimed atomically before it is sent so that two collectors never send the same
// one, marked sent or failed afterwards, and claimed again after a backoff when it failed.
import type { ReviewScope } from "@pullsight/core";
import { z } from "zod";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { OWNER_SQL, REVIEW_FROM, scopeSql } from "./review-groups.ts";

/** The rule whose opening is an alert: a workload's image pull is failing. */
export const PULL_FAILING_RULE = "PS009";

export const DELIVERY_KINDS = ["digest", "alert"] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

/** Attempts before a delivery is given up (each attempt itself retries a few times within seconds). */
export const MAX_DELIVERY_ATTEMPTS = 5;
/** Wait before claiming a failed delivery again: doubles with each attempt. */
export const DELIVERY_BACKOFF_MS = 60_000;
/** A delivery left "sending" this long (its sender died) may be claimed again. */
const STALE_SENDING_MS = 10 * 60_000;

export interface DeliveryKey {
  kind: DeliveryKind;
  subject: string;
  recipient: string;
  channel: "slack" | "email";
  target: string;
}

export const delivery = z.object({
  id: z.bigint(),
  kind: z.string(),
  subject: z.string(),
  recipient: z.string(),
  channel: z.string(),
  target: z.string(),
  status: z.string(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.date(),
  attemptedAt: z.date().nullable(),
  sentAt: z.date().nullable(),
});
export type Delivery = z.infer<typeof delivery>;

/**
 * Records the deliveries not yet known and claims those due: new ones, and failed ones whose
 * backoff has passed (at most MAX_DELIVERY_ATTEMPTS). Returns the claimed rows; the caller sends
 * them and reports each with `finishDelivery`.
 */
export async function claimDeliveries(db: Db, keys: readonly DeliveryKey[], now: Date): Promise<Delivery[]> {
  if (!keys.length) return [];
  const col = <K extends keyof DeliveryKey>(k: K) => keys.map((x) => x[k]);
  await db.$executeRaw`
    INSERT INTO "Delivery" (kind, subject, recipient, channel, target, status, "createdAt")
    SELECT u.kind, u.subject, u.recipient, u.channel, u.target, 'pending', ${now}
    FROM unnest(${col("kind")}::text[], ${col("subject")}::text[], ${col("recipient")}::text[],
      ${col("channel")}::text[], ${col("target")}::text[]) AS u(kind, subject, recipient, channel, target)
    ON CONFLICT (kind, subject, recipient, channel, target) DO NOTHING`;
  return db.$queryRaw<Delivery[]>`
    UPDATE "Delivery" d SET status = 'sending', attempts = d.attempts + 1, "attemptedAt" = ${now}
    FROM unnest(${col("kind")}::text[], ${col("subject")}::text[], ${col("recipient")}::text[],
      ${col("channel")}::text[], ${col("target")}::text[]) AS u(kind, subject, recipient, channel, target)
    WHERE (d.kind, d.subject, d.recipient, d.channel, d.target) = (u.kind, u.subject, u.recipient, u.channel, u.target)
      AND (d.status = 'pending'
        OR (d.status = 'failed' AND d.attempts < ${MAX_DELIVERY_ATTEMPTS}
          AND d."attemptedAt" <= ${now}::timestamptz - make_interval(secs => ${DELIVERY_BACKOFF_MS / 1000} * power(2, d.attempts - 1)))
        OR (d.status = 'sending' AND d."attemptedAt" <= ${new Date(now.getTime() - STALE_SENDING_MS)}))
    RETURNING d.*`;
}

/** Marks claimed deliveries sent, or failed with the reason. */
export async function finishDelivery(
  db: Db,
  ids: readonly bigint[],
  outcome: { sentAt: Date } | { error: string },
): Promise<void> {
  if (!ids.length) return;
  const list = Prisma.sql`${[...ids]}::bigint[]`;
  if ("sentAt" in outcome)
    await db.$executeRaw`UPDATE "Delivery" SET status = 'sent', "sentAt" = ${outcome.sentAt}, "lastError" = NULL WHERE id = ANY(${list})`;
  else
    await db.$executeRaw`UPDATE "Delivery" SET status = 'failed', "lastError" = ${outcome.error.slice(0, 2000)} WHERE id = ANY(${list})`;
}

/** The newest deliveries, for the collector page and tests. */
export async function listDeliveries(db: Db, opts: { limit?: number } = {}): Promise<Delivery[]> {
  return db.delivery.findMany({ orderBy: { id: "desc" }, take: opts.limit ?? 50 });
}

/** A workload that started failing to pull: its open PS009 finding. */
export interface PullFailureAlert {
  findingId: bigint;
  cluster: string;
  namespace: string;
  team: string;
  workloadKind: string | null;
  workload: string | null;
  workloadId: bigint | null;
  image: string | null;
  message: string | null;
  openedAt: Date;
}

/** Open "image pull failing" findings first seen since `since`, in a scope (an alert's subjects). */
export async function recentPullFailures(
  db: Db,
  since: Date,
  scope: ReviewScope,
): Promise<PullFailureAlert[]> {
  return db.$queryRaw<PullFailureAlert[]>`
    SELECT f.id AS "findingId", c.name AS cluster, f.namespace, ${OWNER_SQL} AS team, wl.kind AS "workloadKind",
      wl.name AS workload, f."workloadId", f.image, f.evidence ->> 'message' AS message, f."openedAt"
    FROM ${REVIEW_FROM}
    WHERE f."ruleId" = ${PULL_FAILING_RULE} AND f."resolvedAt" IS NULL
      AND COALESCE(f."firstSeenAt", f."openedAt") >= ${since} ${scopeSql(scope)}
    ORDER BY f.id`;
}
