// Writes one cluster snapshot in one transaction, storing changes, not copies:
// - a workload row is created once and touched only when it changes, disappears or returns;
// - a container's facts get a new row only when their hash changes (the old row is closed);
// - running images likewise, per (container, node, digest);
// - findings open, keep their evidence current and clear/resolve by their rule's lifecycle (findings.ts);
// - rollups per namespace (and "" for the cluster) are written every snapshot: they are the history;
//   after HOURLY_ROLLUP_DAYS they are compacted to the last one of each UTC day (rollups.ts).
// writeInTransaction is the script; each step is a module of its own under steps/.
// A snapshot is visible complete, partial (with reasons), failed, or not at all.
// The transaction runs on a plain pg connection from the client's own pool: every table is
// written with one INSERT … SELECT FROM unnest(…) per chunk (one array parameter per column),
// which PostgreSQL takes at ~100k rows/s where Prisma's createMany spent most of a snapshot
// preparing values (README, Benchmarks, has the numbers).
import type { ConditionSince, ContainerType, Severity } from "@pullsight/core";
import type pg from "pg";
import { type Db, poolOf } from "../client.ts";
import { confirm, writeFindings } from "./findings.ts";
import { writeRollups } from "./rollups.ts";
import { StaleSnapshotBaseError } from "./stale-base.ts";
import { writeContainerFacets } from "./steps/container-facets.ts";
import { writeContainerFacts } from "./steps/container-facts.ts";
import type { StepContext } from "./steps/context.ts";
import { insertSnapshot, markLatest, recordRows, upsertCluster } from "./steps/header.ts";
import { writeImageUse } from "./steps/image-use.ts";
import { writeNamespaces } from "./steps/namespaces.ts";
import { writeRunningImages } from "./steps/running-images.ts";
import { writeWorkloads } from "./steps/workloads.ts";

export { compactRollups, computeRollups, HOURLY_ROLLUP_DAYS, type RollupRow } from "./rollups.ts";
export { pgTextArray } from "./rows.ts";
export { StaleSnapshotBaseError } from "./stale-base.ts";

export interface FindingInput {
  ruleId: string;
  severity: Severity;
  fingerprint: string;
  image: string;
  message: string;
  evidence: Record<string, unknown>;
  /** When the condition began, where the data knows it (core's ConditionSince). */
  since?: ConditionSince;
}

export interface ContainerInput {
  name: string;
  type: ContainerType;
  image: string;
  registry: string;
  repository: string;
  tag: string | null;
  digest: string | null;
  tagKind: string;
  registryVisibility: string;
  imagePullPolicy: string;
  policySource: string;
  policyEvidence: string;
  pullSecrets: string[];
  /** Where its pulls get credentials, in the kubelet's order (core credential-source.ts). */
  credentialSources: string[];
  factHash: string;
  running: Array<{ nodeName: string; image: string; digest: string | null; pods: number }>;
  findings: FindingInput[];
  /** Rules that could not be evaluated on this container (their inputs were not there). */
  unevaluated?: string[];
  compliant: boolean;
}

export interface WorkloadInput {
  namespace: string;
  kind: string;
  name: string;
  uid: string | null;
  serviceAccount: string | null;
  labels: Record<string, string>;
  /** Names of the workload's pods, to link pull events that arrived before the pod was known. */
  pods?: string[];
  containers: ContainerInput[];
  /**
   * Set (and `containers` empty) when the workload is unchanged since the snapshot `basedOn`: its
   * stored container facts, running images and findings stand; what rollups and the findings'
   * lifecycle read of its containers is carried instead.
   */
  unchanged?: UnchangedContainer[];
}

/** What a snapshot still reads of an unchanged workload's container (a part of ContainerInput). */
export interface UnchangedContainer {
  name: string;
  imagePullPolicy: string;
  policySource: string;
  tagKind: string;
  registry: string;
  compliant: boolean;
  findings: Array<Pick<FindingInput, "ruleId" | "severity" | "fingerprint">>;
  unevaluated?: string[];
}

/** What a snapshot still reads of a container once its workload is unchanged. */
export function unchangedOf(c: ContainerInput): UnchangedContainer {
  return {
    name: c.name,
    imagePullPolicy: c.imagePullPolicy,
    policySource: c.policySource,
    tagKind: c.tagKind,
    registry: c.registry,
    compliant: c.compliant,
    findings: c.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, fingerprint: f.fingerprint })),
    ...(c.unevaluated?.length ? { unevaluated: c.unevaluated } : {}),
  };
}

export interface SnapshotFailure {
  kind: string;
  path: string;
  status: number | null;
  reason: string;
  message: string;
}

/** A namespace as read: labels, profile and owning team (core teams.ts; null when unowned). */
export interface NamespaceInput {
  name: string;
  labels: Record<string, string>;
  profile: string;
  owner?: string | null;
  ownerSource?: string | null;
}

export interface SnapshotInput {
  cluster: {
    name: string;
    server: string | null;
    kubernetesVersion: string | null;
    labels?: Record<string, string>;
  };
  startedAt: Date;
  finishedAt: Date;
  failures: SnapshotFailure[];
  collectorVersion: string;
  rulesVersion: string;
  workloads: WorkloadInput[];
  /**
   * The snapshot the unchanged workloads refer to (the cluster's latest, written by the same
   * collector); the write fails with StaleSnapshotBaseError when it no longer is.
   */
  basedOn?: string | null;
  namespaces: NamespaceInput[];
  /** Workload kinds read completely: absent workloads of these kinds were deleted. */
  completeKinds: string[];
  runtimeComplete: boolean;
  evaluableRules: string[];
  stats?: Record<string, unknown>;
  /** Days a rollup is kept per snapshot before compaction to one per day (HOURLY_ROLLUP_DAYS). */
  hourlyRollupDays?: number;
}

export interface SnapshotResult {
  snapshotId: bigint;
  /** The cluster's row (created on its first snapshot). */
  clusterId: number;
  status: "complete" | "partial" | "failed";
  rows: {
    workloads: number;
    containerFacts: number;
    runningImages: number;
    /** Inventory rows rewritten: the image inventory and the containers' facet counts. */
    inventory: number;
    findingsOpened: number;
    findingsResolved: number;
    /** Open findings whose evidence changed. */
    findingsUpdated: number;
    /** Open findings that started clearing or continued after clearing. */
    findingsClearing: number;
    rollups: number;
    /** Older rollups deleted by compaction (see compactRollups). */
    rollupsCompacted: number;
  };
}

/** Everything but a total failure (nothing read) is stored; a failed snapshot keeps only its reasons. */
export function snapshotStatusOf(
  input: Pick<SnapshotInput, "failures" | "completeKinds" | "workloads">,
): "complete" | "partial" | "failed" {
  if (input.failures.length === 0) return "complete";
  return input.completeKinds.length === 0 && input.workloads.length === 0 ? "failed" : "partial";
}

/**
 * Writes one snapshot in one transaction. A failure (the database went away, a constraint) rolls
 * everything back and destroys the connection; nothing of the snapshot is visible.
 */
export async function writeSnapshot(db: Db, input: SnapshotInput): Promise<SnapshotResult> {
  const status = snapshotStatusOf(input);
  const client = await poolOf(db).connect();
  // The connection can die between two statements (PostgreSQL stopped): pg then emits "error" on
  // the client, which would end the process without a listener; the next query fails anyway.
  const onError = () => {};
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    const result = await writeInTransaction(client, input, status);
    await client.query("COMMIT");
    client.off("error", onError);
    client.release();
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    client.off("error", onError);
    client.release(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}

/** The snapshot as a script of steps, in the order their rows depend on each other. */
async function writeInTransaction(
  c: pg.ClientBase,
  input: SnapshotInput,
  status: SnapshotResult["status"],
): Promise<SnapshotResult> {
  const now = input.finishedAt;
  const { id: clusterId, confirmations, lastSnapshotId } = await upsertCluster(c, input.cluster);
  // The Cluster row is locked from here to commit: no other writer can move its latest snapshot.
  if (input.workloads.some((w) => w.unchanged) && lastSnapshotId !== (input.basedOn ?? null))
    throw new StaleSnapshotBaseError(
      `${input.cluster.name}: based on snapshot ${input.basedOn ?? "none"}, the latest is ${lastSnapshotId ?? "none"}`,
    );
  const snapshotId = await insertSnapshot(c, clusterId, input, status);
  const rows = emptyRows();
  if (status === "failed") {
    await markLatest(c, clusterId, snapshotId, now, confirmations);
    return { snapshotId: BigInt(snapshotId), clusterId, status, rows };
  }
  const confirmed = confirm(confirmations, snapshotId, input.evaluableRules, input.completeKinds);
  const ctx: StepContext = { c, clusterId, snapshotId, now, input };
  const workloads = await writeWorkloads(ctx);
  rows.workloads = workloads.rows;
  await writeNamespaces(ctx, status);
  rows.containerFacts = await writeContainerFacts(ctx, workloads.index);
  rows.runningImages = await writeRunningImages(ctx, workloads.index);
  // The inventory is computed from exactly these: when none changed, neither did it.
  if (rows.workloads + rows.containerFacts + rows.runningImages > 0)
    rows.inventory += await writeImageUse(ctx);
  if (rows.workloads + rows.containerFacts > 0) rows.inventory += await writeContainerFacets(ctx);
  Object.assign(
    rows,
    await writeFindings(c, {
      clusterId,
      snapshotId,
      now,
      workloads: input.workloads,
      workloadIdOf: workloads.index.idOf,
      seen: workloads.index.seen,
      gone: workloads.index.gone,
      unchanged: workloads.index.unchanged,
      evaluableRules: input.evaluableRules,
      completeKinds: input.completeKinds,
      previouslyConfirmed: confirmations,
    }),
  );
  Object.assign(rows, await writeRollups(ctx));
  await markLatest(c, clusterId, snapshotId, now, confirmed);
  await recordRows(c, snapshotId, input.stats, rows);
  return { snapshotId: BigInt(snapshotId), clusterId, status, rows };
}

const emptyRows = (): SnapshotResult["rows"] => ({
  workloads: 0,
  containerFacts: 0,
  runningImages: 0,
  inventory: 0,
  findingsOpened: 0,
  findingsResolved: 0,
  findingsUpdated: 0,
  findingsClearing: 0,
  rollups: 0,
  rollupsCompacted: 0,
});
