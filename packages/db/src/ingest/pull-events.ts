// Pull events upserted by (cluster, event UID) in batches: an aggregated event that comes back
// with a higher count updates its row (client-go's aggregator also replaces its message, so the
// cause and image follow); nothing is ever duplicated. One statement per batch.
import type pg from "pg";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { pgTextArray } from "./rows.ts";

const FAILED_PULL = "Failed to pull image %";
const AGGREGATED_FAILED_PULL = "(combined from similar events): Failed to pull image %";

/**
 * The events that record a failed pull attempt: "Failed to pull image", as written or as
 * client-go's aggregator rewrote it. The "Error: ErrImagePull" line that follows each attempt and
 * the back-offs between attempts are not attempts.
 */
export const PULL_FAILURE_SQL = Prisma.sql`(reason = 'Failed' AND (message LIKE ${FAILED_PULL} OR message LIKE ${AGGREGATED_FAILED_PULL}))`;

/**
 * Failed attempts an event stands for: its count, except an aggregated event's, whose count
 * counts every similar event of the pod (its "Error: …" lines and back-offs too): it stands for
 * the one attempt its message shows. A lower bound, which event coverage reports as such.
 */
export const FAILED_ATTEMPTS_SQL = Prisma.sql`(CASE WHEN aggregated THEN 1 ELSE "count" END)`;

export interface PullEventInput {
  uid: string;
  namespace: string;
  podName: string;
  containerName: string | null;
  nodeName: string | null;
  reason: string;
  image: string | null;
  registry: string | null;
  alreadyPresent: boolean;
  pullDurationMs: number | null;
  waitingDurationMs: number | null;
  imageSizeBytes: number | null;
  failureCause: string | null;
  message: string;
  count: number;
  firstTimestamp: Date;
  lastTimestamp: Date;
  resourceVersion: string | null;
  /** client-go's aggregator rewrote the message ("(combined from similar events): …"). */
  aggregated: boolean;
  /** The pod's workload, when the collector knows it (from the latest snapshot). */
  workloadKind: string | null;
  workloadName: string | null;
}

/** Returns the cluster's id, creating the cluster row if the watcher runs before any snapshot. */
export async function ensureCluster(db: Db, name: string): Promise<number> {
  const row = await db.cluster.upsert({
    where: { name },
    create: { name },
    update: {},
    select: { id: true },
  });
  return row.id;
}

export async function upsertPullEvents(db: Db, clusterId: number, events: PullEventInput[]): Promise<number> {
  if (!events.length) return 0;
  // Within one batch the newest version of an event wins.
  const latest = new Map<string, PullEventInput>();
  for (const e of events) {
    const prev = latest.get(e.uid);
    if (!prev || e.count >= prev.count) latest.set(e.uid, e);
  }
  const rows = [...latest.values()];
  const col = <T>(f: (e: PullEventInput) => T) => rows.map(f);
  return db.$executeRaw`
    INSERT INTO "PullEvent" ("clusterId", "uid", "namespace", "podName", "containerName", "nodeName", "reason", "image", "registry",
      "alreadyPresent", "pullDurationMs", "waitingDurationMs", "imageSizeBytes", "failureCause", "message", "count",
      "firstTimestamp", "lastTimestamp", "resourceVersion", "aggregated", "workloadId")
    SELECT ${clusterId}, u."uid", u."namespace", u."podName", u."containerName", u."nodeName", u."reason", u."image", u."registry",
      u."alreadyPresent", u."pullDurationMs", u."waitingDurationMs", u."imageSizeBytes", u."failureCause", u."message", u."count",
      u."firstTimestamp", u."lastTimestamp", u."resourceVersion", u."aggregated", w.id
    FROM unnest(
      ${col((e) => e.uid)}::text[], ${col((e) => e.namespace)}::text[], ${col((e) => e.podName)}::text[],
      ${col((e) => e.containerName)}::text[], ${col((e) => e.nodeName)}::text[], ${col((e) => e.reason)}::text[],
      ${col((e) => e.image)}::text[], ${col((e) => e.registry)}::text[], ${col((e) => e.alreadyPresent)}::boolean[],
      ${col((e) => e.pullDurationMs)}::float8[], ${col((e) => e.waitingDurationMs)}::float8[],
      ${col((e) => (e.imageSizeBytes === null ? null : String(e.imageSizeBytes)))}::bigint[], ${col((e) => e.failureCause)}::text[],
      ${col((e) => e.message)}::text[], ${col((e) => e.count)}::int[], ${col((e) => e.firstTimestamp)}::timestamptz[],
      ${col((e) => e.lastTimestamp)}::timestamptz[], ${col((e) => e.resourceVersion)}::text[],
      ${col((e) => e.aggregated)}::boolean[], ${col((e) => e.workloadKind)}::text[], ${col((e) => e.workloadName)}::text[]
    ) AS u("uid", "namespace", "podName", "containerName", "nodeName", "reason", "image", "registry", "alreadyPresent",
           "pullDurationMs", "waitingDurationMs", "imageSizeBytes", "failureCause", "message", "count",
           "firstTimestamp", "lastTimestamp", "resourceVersion", "aggregated", "workloadKind", "workloadName")
    LEFT JOIN "Workload" w
      ON w."clusterId" = ${clusterId} AND w.namespace = u."namespace" AND w.kind = u."workloadKind" AND w.name = u."workloadName"
    ON CONFLICT ("clusterId", "uid") DO UPDATE SET
      "count" = GREATEST("PullEvent"."count", EXCLUDED."count"),
      "lastTimestamp" = GREATEST("PullEvent"."lastTimestamp", EXCLUDED."lastTimestamp"),
      "message" = EXCLUDED."message",
      "failureCause" = EXCLUDED."failureCause",
      "aggregated" = EXCLUDED."aggregated",
      "image" = COALESCE(EXCLUDED."image", "PullEvent"."image"),
      "registry" = COALESCE(EXCLUDED."registry", "PullEvent"."registry"),
      "resourceVersion" = EXCLUDED."resourceVersion",
      "workloadId" = COALESCE("PullEvent"."workloadId", EXCLUDED."workloadId")`;
}

/** Links events that arrived before their pod was known to the workload a snapshot found it in. */
export async function linkPullEventsToWorkloads(
  client: pg.ClientBase,
  clusterId: number,
  pods: Array<{ namespace: string; pod: string; kind: string; name: string }>,
): Promise<number> {
  if (!pods.length) return 0;
  // The pods events wait for (PullEvent_unlinked_idx) are few against the cluster's pods: only
  // theirs are sent, not every pod every snapshot.
  const waiting = await client.query<{ namespace: string; podName: string }>(
    `SELECT DISTINCT namespace, "podName" FROM "PullEvent" WHERE "clusterId" = $1 AND "workloadId" IS NULL`,
    [clusterId],
  );
  if (!waiting.rows.length) return 0;
  const awaited = new Set(waiting.rows.map((r) => `${r.namespace}\u0000${r.podName}`));
  const found = pods.filter((p) => awaited.has(`${p.namespace}\u0000${p.pod}`));
  if (!found.length) return 0;
  const result = await client.query(
    `UPDATE "PullEvent" e SET "workloadId" = w.id
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS m("namespace", "pod", "kind", "name")
     JOIN "Workload" w ON w."clusterId" = $1 AND w.namespace = m."namespace" AND w.kind = m."kind" AND w.name = m."name"
     WHERE e."clusterId" = $1 AND e."workloadId" IS NULL AND e.namespace = m."namespace" AND e."podName" = m."pod"`,
    [
      clusterId,
      pgTextArray(found.map((p) => p.namespace)),
      pgTextArray(found.map((p) => p.pod)),
      pgTextArray(found.map((p) => p.kind)),
      pgTextArray(found.map((p) => p.name)),
    ],
  );
  return result.rowCount ?? 0;
}
