// The snapshot's findings step. A finding is the current truth about one rule on one container:
// - a condition seen for the first time opens a finding (opened when the condition began, where
//   the data knows it);
// - an open finding seen again keeps its id and opened time; when its severity, image, message or
//   evidence changed, the finding row takes the new ones and what it said before becomes a
//   FindingEvidence row (its history); an unchanged finding writes nothing;
// - an open finding not seen follows its rule's lifecycle (core's stepOpenFinding): a snapshot
//   that could not evaluate the rule on its workload changes nothing, spec rules resolve at once,
//   runtime rules clear first and resolve after their hysteresis window.
// Which snapshot last confirmed an open finding is derived from Snapshot.completeKinds and
// evaluableRules (queries/provenance.ts), so confirming does not rewrite every open finding.
import { createHash } from "node:crypto";
import { type Observation, RULES_BY_ID, SPEC_LIFECYCLE, stepOpenFinding } from "@pullsight/core";
import type pg from "pg";
import { insertRows } from "./rows.ts";
import type { FindingInput, WorkloadInput } from "./snapshot.ts";
import { notUnchanged } from "./steps/context.ts";

export interface FindingsStepInput {
  clusterId: number;
  snapshotId: string;
  now: Date;
  workloads: readonly WorkloadInput[];
  /** The stored id of each input workload. */
  workloadIdOf: (w: WorkloadInput) => string | undefined;
  /** Workloads this snapshot saw, those it found deleted, and those unchanged since the one before. */
  seen: ReadonlySet<string>;
  gone: ReadonlySet<string>;
  unchanged: ReadonlySet<string>;
  evaluableRules: readonly string[];
  completeKinds: readonly string[];
  /** The cluster's confirmations before this snapshot (Cluster.confirmations). */
  previouslyConfirmed: Confirmations;
}

/**
 * The latest snapshot (its id) that confirmed each part of a cluster's state: "<rule>|<kind>" for a
 * rule evaluated on workloads of a kind ("<rule>|" for findings without a workload), "|<kind>" for a
 * kind read completely. An open finding that is not clearing was seen by every snapshot that could
 * evaluate its rule on its workload, so its key names the snapshot that last confirmed it.
 */
export type Confirmations = Record<string, string>;

export const confirmationKey = (ruleId: string, kind: string | null) => `${ruleId}|${kind ?? ""}`;

/** The confirmations after a snapshot that evaluated these rules and read these kinds completely. */
export function confirm(
  previous: Confirmations,
  snapshotId: string,
  evaluableRules: readonly string[],
  completeKinds: readonly string[],
): Confirmations {
  const next: Confirmations = { ...previous };
  for (const kind of completeKinds) next[confirmationKey("", kind)] = snapshotId;
  for (const rule of evaluableRules) {
    next[confirmationKey(rule, null)] = snapshotId;
    for (const kind of completeKinds) next[confirmationKey(rule, kind)] = snapshotId;
  }
  return next;
}

export interface FindingsStepRows {
  findingsOpened: number;
  findingsResolved: number;
  /** Open findings whose evidence changed (one FindingEvidence row each). */
  findingsUpdated: number;
  /** Open findings that started clearing, or continued after clearing. */
  findingsClearing: number;
}

interface OpenRow {
  id: string;
  fingerprint: string;
  ruleId: string;
  workloadId: string | null;
  containerName: string | null;
  kind: string | null;
  evidenceHash: string;
  clearingSince: Date | null;
  unverifiedSince: Date | null;
}

const subjectKey = (workloadId: string | null, container: string | null, ruleId: string) =>
  `${workloadId ?? ""}\u0000${container ?? ""}\u0000${ruleId}`;

/** What a finding says, hashed: a change is a new version of its evidence. */
export function evidenceHash(f: Pick<FindingInput, "severity" | "image" | "message" | "evidence">): string {
  return createHash("sha1")
    .update(JSON.stringify([f.severity, f.image, f.message, f.evidence]))
    .digest("hex");
}

const storedEvidence = (f: FindingInput) => JSON.stringify({ message: f.message, ...f.evidence });

/** When the condition began: the data's own time where it is earlier than this snapshot. */
function openedAt(f: FindingInput, now: Date): { at: Date; from: string } {
  const since = f.since ? new Date(f.since.at) : null;
  return since && !Number.isNaN(since.getTime()) && since < now
    ? { at: since, from: f.since?.from ?? "snapshot" }
    : { at: now, from: "snapshot" };
}

export async function writeFindings(c: pg.ClientBase, input: FindingsStepInput): Promise<FindingsStepRows> {
  const { clusterId, snapshotId, now } = input;
  const open = (
    await c.query<OpenRow>(
      `SELECT f.id, f.fingerprint, f."ruleId", f."workloadId", f."containerName", w.kind, f."evidenceHash", f."clearingSince",
         f."unverifiedSince"
       FROM "Finding" f LEFT JOIN "Workload" w ON w.id = f."workloadId"
       WHERE f."clusterId" = $1 AND f."resolvedAt" IS NULL
         AND (f."clearingSince" IS NOT NULL OR ${notUnchanged('f."workloadId"', "$2")})`,
      [clusterId, [...input.unchanged]],
    )
  ).rows;
  const openByFp = new Map(open.map((f) => [f.fingerprint, f]));
  const complete = new Set(input.completeKinds);
  const present = new Set<string>();
  const fresh: Array<{ workloadId: string | null; namespace: string; container: string; f: FindingInput }> =
    [];
  const changed: Array<{ id: string; f: FindingInput; hash: string }> = [];
  const continued: string[] = [];
  const noData = new Set<string>();
  // An open finding names its workload in its fingerprint: what an unchanged workload says matters
  // only to the open rows read here about it (its clearing findings).
  const readWorkloads = new Set(open.map((f) => f.workloadId));
  for (const w of input.workloads) {
    const workloadId = input.workloadIdOf(w) ?? null;
    if (w.unchanged) {
      // What it says is what the snapshot before stored: its open findings that are not clearing
      // were not read (they stay as they are); clearing ones go on by their lifecycle.
      if (!readWorkloads.has(workloadId)) continue;
      for (const ci of w.unchanged) {
        for (const rule of ci.unevaluated ?? []) noData.add(subjectKey(workloadId, ci.name, rule));
        for (const f of ci.findings) present.add(f.fingerprint);
      }
      continue;
    }
    for (const ci of w.containers)
      for (const rule of ci.unevaluated ?? []) noData.add(subjectKey(workloadId, ci.name, rule));
    // A workload whose kind was not read is seen through its pods only: enough to see that a
    // condition holds, not to replace evidence read from the workload itself.
    const trusted = complete.has(w.kind);
    for (const ci of w.containers) {
      for (const f of ci.findings) {
        present.add(f.fingerprint);
        const cur = openByFp.get(f.fingerprint);
        if (!cur) {
          fresh.push({ workloadId, namespace: w.namespace, container: ci.name, f });
          continue;
        }
        const hash = evidenceHash(f);
        if (trusted && hash !== cur.evidenceHash) changed.push({ id: cur.id, f, hash });
        if (cur.clearingSince) continued.push(cur.id);
      }
    }
  }

  const evaluable = new Set(input.evaluableRules);
  const observe = (f: OpenRow): Observation => {
    if (present.has(f.fingerprint)) return "present";
    if (f.workloadId !== null && input.gone.has(f.workloadId)) return "gone";
    if (!evaluable.has(f.ruleId) || noData.has(subjectKey(f.workloadId, f.containerName, f.ruleId)))
      return "unknown";
    if (f.workloadId === null) return "absent";
    return input.seen.has(f.workloadId) && f.kind !== null && complete.has(f.kind) ? "absent" : "unknown";
  };
  const clear: string[] = [];
  const resolve: string[] = [];
  // Held without data from now on; checked again after a time without data.
  const unverified: string[] = [];
  const verified: string[] = [];
  for (const f of open) {
    const observation = observe(f);
    const noDataNow = noData.has(subjectKey(f.workloadId, f.containerName, f.ruleId));
    if (noDataNow && !f.unverifiedSince && !f.clearingSince && observation === "unknown")
      unverified.push(f.id);
    if (f.unverifiedSince && (observation === "present" || observation === "absent")) verified.push(f.id);
    if (observation === "present") continue;
    const lifecycle = RULES_BY_ID.get(f.ruleId)?.lifecycle ?? SPEC_LIFECYCLE;
    const step = stepOpenFinding(f.clearingSince, observation, now, lifecycle);
    if (step.action === "start-clearing") clear.push(f.id);
    if (step.action === "resolve") resolve.push(f.id);
  }

  // Every finding that will say something else from now on: its current version becomes history.
  await archiveVersions(c, [...new Set([...changed.map((x) => x.id), ...continued, ...clear])], now);
  await updateEvidence(c, snapshotId, now, changed);
  if (continued.length)
    await c.query(
      `UPDATE "Finding" SET "clearingSince" = NULL, "lastSeenSnapshotId" = $2 WHERE id = ANY($1::bigint[])`,
      [continued, snapshotId],
    );
  await stopSeeing(c, clear, resolve, snapshotId, now, input.previouslyConfirmed);
  await markVerification(c, unverified, verified, now, input.previouslyConfirmed);
  await insertFresh(c, clusterId, snapshotId, now, fresh);
  return {
    findingsOpened: fresh.length,
    findingsResolved: resolve.length,
    findingsUpdated: changed.length,
    findingsClearing: clear.length + continued.length,
  };
}

/**
 * The current version of these findings (what they say and whether they are clearing, since
 * versionSince) becomes a row of their history, ending now; their new version starts now.
 */
async function archiveVersions(c: pg.ClientBase, ids: string[], now: Date) {
  if (!ids.length) return;
  await c.query(
    `WITH archived AS (
       INSERT INTO "FindingEvidence" ("findingId", "validFrom", "validTo", "snapshotId", severity, image, evidence,
         "evidenceSince", "clearingSince")
       SELECT id, COALESCE("versionSince", "evidenceSince", "firstSeenAt", "openedAt"), $2,
         COALESCE("evidenceSnapshotId", "openedSnapshotId"), severity, image, evidence, "evidenceSince", "clearingSince"
       FROM "Finding" WHERE id = ANY($1::bigint[])
       RETURNING "findingId"
     )
     UPDATE "Finding" SET "versionSince" = $2 WHERE id IN (SELECT "findingId" FROM archived)`,
    [ids, now],
  );
}

/** New evidence on the finding row (its previous version was archived). */
async function updateEvidence(
  c: pg.ClientBase,
  snapshotId: string,
  now: Date,
  changed: ReadonlyArray<{ id: string; f: FindingInput; hash: string }>,
) {
  if (!changed.length) return;
  await c.query(
    `UPDATE "Finding" t SET severity = u.severity::"FindingSeverity", image = u.image, evidence = u.evidence::jsonb,
       "evidenceHash" = u.hash, "evidenceSince" = $5, "evidenceSnapshotId" = $6, "lastSeenSnapshotId" = $6
     FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $7::text[]) AS u(id, severity, image, evidence, hash)
     WHERE t.id = u.id`,
    [
      changed.map((x) => x.id),
      changed.map((x) => x.f.severity),
      changed.map((x) => x.f.image),
      changed.map((x) => storedEvidence(x.f)),
      now,
      snapshotId,
      changed.map((x) => x.hash),
    ],
  );
}

/**
 * Findings this snapshot no longer sees: clearing starts, or they resolve. Either way the finding
 * now records the last snapshot that confirmed it (for one that was not clearing: the previous
 * confirmation of its rule on its workload's kind, see Confirmations).
 */
async function stopSeeing(
  c: pg.ClientBase,
  clear: string[],
  resolve: string[],
  snapshotId: string,
  now: Date,
  confirmed: Confirmations,
) {
  if (!clear.length && !resolve.length) return;
  await c.query(
    `UPDATE "Finding" f SET
       "lastSeenSnapshotId" = CASE WHEN f."clearingSince" IS NOT NULL THEN f."lastSeenSnapshotId"
         ELSE GREATEST(f."lastSeenSnapshotId", ($5::jsonb ->> (f."ruleId" || '|' || COALESCE(w.kind, '')))::bigint) END,
       "clearingSince" = CASE WHEN u.resolve THEN f."clearingSince" ELSE $4::timestamptz END,
       "resolvedAt" = CASE WHEN u.resolve THEN $4::timestamptz END,
       "resolvedSnapshotId" = CASE WHEN u.resolve THEN $3::bigint END
     FROM unnest($1::bigint[], $2::bool[]) AS u(id, resolve), "Finding" f0
     LEFT JOIN "Workload" w ON w.id = f0."workloadId"
     WHERE f.id = u.id AND f0.id = u.id`,
    [
      [...clear, ...resolve],
      [...clear.map(() => false), ...resolve.map(() => true)],
      snapshotId,
      now,
      JSON.stringify(confirmed),
    ],
  );
}

/**
 * Findings whose rule has no data for their container now (unverified: the last snapshot that
 * could check them is recorded as their last sighting), and those checked again.
 */
async function markVerification(
  c: pg.ClientBase,
  unverified: string[],
  verified: string[],
  now: Date,
  confirmed: Confirmations,
) {
  if (unverified.length)
    await c.query(
      `UPDATE "Finding" f SET "unverifiedSince" = $2,
         "lastSeenSnapshotId" = GREATEST(f."lastSeenSnapshotId", ($3::jsonb ->> (f."ruleId" || '|' || COALESCE(w.kind, '')))::bigint)
       FROM "Finding" f0 LEFT JOIN "Workload" w ON w.id = f0."workloadId"
       WHERE f.id = ANY($1::bigint[]) AND f0.id = f.id`,
      [unverified, now, JSON.stringify(confirmed)],
    );
  if (verified.length)
    await c.query(`UPDATE "Finding" SET "unverifiedSince" = NULL WHERE id = ANY($1::bigint[])`, [verified]);
}

async function insertFresh(
  c: pg.ClientBase,
  clusterId: number,
  snapshotId: string,
  now: Date,
  fresh: ReadonlyArray<{ workloadId: string | null; namespace: string; container: string; f: FindingInput }>,
) {
  const rows = fresh.map((x) => ({ ...x, opened: openedAt(x.f, now), hash: evidenceHash(x.f) }));
  await insertRows(
    c,
    "Finding",
    [
      ["clusterId", "int", () => clusterId],
      ["workloadId", "bigint", (x) => x.workloadId],
      ["namespace", "text", (x) => x.namespace],
      ["containerName", "text", (x) => x.container],
      ["ruleId", "text", (x) => x.f.ruleId],
      ["severity", "text", (x) => x.f.severity, `"FindingSeverity"`],
      ["fingerprint", "text", (x) => x.f.fingerprint],
      ["image", "text", (x) => x.f.image],
      ["evidence", "text", (x) => storedEvidence(x.f), "jsonb"],
      ["evidenceHash", "text", (x) => x.hash],
      ["evidenceSince", "timestamptz", () => now],
      ["evidenceSnapshotId", "bigint", () => snapshotId],
      ["versionSince", "timestamptz", () => now],
      ["openedAt", "timestamptz", (x) => x.opened.at],
      ["openedFrom", "text", (x) => x.opened.from],
      ["firstSeenAt", "timestamptz", () => now],
      ["openedSnapshotId", "bigint", () => snapshotId],
      ["lastSeenSnapshotId", "bigint", () => snapshotId],
    ],
    rows,
  );
}
