// Writes one cluster snapshot in one transaction, storing changes, not copies:
// - a workload row is created once and touched only when it changes, disappears or returns;
// - a container's facts get a new row only when their hash changes (the old row is closed);
// - running images likewise, per (container, node, digest);
// - findings open, keep their evidence current and clear/resolve by their rule's lifecycle (findings.ts);
// - rollups per namespace (and "" for the cluster) are written every snapshot: they are the history;
//   after HOURLY_ROLLUP_DAYS they are compacted to the last one of each UTC day (compactRollups).
// A snapshot is visible complete, partial (with reasons), failed, or not at all.
// The transaction runs on a plain pg connection from the client's own pool: every table is
// written with one INSERT … SELECT FROM unnest(…) per chunk (one array parameter per column),
// which PostgreSQL takes at ~100k rows/s where Prisma's createMany spent most of a snapshot
// preparing values (README, Benchmarks, has the numbers).
import type { ConditionSince, ContainerType, Severity } from "@pullsight/core";
import type pg from "pg";
import { type Db, poolOf } from "../client.ts";
import { linkPullEventsToWorkloads } from "./events.ts";
import { type Confirmations, confirm, writeFindings } from "./findings.ts";
import { insertRows, pgTextArray, updateByIds } from "./rows.ts";

export { pgTextArray } from "./rows.ts";

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
}

export interface SnapshotFailure {
  kind: string;
  path: string;
  status: number | null;
  reason: string;
  message: string;
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
  namespaces: Array<{ name: string; labels: Record<string, string>; profile: string }>;
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
  status: "complete" | "partial" | "failed";
  rows: {
    workloads: number;
    containerFacts: number;
    runningImages: number;
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

const wkey = (ns: string, kind: string, name: string) => `${ns}\u0000${kind}\u0000${name}`;
const ckey = (workloadId: string, container: string) => `${workloadId}\u0000${container}`;
const rkey = (workloadId: string, container: string, node: string, digest: string | null) =>
  `${workloadId}\u0000${container}\u0000${node}\u0000${digest ?? ""}`;

/** Label maps equal regardless of key order (jsonb does not keep it). */
function sameLabels(stored: unknown, labels: Record<string, string>): boolean {
  const a = (stored ?? {}) as Record<string, unknown>;
  const keys = Object.keys(labels);
  return Object.keys(a).length === keys.length && keys.every((k) => a[k] === labels[k]);
}

/** Everything but a total failure (nothing read) is stored; a failed snapshot keeps only its reasons. */
export function snapshotStatus(
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
  const status = snapshotStatus(input);
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

interface WorkloadRow {
  id: string;
  namespace: string;
  kind: string;
  name: string;
  uid: string | null;
  serviceAccount: string | null;
  deletedAt: Date | null;
}
const WORKLOAD_COLUMNS = `id, namespace, kind, name, uid, "serviceAccount", "deletedAt"`;

async function writeInTransaction(
  c: pg.ClientBase,
  input: SnapshotInput,
  status: SnapshotResult["status"],
): Promise<SnapshotResult> {
  const now = input.finishedAt;
  const rows = {
    workloads: 0,
    containerFacts: 0,
    runningImages: 0,
    findingsOpened: 0,
    findingsResolved: 0,
    findingsUpdated: 0,
    findingsClearing: 0,
    rollups: 0,
    rollupsCompacted: 0,
  };
  const one = async <T extends pg.QueryResultRow>(text: string, values: unknown[]) =>
    (await c.query<T>(text, values)).rows[0] as T;
  const { id: clusterId, confirmations } = await one<{ id: number; confirmations: Confirmations }>(
    `INSERT INTO "Cluster" (name, server, "kubernetesVersion", labels) VALUES ($1, $2, $3, COALESCE($4::jsonb, '{}'))
     ON CONFLICT (name) DO UPDATE SET server = EXCLUDED.server,
       "kubernetesVersion" = COALESCE(EXCLUDED."kubernetesVersion", "Cluster"."kubernetesVersion"),
       labels = COALESCE($4::jsonb, "Cluster".labels)
     RETURNING id, confirmations`,
    [
      input.cluster.name,
      input.cluster.server,
      input.cluster.kubernetesVersion,
      input.cluster.labels ? JSON.stringify(input.cluster.labels) : null,
    ],
  );
  const { id: snapshotId } = await one<{ id: string }>(
    `INSERT INTO "Snapshot" ("clusterId", "startedAt", "finishedAt", status, failures, "collectorVersion", "rulesVersion", stats,
       "completeKinds", "evaluableRules")
     VALUES ($1, $2, $3, $4::"SnapshotStatus", $5::jsonb, $6, $7, $8::jsonb, $9::text[], $10::text[]) RETURNING id`,
    [
      clusterId,
      input.startedAt,
      input.finishedAt,
      status,
      JSON.stringify(input.failures),
      input.collectorVersion,
      input.rulesVersion,
      JSON.stringify(input.stats ?? {}),
      status === "failed" ? [] : input.completeKinds,
      status === "failed" ? [] : input.evaluableRules,
    ],
  );
  const confirmed =
    status === "failed"
      ? confirmations
      : confirm(confirmations, snapshotId, input.evaluableRules, input.completeKinds);
  const markLast = () =>
    c.query(
      `UPDATE "Cluster" SET "lastSnapshotId" = $2, "lastSnapshotAt" = $3, confirmations = $4::jsonb WHERE id = $1`,
      [clusterId, snapshotId, now, JSON.stringify(confirmed)],
    );
  if (status === "failed") {
    await markLast();
    return { snapshotId: BigInt(snapshotId), status, rows };
  }

  // ---- workloads ----
  const existing = (
    await c.query<WorkloadRow>(`SELECT ${WORKLOAD_COLUMNS} FROM "Workload" WHERE "clusterId" = $1`, [
      clusterId,
    ])
  ).rows;
  const byKey = new Map(existing.map((w) => [wkey(w.namespace, w.kind, w.name), w]));
  const fresh = input.workloads.filter((w) => !byKey.has(wkey(w.namespace, w.kind, w.name)));
  const freshSet = new Set(fresh);
  const created = await insertRows<WorkloadInput, WorkloadRow>(
    c,
    "Workload",
    [
      ["clusterId", "int", () => clusterId],
      ["namespace", "text", (w) => w.namespace],
      ["kind", "text", (w) => w.kind],
      ["name", "text", (w) => w.name],
      ["uid", "text", (w) => w.uid],
      ["serviceAccount", "text", (w) => w.serviceAccount],
      ["labels", "text", (w) => JSON.stringify(w.labels), "jsonb"],
      ["firstSeenAt", "timestamptz", () => now],
      ["lastSeenAt", "timestamptz", () => now],
    ],
    fresh,
    WORKLOAD_COLUMNS,
  );
  rows.workloads += fresh.length;
  for (const w of created) byKey.set(wkey(w.namespace, w.kind, w.name), w);
  const seen = new Set<string>();
  const changed: Array<{ id: string; w: WorkloadInput }> = [];
  for (const w of input.workloads) {
    const row = byKey.get(wkey(w.namespace, w.kind, w.name));
    if (!row) continue;
    seen.add(row.id);
    if (row.deletedAt !== null || row.uid !== w.uid || row.serviceAccount !== w.serviceAccount) {
      changed.push({ id: row.id, w });
      if (!freshSet.has(w)) rows.workloads += 1;
    }
  }
  if (changed.length)
    await c.query(
      `UPDATE "Workload" t SET "deletedAt" = NULL, uid = u.uid, "serviceAccount" = u.sa, labels = u.labels::jsonb, "lastSeenAt" = $5
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS u(id, uid, sa, labels) WHERE t.id = u.id`,
      [
        changed.map((x) => x.id),
        changed.map((x) => x.w.uid),
        changed.map((x) => x.w.serviceAccount),
        changed.map((x) => JSON.stringify(x.w.labels)),
        now,
      ],
    );
  const complete = new Set(input.completeKinds);
  const gone = existing.filter((w) => w.deletedAt === null && !seen.has(w.id) && complete.has(w.kind));
  await updateByIds(
    c,
    "Workload",
    `"deletedAt" = $2`,
    gone.map((w) => w.id),
    [now],
  );
  rows.workloads += gone.length;
  const goneIds = new Set(gone.map((w) => w.id));
  await linkPullEventsToWorkloads(
    c,
    clusterId,
    input.workloads.flatMap((w) =>
      (w.pods ?? []).map((pod) => ({ namespace: w.namespace, pod, kind: w.kind, name: w.name })),
    ),
  );

  // ---- namespaces (labels and profile), written when they change ----
  const knownNs = (
    await c.query<{ name: string; labels: unknown; profile: string; deletedAt: Date | null }>(
      `SELECT name, labels, profile, "deletedAt" FROM "Namespace" WHERE "clusterId" = $1`,
      [clusterId],
    )
  ).rows;
  const nsByName = new Map(knownNs.map((n) => [n.name, n]));
  const nsCreate: SnapshotInput["namespaces"] = [];
  const nsUpdate: SnapshotInput["namespaces"] = [];
  for (const ns of input.namespaces) {
    const cur = nsByName.get(ns.name);
    if (!cur) nsCreate.push(ns);
    else if (cur.deletedAt !== null || cur.profile !== ns.profile || !sameLabels(cur.labels, ns.labels))
      nsUpdate.push(ns);
  }
  if (nsUpdate.length)
    await c.query(
      `UPDATE "Namespace" t SET labels = u.labels::jsonb, profile = u.profile, "lastSeenAt" = $5, "deletedAt" = NULL
       FROM unnest($2::text[], $3::text[], $4::text[]) AS u(name, labels, profile)
       WHERE t."clusterId" = $1 AND t.name = u.name`,
      [
        clusterId,
        nsUpdate.map((n) => n.name),
        nsUpdate.map((n) => JSON.stringify(n.labels)),
        nsUpdate.map((n) => n.profile),
        now,
      ],
    );
  await insertRows(
    c,
    "Namespace",
    [
      ["clusterId", "int", () => clusterId],
      ["name", "text", (n) => n.name],
      ["labels", "text", (n) => JSON.stringify(n.labels), "jsonb"],
      ["profile", "text", (n) => n.profile],
      ["firstSeenAt", "timestamptz", () => now],
      ["lastSeenAt", "timestamptz", () => now],
    ],
    nsCreate,
  );
  if (status === "complete") {
    const present = new Set(input.namespaces.map((n) => n.name));
    const goneNs = knownNs.filter((n) => n.deletedAt === null && !present.has(n.name)).map((n) => n.name);
    if (goneNs.length)
      await c.query(
        `UPDATE "Namespace" SET "deletedAt" = $3 WHERE "clusterId" = $1 AND name = ANY($2::text[])`,
        [clusterId, goneNs, now],
      );
  }

  // ---- container facts (SCD2 by hash) ----
  const current = (
    await c.query<{ id: string; workloadId: string; containerName: string; factHash: string }>(
      `SELECT f.id, f."workloadId", f."containerName", f."factHash" FROM "ContainerFact" f
       JOIN "Workload" w ON w.id = f."workloadId" WHERE f."validTo" IS NULL AND w."clusterId" = $1`,
      [clusterId],
    )
  ).rows;
  const currentByKey = new Map(current.map((f) => [ckey(f.workloadId, f.containerName), f]));
  const toClose: string[] = [];
  const toCreate: Array<{ workloadId: string; c: ContainerInput }> = [];
  const wanted = new Set<string>();
  for (const w of input.workloads) {
    const row = byKey.get(wkey(w.namespace, w.kind, w.name));
    if (!row) continue;
    for (const ci of w.containers) {
      const k = ckey(row.id, ci.name);
      wanted.add(k);
      const cur = currentByKey.get(k);
      if (cur?.factHash === ci.factHash) continue;
      if (cur) toClose.push(cur.id);
      toCreate.push({ workloadId: row.id, c: ci });
    }
  }
  for (const f of current) {
    const k = ckey(f.workloadId, f.containerName);
    if (!wanted.has(k) && (goneIds.has(f.workloadId) || seen.has(f.workloadId))) toClose.push(f.id);
  }
  await updateByIds(c, "ContainerFact", `"validTo" = $2, "validToSnapshot" = $3`, toClose, [now, snapshotId]);
  await insertRows(
    c,
    "ContainerFact",
    [
      ["workloadId", "bigint", (r) => r.workloadId],
      ["containerName", "text", (r) => r.c.name],
      ["containerType", "text", (r) => r.c.type, `"ContainerType"`],
      ["image", "text", (r) => r.c.image],
      ["registry", "text", (r) => r.c.registry],
      ["repository", "text", (r) => r.c.repository],
      ["tag", "text", (r) => r.c.tag],
      ["digest", "text", (r) => r.c.digest],
      ["tagKind", "text", (r) => r.c.tagKind],
      ["registryVisibility", "text", (r) => r.c.registryVisibility],
      ["imagePullPolicy", "text", (r) => r.c.imagePullPolicy],
      ["policySource", "text", (r) => r.c.policySource],
      ["policyEvidence", "text", (r) => r.c.policyEvidence],
      ["pullSecrets", "text", (r) => pgTextArray(r.c.pullSecrets), "text[]"],
      ["factHash", "text", (r) => r.c.factHash],
      ["validFrom", "timestamptz", () => now],
      ["validFromSnapshot", "bigint", () => snapshotId],
    ],
    toCreate,
  );
  rows.containerFacts = toClose.length + toCreate.length;

  // ---- running images (only when pod status was read) ----
  if (input.runtimeComplete) {
    const running = (
      await c.query<{
        id: string;
        workloadId: string;
        containerName: string;
        nodeName: string;
        digest: string | null;
        pods: number;
      }>(
        `SELECT r.id, r."workloadId", r."containerName", r."nodeName", r.digest, r.pods FROM "RunningImage" r
         JOIN "Workload" w ON w.id = r."workloadId" WHERE r."validTo" IS NULL AND w."clusterId" = $1`,
        [clusterId],
      )
    ).rows;
    const runningByKey = new Map(
      running.map((r) => [rkey(r.workloadId, r.containerName, r.nodeName, r.digest), r]),
    );
    const keep = new Set<string>();
    const close: string[] = [];
    const create: Array<{ workloadId: string; container: string; r: ContainerInput["running"][number] }> = [];
    for (const w of input.workloads) {
      const row = byKey.get(wkey(w.namespace, w.kind, w.name));
      if (!row) continue;
      for (const ci of w.containers) {
        for (const r of ci.running) {
          const k = rkey(row.id, ci.name, r.nodeName, r.digest);
          keep.add(k);
          const cur = runningByKey.get(k);
          if (cur && cur.pods === r.pods) continue;
          if (cur) close.push(cur.id);
          create.push({ workloadId: row.id, container: ci.name, r });
        }
      }
    }
    for (const r of running)
      if (!keep.has(rkey(r.workloadId, r.containerName, r.nodeName, r.digest))) close.push(r.id);
    await updateByIds(c, "RunningImage", `"validTo" = $2, "validToSnapshot" = $3`, close, [now, snapshotId]);
    await insertRows(
      c,
      "RunningImage",
      [
        ["workloadId", "bigint", (x) => x.workloadId],
        ["containerName", "text", (x) => x.container],
        ["nodeName", "text", (x) => x.r.nodeName],
        ["image", "text", (x) => x.r.image],
        ["digest", "text", (x) => x.r.digest],
        ["pods", "int", (x) => x.r.pods],
        ["validFrom", "timestamptz", () => now],
        ["validFromSnapshot", "bigint", () => snapshotId],
      ],
      create,
    );
    rows.runningImages = close.length + create.length;
  }

  // ---- findings (open, refresh, clear, resolve) ----
  Object.assign(
    rows,
    await writeFindings(c, {
      clusterId,
      snapshotId,
      now,
      workloads: input.workloads,
      workloadIdOf: (w) => byKey.get(wkey(w.namespace, w.kind, w.name))?.id,
      seen,
      gone: goneIds,
      evaluableRules: input.evaluableRules,
      completeKinds: input.completeKinds,
      previouslyConfirmed: confirmations,
    }),
  );

  // ---- rollups: per namespace and "" for the whole cluster ----
  const rollupRows = computeRollups(input.workloads);
  await insertRows(
    c,
    "PostureRollup",
    [
      ["snapshotId", "bigint", () => snapshotId],
      ["clusterId", "int", () => clusterId],
      ["namespace", "text", (r) => r.namespace],
      ["takenAt", "timestamptz", () => now],
      ["workloads", "int", (r) => r.workloads],
      ["containers", "int", (r) => r.containers],
      ["compliant", "int", (r) => r.compliant],
      ["score", "float8", (r) => r.score],
      ["byPolicy", "text", (r) => JSON.stringify(r.byPolicy), "jsonb"],
      ["byPolicySource", "text", (r) => JSON.stringify(r.byPolicySource), "jsonb"],
      ["byTagKind", "text", (r) => JSON.stringify(r.byTagKind), "jsonb"],
      ["byRegistry", "text", (r) => JSON.stringify(r.byRegistry), "jsonb"],
      ["findingsByRule", "text", (r) => JSON.stringify(r.findingsByRule), "jsonb"],
      ["findingsBySeverity", "text", (r) => JSON.stringify(r.findingsBySeverity), "jsonb"],
    ],
    rollupRows,
  );
  rows.rollups = rollupRows.length;
  rows.rollupsCompacted = await compactRollups(c, clusterId, now, input.hourlyRollupDays);

  await markLast();
  await c.query(`UPDATE "Snapshot" SET stats = $2::jsonb WHERE id = $1`, [
    snapshotId,
    JSON.stringify({ ...(input.stats ?? {}), rows }),
  ]);
  return { snapshotId: BigInt(snapshotId), status, rows };
}

/**
 * Rollups are kept per snapshot for this many days; older ones are compacted to the last of each
 * UTC day per (cluster, namespace). Every reader of old rollups (trends by day or week) takes the
 * last rollup of its bucket, which compaction keeps, so their answers do not change (tested);
 * what is lost is the hour-by-hour posture of days more than a week ago. A year of hourly
 * snapshots of a cluster with 126 namespaces is 1.1 M rollups without this, 64 k with it.
 */
export const HOURLY_ROLLUP_DAYS = 7;
const DAY_MS = 86_400_000;

/**
 * Compacts a cluster's rollups taken before the start of the UTC day `hourlyDays` before `now`
 * and not compacted yet (Cluster.rollupsCompactedBefore is the watermark): of each UTC day, per
 * namespace, only the last rollup stays. One statement, so it is atomic on a pool too; in the
 * snapshot writer's transaction the Cluster row is already locked. Returns the rows deleted.
 */
export async function compactRollups(
  c: Pick<pg.ClientBase, "query">,
  clusterId: number,
  now: Date,
  hourlyDays = HOURLY_ROLLUP_DAYS,
): Promise<number> {
  const cutoff = new Date(Math.floor((now.getTime() - hourlyDays * DAY_MS) / DAY_MS) * DAY_MS);
  const result = await c.query(
    // One range read ranked by window (no correlated lookups: a fresh table with stale statistics
    // once got a nested-loop plan that took minutes), then deletes by primary key. The lower
    // bound is a scalar subquery, which still sees the watermark before the CTE moves it.
    `WITH moved AS (
       UPDATE "Cluster" SET "rollupsCompactedBefore" = $2
       WHERE id = $1 AND ("rollupsCompactedBefore" IS NULL OR "rollupsCompactedBefore" < $2) RETURNING id
     ),
     doomed AS (
       SELECT "snapshotId", namespace FROM (
         SELECT "snapshotId", namespace, row_number() OVER (
           PARTITION BY namespace, date_trunc('day', "takenAt" AT TIME ZONE 'UTC')
           ORDER BY "takenAt" DESC, "snapshotId" DESC) AS nth
         FROM "PostureRollup"
         WHERE "clusterId" = $1 AND EXISTS (SELECT 1 FROM moved)
           AND "takenAt" >= COALESCE((SELECT "rollupsCompactedBefore" FROM "Cluster" WHERE id = $1), '-infinity')
           AND "takenAt" < $2
       ) ranked
       WHERE nth > 1
     )
     DELETE FROM "PostureRollup" r USING doomed d
     WHERE r."snapshotId" = d."snapshotId" AND r.namespace = d.namespace`,
    [clusterId, cutoff],
  );
  return result.rowCount ?? 0;
}

export interface RollupRow {
  namespace: string;
  workloads: number;
  containers: number;
  compliant: number;
  /** Percentage of compliant containers, 0..100 (100 when there are none). */
  score: number;
  byPolicy: Record<string, number>;
  byPolicySource: Record<string, number>;
  byTagKind: Record<string, number>;
  byRegistry: Record<string, number>;
  findingsByRule: Record<string, number>;
  findingsBySeverity: Record<string, number>;
}

/** A snapshot's rollups: one per namespace and "" for the whole cluster. */
export function computeRollups(workloads: readonly WorkloadInput[]): RollupRow[] {
  const rollups = new Map<string, RollupRow>();
  const bump = (m: Record<string, number>, k: string) => {
    m[k] = (m[k] ?? 0) + 1;
  };
  const rollup = (ns: string) => {
    let r = rollups.get(ns);
    if (!r) {
      r = {
        namespace: ns,
        workloads: 0,
        containers: 0,
        compliant: 0,
        score: 100,
        byPolicy: {},
        byPolicySource: {},
        byTagKind: {},
        byRegistry: {},
        findingsByRule: {},
        findingsBySeverity: {},
      };
      rollups.set(ns, r);
    }
    return r;
  };
  rollup("");
  for (const w of workloads) {
    for (const r of [rollup(""), rollup(w.namespace)]) {
      r.workloads += 1;
      for (const c of w.containers) {
        r.containers += 1;
        if (c.compliant) r.compliant += 1;
        bump(r.byPolicy, c.imagePullPolicy);
        bump(r.byPolicySource, c.policySource);
        bump(r.byTagKind, c.tagKind);
        bump(r.byRegistry, c.registry);
        for (const f of c.findings) {
          bump(r.findingsByRule, f.ruleId);
          bump(r.findingsBySeverity, f.severity);
        }
      }
    }
  }
  return [...rollups.values()].map((r) => ({
    ...r,
    score: r.containers ? Math.round((r.compliant / r.containers) * 1000) / 10 : 100,
  }));
}
