// Writes one cluster snapshot in one transaction, storing changes, not copies:
// - a workload row is created once and touched only when it changes, disappears or returns;
// - a container's facts get a new row only when their hash changes (the old row is closed);
// - running images likewise, per (container, node, digest);
// - findings open once and resolve when a snapshot that could evaluate their rule no longer sees them;
// - rollups per namespace (and "" for the cluster) are written every snapshot: they are the history.
// A snapshot is visible complete, partial (with reasons), failed, or not at all.
import type { Db } from "../client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { linkPullEventsToWorkloads } from "./events.ts";

type Tx = Prisma.TransactionClient;
type Severity = "info" | "low" | "medium" | "high" | "critical";

export interface FindingInput {
  ruleId: string;
  severity: Severity;
  fingerprint: string;
  image: string;
  message: string;
  evidence: Record<string, unknown>;
}

export interface ContainerInput {
  name: string;
  type: "container" | "init" | "ephemeral";
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
    rollups: number;
  };
}

/** What the writer needs of an existing workload row. */
const WORKLOAD_SELECT = {
  id: true,
  namespace: true,
  kind: true,
  name: true,
  uid: true,
  serviceAccount: true,
  deletedAt: true,
} as const;

const wkey = (ns: string, kind: string, name: string) => `${ns}\u0000${kind}\u0000${name}`;
const ckey = (workloadId: bigint, container: string) => `${workloadId}\u0000${container}`;
const rkey = (workloadId: bigint, container: string, node: string, digest: string | null) =>
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

export async function writeSnapshot(db: Db, input: SnapshotInput): Promise<SnapshotResult> {
  const status = snapshotStatus(input);
  return db.$transaction(async (tx) => writeInTransaction(tx, input, status), {
    timeout: 600_000,
    maxWait: 60_000,
  });
}

async function writeInTransaction(
  tx: Tx,
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
    rollups: 0,
  };
  const cluster = await tx.cluster.upsert({
    where: { name: input.cluster.name },
    create: {
      name: input.cluster.name,
      server: input.cluster.server,
      kubernetesVersion: input.cluster.kubernetesVersion,
      labels: input.cluster.labels ?? {},
    },
    update: {
      server: input.cluster.server,
      ...(input.cluster.kubernetesVersion ? { kubernetesVersion: input.cluster.kubernetesVersion } : {}),
      ...(input.cluster.labels ? { labels: input.cluster.labels } : {}),
    },
    select: { id: true },
  });
  const snapshot = await tx.snapshot.create({
    data: {
      clusterId: cluster.id,
      startedAt: input.startedAt,
      finishedAt: input.finishedAt,
      status,
      failures: input.failures as unknown as Prisma.InputJsonValue,
      collectorVersion: input.collectorVersion,
      rulesVersion: input.rulesVersion,
      stats: (input.stats ?? {}) as Prisma.InputJsonValue,
    },
    select: { id: true },
  });
  if (status === "failed") {
    await tx.cluster.update({
      where: { id: cluster.id },
      data: { lastSnapshotId: snapshot.id, lastSnapshotAt: now },
    });
    return { snapshotId: snapshot.id, status, rows };
  }

  // ---- workloads ----
  const existing = await tx.workload.findMany({
    where: { clusterId: cluster.id },
    select: WORKLOAD_SELECT,
  });
  const byKey = new Map(existing.map((w) => [wkey(w.namespace, w.kind, w.name), w]));
  const fresh = input.workloads.filter((w) => !byKey.has(wkey(w.namespace, w.kind, w.name)));
  if (fresh.length) {
    const created = await tx.workload.createManyAndReturn({
      data: fresh.map((w) => ({
        clusterId: cluster.id,
        namespace: w.namespace,
        kind: w.kind,
        name: w.name,
        uid: w.uid,
        serviceAccount: w.serviceAccount,
        labels: w.labels,
        firstSeenAt: now,
        lastSeenAt: now,
      })),
      select: WORKLOAD_SELECT,
    });
    rows.workloads += fresh.length;
    for (const w of created) byKey.set(wkey(w.namespace, w.kind, w.name), w);
  }
  const seen = new Set<bigint>();
  for (const w of input.workloads) {
    const row = byKey.get(wkey(w.namespace, w.kind, w.name));
    if (!row) continue;
    seen.add(row.id);
    if (row.deletedAt !== null || row.uid !== w.uid || row.serviceAccount !== w.serviceAccount) {
      await tx.workload.update({
        where: { id: row.id },
        data: {
          deletedAt: null,
          uid: w.uid,
          serviceAccount: w.serviceAccount,
          labels: w.labels,
          lastSeenAt: now,
        },
      });
      if (!fresh.includes(w)) rows.workloads += 1;
    }
  }
  const complete = new Set(input.completeKinds);
  const gone = existing.filter((w) => w.deletedAt === null && !seen.has(w.id) && complete.has(w.kind));
  if (gone.length) {
    await tx.workload.updateMany({ where: { id: { in: gone.map((w) => w.id) } }, data: { deletedAt: now } });
    rows.workloads += gone.length;
  }
  const goneIds = new Set(gone.map((w) => w.id));
  await linkPullEventsToWorkloads(
    tx,
    cluster.id,
    input.workloads.flatMap((w) =>
      (w.pods ?? []).map((pod) => ({ namespace: w.namespace, pod, kind: w.kind, name: w.name })),
    ),
  );

  // ---- namespaces (labels and profile), written when they change ----
  const knownNs = await tx.namespace.findMany({
    where: { clusterId: cluster.id },
    select: { name: true, labels: true, profile: true, deletedAt: true },
  });
  const nsByName = new Map(knownNs.map((n) => [n.name, n]));
  const nsCreate: Prisma.NamespaceCreateManyInput[] = [];
  for (const ns of input.namespaces) {
    const cur = nsByName.get(ns.name);
    if (!cur) {
      nsCreate.push({
        clusterId: cluster.id,
        name: ns.name,
        labels: ns.labels,
        profile: ns.profile,
        firstSeenAt: now,
        lastSeenAt: now,
      });
    } else if (cur.deletedAt !== null || cur.profile !== ns.profile || !sameLabels(cur.labels, ns.labels)) {
      await tx.namespace.update({
        where: { clusterId_name: { clusterId: cluster.id, name: ns.name } },
        data: { labels: ns.labels, profile: ns.profile, lastSeenAt: now, deletedAt: null },
      });
    }
  }
  if (nsCreate.length) await tx.namespace.createMany({ data: nsCreate });
  if (status === "complete") {
    const present = new Set(input.namespaces.map((n) => n.name));
    const goneNs = knownNs.filter((n) => n.deletedAt === null && !present.has(n.name)).map((n) => n.name);
    if (goneNs.length)
      await tx.namespace.updateMany({
        where: { clusterId: cluster.id, name: { in: goneNs } },
        data: { deletedAt: now },
      });
  }

  // ---- container facts (SCD2 by hash) ----
  const current = await tx.containerFact.findMany({
    where: { validTo: null, workload: { clusterId: cluster.id } },
    select: { id: true, workloadId: true, containerName: true, factHash: true },
  });
  const currentByKey = new Map(current.map((c) => [ckey(c.workloadId, c.containerName), c]));
  const toClose: bigint[] = [];
  const toCreate: Prisma.ContainerFactCreateManyInput[] = [];
  const wanted = new Set<string>();
  for (const w of input.workloads) {
    const row = byKey.get(wkey(w.namespace, w.kind, w.name));
    if (!row) continue;
    for (const c of w.containers) {
      const k = ckey(row.id, c.name);
      wanted.add(k);
      const cur = currentByKey.get(k);
      if (cur?.factHash === c.factHash) continue;
      if (cur) toClose.push(cur.id);
      toCreate.push({
        workloadId: row.id,
        containerName: c.name,
        containerType: c.type,
        image: c.image,
        registry: c.registry,
        repository: c.repository,
        tag: c.tag,
        digest: c.digest,
        tagKind: c.tagKind,
        registryVisibility: c.registryVisibility,
        imagePullPolicy: c.imagePullPolicy,
        policySource: c.policySource,
        policyEvidence: c.policyEvidence,
        pullSecrets: c.pullSecrets,
        factHash: c.factHash,
        validFrom: now,
        validFromSnapshot: snapshot.id,
      });
    }
  }
  for (const c of current) {
    const k = ckey(c.workloadId, c.containerName);
    if (!wanted.has(k) && (goneIds.has(c.workloadId) || seen.has(c.workloadId))) toClose.push(c.id);
  }
  if (toClose.length)
    await tx.containerFact.updateMany({
      where: { id: { in: toClose } },
      data: { validTo: now, validToSnapshot: snapshot.id },
    });
  if (toCreate.length) await tx.containerFact.createMany({ data: toCreate });
  rows.containerFacts = toClose.length + toCreate.length;

  // ---- running images (only when pod status was read) ----
  if (input.runtimeComplete) {
    const running = await tx.runningImage.findMany({
      where: { validTo: null, workload: { clusterId: cluster.id } },
      select: { id: true, workloadId: true, containerName: true, nodeName: true, digest: true, pods: true },
    });
    const runningByKey = new Map(
      running.map((r) => [rkey(r.workloadId, r.containerName, r.nodeName, r.digest), r]),
    );
    const keep = new Set<string>();
    const close: bigint[] = [];
    const create: Prisma.RunningImageCreateManyInput[] = [];
    for (const w of input.workloads) {
      const row = byKey.get(wkey(w.namespace, w.kind, w.name));
      if (!row) continue;
      for (const c of w.containers) {
        for (const r of c.running) {
          const k = rkey(row.id, c.name, r.nodeName, r.digest);
          keep.add(k);
          const cur = runningByKey.get(k);
          if (cur && cur.pods === r.pods) continue;
          if (cur) close.push(cur.id);
          create.push({
            workloadId: row.id,
            containerName: c.name,
            nodeName: r.nodeName,
            image: r.image,
            digest: r.digest,
            pods: r.pods,
            validFrom: now,
            validFromSnapshot: snapshot.id,
          });
        }
      }
    }
    for (const r of running)
      if (!keep.has(rkey(r.workloadId, r.containerName, r.nodeName, r.digest))) close.push(r.id);
    if (close.length)
      await tx.runningImage.updateMany({
        where: { id: { in: close } },
        data: { validTo: now, validToSnapshot: snapshot.id },
      });
    if (create.length) await tx.runningImage.createMany({ data: create });
    rows.runningImages = close.length + create.length;
  }

  // ---- findings (open / resolve) ----
  const open = await tx.finding.findMany({
    where: { clusterId: cluster.id, resolvedAt: null },
    select: { id: true, fingerprint: true, ruleId: true, workloadId: true },
  });
  const openByFp = new Map(open.map((f) => [f.fingerprint, f]));
  const present = new Set<string>();
  const newFindings: Prisma.FindingCreateManyInput[] = [];
  for (const w of input.workloads) {
    const row = byKey.get(wkey(w.namespace, w.kind, w.name));
    for (const c of w.containers) {
      for (const f of c.findings) {
        present.add(f.fingerprint);
        if (openByFp.has(f.fingerprint)) continue;
        newFindings.push({
          clusterId: cluster.id,
          workloadId: row?.id ?? null,
          namespace: w.namespace,
          containerName: c.name,
          ruleId: f.ruleId,
          severity: f.severity,
          fingerprint: f.fingerprint,
          image: f.image,
          evidence: { message: f.message, ...f.evidence } as Prisma.InputJsonValue,
          openedAt: now,
          openedSnapshotId: snapshot.id,
          lastSeenSnapshotId: snapshot.id,
        });
      }
    }
  }
  const evaluable = new Set(input.evaluableRules);
  // Resolved: its rule could be evaluated and did not fire, on a workload that was seen (or is gone).
  const resolve = open.filter(
    (f) =>
      !present.has(f.fingerprint) &&
      evaluable.has(f.ruleId) &&
      (f.workloadId === null || seen.has(f.workloadId) || goneIds.has(f.workloadId)),
  );
  if (resolve.length)
    await tx.finding.updateMany({
      where: { id: { in: resolve.map((f) => f.id) } },
      data: { resolvedAt: now, resolvedSnapshotId: snapshot.id },
    });
  if (newFindings.length) await tx.finding.createMany({ data: newFindings });
  rows.findingsOpened = newFindings.length;
  rows.findingsResolved = resolve.length;

  // ---- rollups: per namespace and "" for the whole cluster ----
  const rollups = new Map<
    string,
    Prisma.PostureRollupCreateManyInput & {
      byPolicy: Record<string, number>;
      byPolicySource: Record<string, number>;
      byTagKind: Record<string, number>;
      byRegistry: Record<string, number>;
      findingsByRule: Record<string, number>;
      findingsBySeverity: Record<string, number>;
    }
  >();
  const bump = (m: Record<string, number>, k: string) => {
    m[k] = (m[k] ?? 0) + 1;
  };
  const rollup = (ns: string) => {
    let r = rollups.get(ns);
    if (!r) {
      r = {
        snapshotId: snapshot.id,
        clusterId: cluster.id,
        namespace: ns,
        takenAt: now,
        workloads: 0,
        containers: 0,
        compliant: 0,
        score: 0,
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
  for (const w of input.workloads) {
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
  const rollupRows = [...rollups.values()].map((r) => ({
    ...r,
    score: r.containers ? Math.round((r.compliant / r.containers) * 1000) / 10 : 100,
  }));
  await tx.postureRollup.createMany({ data: rollupRows });
  rows.rollups = rollupRows.length;

  await tx.cluster.update({
    where: { id: cluster.id },
    data: { lastSnapshotId: snapshot.id, lastSnapshotAt: now },
  });
  await tx.snapshot.update({
    where: { id: snapshot.id },
    data: { stats: { ...(input.stats ?? {}), rows } as Prisma.InputJsonValue },
  });
  return { snapshotId: snapshot.id, status, rows };
}
