// Container facts, kept as slowly changing rows: a container gets a new row only when the hash of
// its facts changes (the old row is closed at this snapshot); containers of a workload that was
// seen or deleted and are no longer there are closed too. An unchanged workload's rows are not
// even read. A container whose image changed is
// also recorded as an ImageChange (a rollout, as trends mark it), and its day's count of workloads
// rolled out (RolloutDay) recounted.
import { insertRows, pgTextArray, updateByIds } from "../rows.ts";
import type { ContainerInput } from "../snapshot.ts";
import { notUnchanged, type StepContext, type WorkloadIndex } from "./context.ts";

const containerKey = (workloadId: string, container: string) => `${workloadId}\u0000${container}`;

export async function writeContainerFacts(ctx: StepContext, index: WorkloadIndex): Promise<number> {
  const { c, clusterId, input, now, snapshotId } = ctx;
  const current = (
    await c.query<{ id: string; workloadId: string; containerName: string; factHash: string; image: string }>(
      `SELECT f.id, f."workloadId", f."containerName", f."factHash", f.image FROM "ContainerFact" f
       JOIN "Workload" w ON w.id = f."workloadId"
       WHERE f."validTo" IS NULL AND w."clusterId" = $1 AND ${notUnchanged('f."workloadId"', "$2")}`,
      [clusterId, [...index.unchanged]],
    )
  ).rows;
  const currentByKey = new Map(current.map((f) => [containerKey(f.workloadId, f.containerName), f]));
  const toClose: string[] = [];
  const toCreate: Array<{ workloadId: string; c: ContainerInput }> = [];
  const changed: Array<{ workloadId: string; container: string; from: string; to: string }> = [];
  const wanted = new Set<string>();
  for (const w of input.workloads) {
    const workloadId = index.idOf(w);
    if (!workloadId) continue;
    for (const ci of w.containers) {
      const k = containerKey(workloadId, ci.name);
      wanted.add(k);
      const cur = currentByKey.get(k);
      if (cur?.factHash === ci.factHash) continue;
      if (cur) toClose.push(cur.id);
      if (cur && cur.image !== ci.image)
        changed.push({ workloadId, container: ci.name, from: cur.image, to: ci.image });
      toCreate.push({ workloadId, c: ci });
    }
  }
  for (const f of current) {
    const k = containerKey(f.workloadId, f.containerName);
    if (wanted.has(k)) continue;
    if (index.gone.has(f.workloadId) || index.seen.has(f.workloadId)) toClose.push(f.id);
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
      ["credentialSources", "text", (r) => pgTextArray(r.c.credentialSources), "text[]"],
      ["factHash", "text", (r) => r.c.factHash],
      ["validFrom", "timestamptz", () => now],
      ["validFromSnapshot", "bigint", () => snapshotId],
    ],
    toCreate,
  );
  await insertRows(
    c,
    "ImageChange",
    [
      ["clusterId", "int", () => clusterId],
      ["workloadId", "bigint", (r) => r.workloadId],
      ["containerName", "text", (r) => r.container],
      ["fromImage", "text", (r) => r.from],
      ["toImage", "text", (r) => r.to],
      ["at", "timestamptz", () => now],
      ["snapshotId", "bigint", () => snapshotId],
    ],
    changed,
  );
  if (changed.length > 0) await countRollouts(ctx);
  return toClose.length + toCreate.length;
}

/** The day's distinct workloads rolled out, recounted from its changes (a snapshot's are all at `now`). */
async function countRollouts({ c, clusterId, now }: StepContext): Promise<void> {
  await c.query(
    `INSERT INTO "RolloutDay" ("clusterId", day, workloads)
     SELECT $1, ($2::timestamptz AT TIME ZONE 'UTC')::date, COUNT(DISTINCT "workloadId")::int FROM "ImageChange"
     WHERE "clusterId" = $1 AND at >= date_trunc('day', $2::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
       AND at < (date_trunc('day', $2::timestamptz AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC'
     ON CONFLICT ("clusterId", day) DO UPDATE SET workloads = EXCLUDED.workloads`,
    [clusterId, now],
  );
}
