// Workloads: a row is created once and touched only when it changes, disappears (a kind read
// completely without it) or returns; pull events that arrived before their pod was known are
// linked to it.
import { linkPullEventsToWorkloads } from "../pull-events.ts";
import { insertRows, updateByIds } from "../rows.ts";
import type { WorkloadInput } from "../snapshot.ts";
import { StaleSnapshotBaseError } from "../stale-base.ts";
import { type StepContext, type WorkloadIndex, workloadKey } from "./context.ts";

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
const keyOf = (w: { namespace: string; kind: string; name: string }) =>
  workloadKey(w.namespace, w.kind, w.name);

/** Writes the workloads; returns the index later steps use and how many rows it wrote. */
export async function writeWorkloads(ctx: StepContext): Promise<{ index: WorkloadIndex; rows: number }> {
  const { c, clusterId, input } = ctx;
  const existing = (
    await c.query<WorkloadRow>(`SELECT ${WORKLOAD_COLUMNS} FROM "Workload" WHERE "clusterId" = $1`, [
      clusterId,
    ])
  ).rows;
  const byKey = new Map(existing.map((w) => [keyOf(w), w]));
  const fresh = input.workloads.filter((w) => !byKey.has(keyOf(w)));
  const lost = fresh.find((w) => w.unchanged);
  if (lost) throw new StaleSnapshotBaseError(`${input.cluster.name}: ${keyOf(lost)} is not stored`);
  for (const w of await insertWorkloads(ctx, fresh)) byKey.set(keyOf(w), w);
  const freshSet = new Set(fresh);
  const seen = new Set<string>();
  const unchanged = new Set<string>();
  const changed: Array<{ id: string; w: WorkloadInput }> = [];
  for (const w of input.workloads) {
    const row = byKey.get(keyOf(w));
    if (!row) continue;
    seen.add(row.id);
    if (w.unchanged) unchanged.add(row.id);
    if (row.deletedAt !== null || row.uid !== w.uid || row.serviceAccount !== w.serviceAccount)
      changed.push({ id: row.id, w });
  }
  await updateWorkloads(ctx, changed);
  const complete = new Set(input.completeKinds);
  const gone = existing.filter((w) => w.deletedAt === null && !seen.has(w.id) && complete.has(w.kind));
  await updateByIds(
    c,
    "Workload",
    `"deletedAt" = $2`,
    gone.map((w) => w.id),
    [ctx.now],
  );
  await linkPullEventsToWorkloads(
    c,
    clusterId,
    input.workloads.flatMap((w) =>
      (w.pods ?? []).map((pod) => ({ namespace: w.namespace, pod, kind: w.kind, name: w.name })),
    ),
  );
  const index: WorkloadIndex = {
    idOf: (w) => byKey.get(keyOf(w))?.id,
    seen,
    gone: new Set(gone.map((w) => w.id)),
    unchanged,
  };
  const updated = changed.filter((x) => !freshSet.has(x.w)).length;
  return { index, rows: fresh.length + updated + gone.length };
}

/**
 * What Workload.search holds (migration 20261204080000_workload_search): the name, the namespace
 * and the current images, a line each, images in byte order. Set here so that the trigger that
 * keeps it, run when the containers are written, finds it right and writes nothing.
 */
export function workloadSearchText(w: {
  name: string;
  namespace: string;
  containers: ReadonlyArray<{ image: string }>;
}): string {
  const images = [...new Set(w.containers.map((c) => c.image))].sort();
  return [w.name, w.namespace, ...images].join("\n");
}

/**
 * What Workload.openFindings will hold for a new workload (migration
 * 20261204110000_workload_open_findings_recount): the findings about to be opened for it, one per
 * fingerprint. Set here so that the trigger that recounts it when the findings are written finds
 * it right and writes nothing; where it is wrong, the trigger's count stands.
 */
export function newWorkloadOpenFindings(w: Pick<WorkloadInput, "containers">): number {
  return new Set(w.containers.flatMap((c) => c.findings.map((f) => f.fingerprint))).size;
}

function insertWorkloads(ctx: StepContext, fresh: WorkloadInput[]): Promise<WorkloadRow[]> {
  return insertRows<WorkloadInput, WorkloadRow>(
    ctx.c,
    "Workload",
    [
      ["clusterId", "int", () => ctx.clusterId],
      ["namespace", "text", (w) => w.namespace],
      ["kind", "text", (w) => w.kind],
      ["name", "text", (w) => w.name],
      ["uid", "text", (w) => w.uid],
      ["serviceAccount", "text", (w) => w.serviceAccount],
      ["labels", "text", (w) => JSON.stringify(w.labels), "jsonb"],
      ["firstSeenAt", "timestamptz", () => ctx.now],
      ["lastSeenAt", "timestamptz", () => ctx.now],
      ["search", "text", workloadSearchText],
      ["openFindings", "int", newWorkloadOpenFindings],
    ],
    fresh,
    WORKLOAD_COLUMNS,
  );
}

/** Workloads that returned or whose identity or ServiceAccount changed. */
async function updateWorkloads(ctx: StepContext, changed: Array<{ id: string; w: WorkloadInput }>) {
  if (!changed.length) return;
  await ctx.c.query(
    `UPDATE "Workload" t SET "deletedAt" = NULL, uid = u.uid, "serviceAccount" = u.sa, labels = u.labels::jsonb, "lastSeenAt" = $5
     FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS u(id, uid, sa, labels) WHERE t.id = u.id`,
    [
      changed.map((x) => x.id),
      changed.map((x) => x.w.uid),
      changed.map((x) => x.w.serviceAccount),
      changed.map((x) => JSON.stringify(x.w.labels)),
      ctx.now,
    ],
  );
}
