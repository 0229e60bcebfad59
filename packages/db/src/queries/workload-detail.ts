// One workload, everything about it: containers with image anatomy and policy evidence, findings
// with why and how to fix (waived or not), digests running per node (drift), the pull-event
// timeline, pull latency, and the history of changes to its containers.

import { CONTAINER_TYPES, ownerLabel, RULES_BY_ID } from "@pullsight/core";
import { z } from "zod";
import type { Db } from "../client.ts";
import { FAILED_ATTEMPTS_SQL, PULL_FAILURE_SQL } from "../ingest/pull-events.ts";
import { findingConfirmedBy } from "./provenance.ts";
import { labelMap, severity } from "./results.ts";
import { waivedSql } from "./waivers.ts";

const detailWorkload = z.object({
  id: z.bigint(),
  cluster: z.string(),
  clusterId: z.number().int(),
  namespace: z.string(),
  /** The namespace's owning team, "(unowned)" when none. */
  owner: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string().nullable(),
  serviceAccount: z.string().nullable(),
  labels: labelMap,
  firstSeenAt: z.date(),
  lastSeenAt: z.date(),
  /** When a current container fact (image, policy, secrets…) last changed. */
  lastChangedAt: z.date(),
  deletedAt: z.date().nullable(),
});

const detailContainer = z.object({
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
  /** Where its pulls get credentials (core CREDENTIAL_SOURCES); empty when not recorded. */
  credentialSources: z.array(z.string()),
  since: z.date(),
  snapshotId: z.bigint(),
  /** What the registry last answered for the image (the registry prober); null if never asked. */
  registryAnswer: z
    .object({
      outcome: z.string(),
      httpStatus: z.number().int().nullable(),
      digest: z.string().nullable(),
      detail: z.string().nullable(),
      credentialed: z.boolean(),
      probedAt: z.date(),
      since: z.date(),
      attemptOutcome: z.string(),
      attemptedAt: z.date(),
    })
    .nullable(),
});

const detailFinding = z.object({
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
  /** When the condition began, and which data says so (snapshot, pull-events, pod-status). */
  openedAt: z.date(),
  openedFrom: z.string(),
  /** Since when the stored evidence holds. */
  evidenceSince: z.date().nullable(),
  /** Set while a runtime condition is gone but its hysteresis window has not passed. */
  clearingSince: z.date().nullable(),
  /** The collection time of the snapshot that last confirmed it. */
  confirmedAt: z.date().nullable(),
  resolvedAt: z.date().nullable(),
  waived: z.boolean(),
});

const detailRunning = z.object({
  container: z.string(),
  /** Distinct digests running now; more than one for a tag is drift. */
  drift: z.boolean(),
  digests: z.array(
    z.object({
      digest: z.string().nullable(),
      image: z.string(),
      nodes: z.array(z.object({ node: z.string(), pods: z.number().int() })),
      since: z.date(),
    }),
  ),
});

const detailEvent = z.object({
  id: z.bigint(),
  reason: z.string(),
  pod: z.string(),
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
  /** client-go's aggregator rewrote it: its count is not a count of pulls. */
  aggregated: z.boolean(),
});

export const workloadDetailResult = z.object({
  workload: detailWorkload,
  containers: z.array(detailContainer),
  findings: z.array(detailFinding),
  running: z.array(detailRunning),
  events: z.array(detailEvent),
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
export type WorkloadDetail = z.infer<typeof workloadDetailResult>;

type Detail = WorkloadDetail;
type FindingRow = Omit<
  Detail["findings"][number],
  "title" | "container" | "message" | "why" | "fix" | "fixYaml" | "references"
> & { containerName: string | null };

/** The newest pull events a workload's detail carries. */
export const WORKLOAD_DETAIL_EVENTS = 200;

export async function getWorkloadDetail(
  db: Db,
  id: bigint,
  opts: { now?: Date; events?: number; latencyDays?: number } = {},
): Promise<WorkloadDetail | null> {
  const now = opts.now ?? new Date();
  const w = await db.workload.findUnique({
    where: { id },
    select: {
      id: true,
      namespace: true,
      kind: true,
      name: true,
      uid: true,
      serviceAccount: true,
      labels: true,
      firstSeenAt: true,
      lastSeenAt: true,
      deletedAt: true,
      clusterId: true,
      cluster: { select: { name: true } },
    },
  });
  if (!w) return null;
  const since = new Date(now.getTime() - (opts.latencyDays ?? 7) * 86_400_000);
  const [facts, findings, running, events, latency, ns] = await Promise.all([
    db.containerFact.findMany({
      where: { workloadId: id },
      orderBy: [{ validFrom: "asc" }, { containerName: "asc" }],
    }),
    findingsOf(db, id, now),
    db.runningImage.findMany({
      where: { workloadId: id, validTo: null },
      orderBy: [{ containerName: "asc" }, { digest: "asc" }, { nodeName: "asc" }],
    }),
    db.pullEvent.findMany({
      where: { workloadId: id },
      orderBy: { lastTimestamp: "desc" },
      take: opts.events ?? WORKLOAD_DETAIL_EVENTS,
    }),
    latencyOf(db, id, since),
    db.namespace.findUnique({
      where: { clusterId_name: { clusterId: w.clusterId, name: w.namespace } },
      select: { owner: true },
    }),
  ]);
  // Containers in the pod spec's order of kinds (app, init, ephemeral), then image volumes.
  const current = facts
    .filter((f) => f.validTo === null)
    .sort(
      (a, b) =>
        CONTAINER_TYPES.indexOf(a.containerType) - CONTAINER_TYPES.indexOf(b.containerType) ||
        a.containerName.localeCompare(b.containerName),
    );
  const answers = await db.registryAnswer.findMany({
    where: { image: { in: [...new Set(current.map((f) => f.image))] } },
    select: {
      image: true,
      outcome: true,
      httpStatus: true,
      digest: true,
      detail: true,
      credentialed: true,
      probedAt: true,
      since: true,
      attemptOutcome: true,
      attemptedAt: true,
    },
  });
  const answerOf = new Map(answers.map(({ image, ...a }) => [image, a]));
  return {
    workload: {
      id: w.id,
      cluster: w.cluster.name,
      clusterId: w.clusterId,
      namespace: w.namespace,
      owner: ownerLabel(ns?.owner),
      kind: w.kind,
      name: w.name,
      uid: w.uid,
      serviceAccount: w.serviceAccount,
      labels: (w.labels ?? {}) as Record<string, string>,
      firstSeenAt: w.firstSeenAt,
      lastSeenAt: w.lastSeenAt,
      lastChangedAt: new Date(
        Math.max(w.firstSeenAt.getTime(), ...current.map((f) => f.validFrom.getTime())),
      ),
      deletedAt: w.deletedAt,
    },
    containers: current.map((f) => ({ ...containerOf(f), registryAnswer: answerOf.get(f.image) ?? null })),
    findings: findings.map(findingOf),
    running: runningByContainer(running),
    events: events.map(eventOf),
    latency,
    history: facts.map((f) => ({
      container: f.containerName,
      validFrom: f.validFrom,
      validTo: f.validTo,
      image: f.image,
      imagePullPolicy: f.imagePullPolicy,
      policySource: f.policySource,
      tagKind: f.tagKind,
    })),
  };
}

/** Open findings and those resolved in the last 30 days, most severe first, with waiver and confirmation. */
function findingsOf(db: Db, id: bigint, now: Date) {
  return db.$queryRaw<FindingRow[]>`
    SELECT f.id, f."ruleId", f.severity::text AS severity, f."containerName", f.image, f.evidence, f."openedAt",
      f."openedFrom", f."evidenceSince", f."clearingSince", s."finishedAt" AS "confirmedAt", f."resolvedAt",
      (f."resolvedAt" IS NULL AND ${waivedSql(now)}) AS waived
    FROM "Finding" f JOIN "Cluster" c ON c.id = f."clusterId" LEFT JOIN "Workload" wl ON wl.id = f."workloadId"
    LEFT JOIN "Snapshot" s ON s.id = ${findingConfirmedBy}
    WHERE f."workloadId" = ${id} AND (f."resolvedAt" IS NULL OR f."resolvedAt" > ${new Date(now.getTime() - 30 * 86_400_000)})
    ORDER BY f."resolvedAt" IS NOT NULL, array_position(ARRAY['critical','high','medium','low','info'], f.severity::text), f."ruleId", f."containerName"`;
}

/** Pulls, failures and pull-time percentiles per image since a date. */
function latencyOf(db: Db, id: bigint, since: Date) {
  return db.$queryRaw<Detail["latency"]>`
    SELECT COALESCE(image, 'unknown') AS image,
      (COUNT(*) FILTER (WHERE reason = 'Pulled' AND NOT "alreadyPresent"))::int AS pulls,
      (COALESCE(SUM(${FAILED_ATTEMPTS_SQL}) FILTER (WHERE ${PULL_FAILURE_SQL}), 0))::int AS failures,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY "pullDurationMs") FILTER (WHERE "pullDurationMs" IS NOT NULL) AS "p50Ms",
      percentile_cont(0.95) WITHIN GROUP (ORDER BY "pullDurationMs") FILTER (WHERE "pullDurationMs" IS NOT NULL) AS "p95Ms",
      MAX("pullDurationMs") AS "maxMs"
    FROM "PullEvent" WHERE "workloadId" = ${id} AND "lastTimestamp" >= ${since}
    GROUP BY 1 ORDER BY 1`;
}

type FactRow = Awaited<ReturnType<Db["containerFact"]["findMany"]>>[number];
type RunningRow = Awaited<ReturnType<Db["runningImage"]["findMany"]>>[number];
type EventRow = Awaited<ReturnType<Db["pullEvent"]["findMany"]>>[number];

function containerOf(f: FactRow): Omit<Detail["containers"][number], "registryAnswer"> {
  return {
    name: f.containerName,
    type: f.containerType,
    image: f.image,
    registry: f.registry,
    repository: f.repository,
    tag: f.tag,
    digest: f.digest,
    tagKind: f.tagKind,
    registryVisibility: f.registryVisibility,
    imagePullPolicy: f.imagePullPolicy,
    policySource: f.policySource,
    policyEvidence: f.policyEvidence,
    pullSecrets: f.pullSecrets,
    credentialSources: f.credentialSources,
    since: f.validFrom,
    snapshotId: f.validFromSnapshot,
  };
}

/** A finding with its rule's words (why, fix, references) and the message pulled out of its evidence. */
function findingOf(f: FindingRow): Detail["findings"][number] {
  const rule = RULES_BY_ID.get(f.ruleId);
  const { message, ...evidence } = (f.evidence ?? {}) as Record<string, unknown>;
  const { containerName, ...rest } = f;
  return {
    ...rest,
    title: rule?.title ?? f.ruleId,
    container: containerName,
    message: typeof message === "string" ? message : "",
    evidence,
    why: rule?.why ?? "",
    fix: rule?.fix ?? "",
    fixYaml: rule?.fixYaml ?? "",
    references: rule?.references ?? [],
  };
}

/** Running images grouped per container and digest, with the nodes running each; two digests are drift. */
function runningByContainer(rows: RunningRow[]): Detail["running"] {
  const byContainer = new Map<string, Detail["running"][number]>();
  for (const r of rows) {
    let entry = byContainer.get(r.containerName);
    if (!entry) {
      entry = { container: r.containerName, drift: false, digests: [] };
      byContainer.set(r.containerName, entry);
    }
    let d = entry.digests.find((x) => x.digest === r.digest);
    if (!d) {
      d = { digest: r.digest, image: r.image, nodes: [], since: r.validFrom };
      entry.digests.push(d);
    }
    d.nodes.push({ node: r.nodeName, pods: r.pods });
    if (r.validFrom < d.since) d.since = r.validFrom;
  }
  for (const e of byContainer.values()) e.drift = e.digests.filter((d) => d.digest).length > 1;
  return [...byContainer.values()];
}

function eventOf(e: EventRow): Detail["events"][number] {
  return {
    id: e.id,
    reason: e.reason,
    pod: e.podName,
    container: e.containerName,
    node: e.nodeName,
    image: e.image,
    message: e.message,
    count: e.count,
    firstTimestamp: e.firstTimestamp,
    lastTimestamp: e.lastTimestamp,
    pullDurationMs: e.pullDurationMs,
    alreadyPresent: e.alreadyPresent,
    failureCause: e.failureCause,
    aggregated: e.aggregated,
  };
}
