// A year of hourly history for a fleet, for figure 3 (API latency) and figure 6 (size).
//
// The fleet's facts come from a real collector read of the simulator (readCluster +
// buildClusterFacts, the collector's own code). History is then written through the collector's
// write path, `writeSnapshot`, once per cluster every `churnHours` of simulated time, each time
// with that period's churn applied to the facts:
//   - rollouts: a share of workloads get a new tag (new container-fact rows, new digests running);
//   - digest adoption: a few workloads a day pin every container by digest (their mutable-tag
//     findings resolve: PS001, PS002, PS003, PS005, PS010);
//   - replacements: a few workloads are deleted and come back under a new name (new workload,
//     new facts, findings opened; the old ones resolved as gone).
// The hours between two churn points are unchanged snapshots. What the write path stores for an
// unchanged snapshot is its Snapshot row and its rollups (figure 2 measures exactly that), so those
// hours are written as copies of the last snapshot's Snapshot and PostureRollup rows, one per hour,
// in SQL. Pull events are not part of this history (figure 5 measures their path). Rollups older
// than a week are compacted to one per day by the writer (compactRollups), as in production.
import { createHash } from "node:crypto";
import { findingFingerprint, isCompliant } from "@pullsight/core";
import { compactRollups, type Db, poolOf, type WorkloadInput, writeSnapshot } from "@pullsight/db";

type Workload = WorkloadInput & { containers: Array<WorkloadInput["containers"][number]> };

export interface ClusterHistoryInput {
  name: string;
  server: string | null;
  kubernetesVersion: string | null;
  labels: Record<string, string>;
  namespaces: Array<{ name: string; labels: Record<string, string>; profile: string }>;
  workloads: Workload[];
  evaluableRules: string[];
  completeKinds: string[];
}

export interface HistoryOptions {
  days: number;
  churnHours: number;
  /** Share of workloads rolled out per day. */
  rolloutsPerDay?: number;
  /** Share of workloads that adopt digests per day. */
  adoptionPerDay?: number;
  /** Share of workloads replaced (deleted, recreated under a new name) per day. */
  replacementsPerDay?: number;
  end: Date;
  onProgress?: (done: number, total: number) => void;
}

export interface HistoryResult {
  writes: number;
  hourlySnapshots: number;
  writeMs: number;
  fillMs: number;
}

const TAG_RULES = new Set(["PS001", "PS002", "PS003", "PS005", "PS010"]);
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/** A deterministic PRNG (mulberry32): the same seed, the same history. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rehash(c: Workload["containers"][number]) {
  const { running: _r, findings: _f, factHash: _h, compliant: _c, ...facts } = c;
  c.factHash = sha(JSON.stringify(facts)).slice(0, 40);
}

function rollout(w: Workload, step: number) {
  for (const c of w.containers) {
    if (c.digest) continue; // pinned: a rollout would change the digest, same shape
    c.tag = `1.${step}.0`;
    c.image = `${c.registry === "docker.io" ? "" : `${c.registry}/`}${c.repository}:${c.tag}`;
    rehash(c);
    c.running = c.running.map((r) => ({
      ...r,
      image: c.image,
      digest: `sha256:${sha(`${c.image}@${step}`)}`,
    }));
  }
}

function adoptDigests(w: Workload, step: number) {
  for (const c of w.containers) {
    const digest = `sha256:${sha(`${c.repository}@${step}`)}`;
    c.digest = digest;
    c.tag = null;
    c.tagKind = "digest";
    c.image = `${c.registry === "docker.io" ? "" : `${c.registry}/`}${c.repository}@${digest}`;
    c.findings = c.findings.filter((f) => !TAG_RULES.has(f.ruleId));
    c.compliant = isCompliant(c.findings);
    rehash(c);
    c.running = c.running.map((r) => ({ ...r, image: c.image, digest }));
  }
}

function renamed(w: Workload, cluster: string, step: number): Workload {
  const name = `${w.name.replace(/-r\d+$/, "")}-r${step}`;
  return {
    ...w,
    name,
    uid: sha(`${cluster}/${w.namespace}/${name}`).slice(0, 36),
    pods: (w.pods ?? []).map((p) => `${name}-${p.slice(-5)}`),
    containers: w.containers.map((c) => ({
      ...c,
      findings: c.findings.map((f) => ({
        ...f,
        fingerprint: findingFingerprint(
          {
            cluster,
            namespace: w.namespace,
            kind: w.kind,
            name,
            container: c.name,
            containerType: c.type,
          },
          f.ruleId,
        ),
      })),
    })),
  };
}

/**
 * Writes `days` of history ending at `end`: `writeSnapshot` every `churnHours` per cluster (with
 * that period's churn), and the hours between as copies of the last snapshot and its rollups.
 */
export async function seedHistory(
  db: Db,
  clusters: ClusterHistoryInput[],
  o: HistoryOptions,
): Promise<HistoryResult> {
  const hours = o.days * 24;
  const start = new Date(o.end.getTime() - hours * 3_600_000);
  const perStep = o.churnHours / 24;
  const rates = {
    rollout: (o.rolloutsPerDay ?? 0.05) * perStep,
    adopt: (o.adoptionPerDay ?? 0.002) * perStep,
    replace: (o.replacementsPerDay ?? 0.003) * perStep,
  };
  const pool = poolOf(db);
  const steps = Math.ceil(hours / o.churnHours);
  let writes = 0;
  let hourly = 0;
  let writeMs = 0;
  let fillMs = 0;
  const random = prng(2026);
  for (let step = 0; step < steps; step++) {
    const at = new Date(start.getTime() + step * o.churnHours * 3_600_000);
    const fillHours = Math.min(o.churnHours, hours - step * o.churnHours) - 1;
    for (const c of clusters) {
      if (step > 0) {
        const next: Workload[] = [];
        for (const w of c.workloads) {
          const r = random();
          if (r < rates.replace) next.push(renamed(w, c.name, step));
          else {
            if (r < rates.replace + rates.rollout) rollout(w, step);
            else if (r < rates.replace + rates.rollout + rates.adopt) adoptDigests(w, step);
            next.push(w);
          }
        }
        c.workloads = next;
      }
      const t0 = performance.now();
      const result = await writeSnapshot(db, {
        cluster: {
          name: c.name,
          server: c.server,
          kubernetesVersion: c.kubernetesVersion,
          labels: c.labels,
        },
        startedAt: new Date(at.getTime() - 5_000),
        finishedAt: at,
        failures: [],
        collectorVersion: "bench-history",
        rulesVersion: "bench-history",
        workloads: c.workloads,
        namespaces: c.namespaces,
        completeKinds: c.completeKinds,
        runtimeComplete: true,
        evaluableRules: c.evaluableRules,
      });
      writes += 1;
      const t1 = performance.now();
      writeMs += t1 - t0;
      if (fillHours > 0) {
        // The unchanged hours: the same Snapshot and rollups an unchanged snapshot writes.
        await pool.query(
          `WITH hours AS (SELECT h, $2::timestamptz + h * interval '1 hour' AS at FROM generate_series(1, $3::int) h),
           s AS (
             INSERT INTO "Snapshot" ("clusterId", "startedAt", "finishedAt", status, failures, "collectorVersion", "rulesVersion", stats)
             SELECT o."clusterId", hours.at - interval '5 seconds', hours.at, o.status, o.failures, o."collectorVersion", o."rulesVersion",
                    jsonb_build_object('hour', hours.h)
             FROM hours, "Snapshot" o WHERE o.id = $1
             RETURNING id, "finishedAt"
           )
           INSERT INTO "PostureRollup" ("snapshotId", "clusterId", namespace, "takenAt", workloads, containers, compliant, score,
             "byPolicy", "byPolicySource", "byTagKind", "byRegistry", "findingsByRule", "findingsBySeverity")
           SELECT s.id, r."clusterId", r.namespace, s."finishedAt", r.workloads, r.containers, r.compliant, r.score,
             r."byPolicy", r."byPolicySource", r."byTagKind", r."byRegistry", r."findingsByRule", r."findingsBySeverity"
           FROM s, "PostureRollup" r WHERE r."snapshotId" = $1`,
          [String(result.snapshotId), at, fillHours],
        );
        await pool.query(
          `UPDATE "Cluster" c SET "lastSnapshotId" = s.id, "lastSnapshotAt" = s."finishedAt"
           FROM (SELECT id, "finishedAt" FROM "Snapshot" WHERE "clusterId" = (SELECT "clusterId" FROM "Snapshot" WHERE id = $1)
                 ORDER BY "startedAt" DESC LIMIT 1) s
           WHERE c.id = (SELECT "clusterId" FROM "Snapshot" WHERE id = $1)`,
          [String(result.snapshotId)],
        );
        hourly += fillHours;
      }
      fillMs += performance.now() - t1;
    }
    o.onProgress?.(step + 1, steps);
  }
  // The writer compacts rollups older than a week at every snapshot; the hours filled in SQL after
  // the last churn point are compacted as the collector's next hourly snapshot would.
  const t2 = performance.now();
  const ids = await pool.query<{ id: number }>(`SELECT id FROM "Cluster"`);
  for (const { id } of ids.rows) await compactRollups(pool, id, o.end);
  fillMs += performance.now() - t2;
  return { writes, hourlySnapshots: writes + hourly, writeMs, fillMs };
}
