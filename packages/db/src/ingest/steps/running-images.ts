// What nodes run, per (container, node, digest), kept like container facts: a row changes only
// when its pod count does. Written only when pod status was read.
import { insertRows, updateByIds } from "../rows.ts";
import type { ContainerInput } from "../snapshot.ts";
import { notUnchanged, type StepContext, type WorkloadIndex } from "./context.ts";

const runningKey = (workloadId: string, container: string, node: string, digest: string | null) =>
  `${workloadId}\u0000${container}\u0000${node}\u0000${digest ?? ""}`;

interface RunningRow {
  id: string;
  workloadId: string;
  containerName: string;
  nodeName: string;
  digest: string | null;
  pods: number;
}

export async function writeRunningImages(ctx: StepContext, index: WorkloadIndex): Promise<number> {
  const { c, clusterId, input, now, snapshotId } = ctx;
  if (!input.runtimeComplete) return 0;
  const running = (
    await c.query<RunningRow>(
      `SELECT r.id, r."workloadId", r."containerName", r."nodeName", r.digest, r.pods FROM "RunningImage" r
       JOIN "Workload" w ON w.id = r."workloadId"
       WHERE r."validTo" IS NULL AND w."clusterId" = $1 AND ${notUnchanged('r."workloadId"', "$2")}`,
      [clusterId, [...index.unchanged]],
    )
  ).rows;
  const byKey = new Map(
    running.map((r) => [runningKey(r.workloadId, r.containerName, r.nodeName, r.digest), r]),
  );
  const keep = new Set<string>();
  const close: string[] = [];
  const create: Array<{ workloadId: string; container: string; r: ContainerInput["running"][number] }> = [];
  for (const w of input.workloads) {
    const workloadId = index.idOf(w);
    if (!workloadId) continue;
    for (const ci of w.containers) {
      for (const r of ci.running) {
        const k = runningKey(workloadId, ci.name, r.nodeName, r.digest);
        keep.add(k);
        const cur = byKey.get(k);
        if (cur && cur.pods === r.pods) continue;
        if (cur) close.push(cur.id);
        create.push({ workloadId, container: ci.name, r });
      }
    }
  }
  for (const r of running)
    if (
      !index.unchanged.has(r.workloadId) &&
      !keep.has(runningKey(r.workloadId, r.containerName, r.nodeName, r.digest))
    )
      close.push(r.id);
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
  return close.length + create.length;
}
