import { KINDS, kubeconfigContexts } from "@pullsight/collector";
import { type Bench, type ChildResult, cpuNote, rowsPerTable } from "../context.ts";
import type { PeakMoment } from "../heap-timeline.ts";

/** (1) a full snapshot against the floor, (2) an unchanged re-snapshot, (6) the database size after each. */
export async function snapshotFigures(b: Bench) {
  const { dbSize, report, child } = b;
  // The floor twice, the faster counts (a warm API server, as the snapshot gets).
  const floors = [child("floor"), child("floor")];
  const floor = floors.reduce((a, b) => (a.wallMs <= b.wallMs ? a : b));
  const first = child("snapshot");
  const sizeAfterFirst = await dbSize();
  b.firstSnapshotRows = await rowsPerTable(b.pool);
  b.firstSnapshotMs = first.wallMs;
  if (first.statuses.some((s) => s !== "complete"))
    throw new Error(`snapshot not complete: ${first.statuses}`);
  report({
    figure: "1 snapshot",
    name: "floor: list + JSON.parse every page",
    value: Math.round(floor.wallMs),
    unit: "ms",
    note: `${floor.items} objects; ${cpuNote(floor, "reader")}`,
  });
  report({
    figure: "1 snapshot",
    name: "full snapshot with storage",
    value: Math.round(first.wallMs),
    unit: "ms",
    note: `${first.rows} rows; ${cpuNote(first, "collector")}`,
  });
  report({
    figure: "1 snapshot",
    name: "snapshot ÷ floor",
    value: first.wallMs / floor.wallMs,
    unit: "×",
    target: "≤ 1.5",
    met: first.wallMs / floor.wallMs <= 1.5,
  });
  report({
    figure: "1 snapshot",
    name: "collector peak RSS",
    value: Math.round(first.maxRssMb),
    unit: "MB",
    target: "≤ 400",
    met: first.maxRssMb <= 400,
    note: peakNote(first.peak),
  });
  report({ figure: "1 snapshot", name: "floor peak RSS", value: Math.round(floor.maxRssMb), unit: "MB" });
  // As a collector that keeps running: its previous snapshot in the same process, then this one.
  const again = child("resnapshot");
  report({
    figure: "2 resnap",
    name: "unchanged re-snapshot",
    value: Math.round(again.wallMs),
    unit: "ms",
    note: `${again.reused ?? 0} workloads reused; ${cpuNote(again, "collector")}`,
  });
  resnapshotRatios(b, "one collector for the fleet, lists read again", again, floor, first);
  const sizeAfterSecond = await dbSize();
  // As the in-cluster manifests run it: one collector per cluster, whose lists are kept current
  // by watches between snapshots (the collector's default when it owns one cluster).
  const perCluster = kubeconfigContexts(b.sim.kubeconfig).map((c) =>
    child("resnapshot", { BENCH_CONTEXTS: c, BENCH_WATCH_OBJECTS: "on" }),
  );
  const watched = sumOf(perCluster);
  report({
    figure: "2 resnap",
    name: "unchanged re-snapshot, one collector per cluster, lists kept by watches",
    value: Math.round(watched.wallMs),
    unit: "ms",
    note: `summed over ${perCluster.length} processes; ${watched.mirrored} of ${perCluster.length * KINDS.length} kinds read from watches; peak RSS ${Math.round(watched.maxRssMb)} MB (largest process); ${cpuNote(watched, "collectors")}`,
  });
  resnapshotRatios(b, "one collector per cluster, watched", watched, floor, first);
  // The floor in the same shape: one process reading one cluster, for each cluster.
  const floorsPerCluster = sumOf(
    kubeconfigContexts(b.sim.kubeconfig).map((c) => child("floor", { BENCH_CONTEXTS: c })),
  );
  report({
    figure: "2 resnap",
    name: "re-snapshot collector CPU ÷ one-cluster floors' CPU (one collector per cluster, watched)",
    value: watched.cpuMs / floorsPerCluster.cpuMs,
    unit: "×",
    note: `${(watched.cpuMs / 1000).toFixed(1)} s against ${(floorsPerCluster.cpuMs / 1000).toFixed(1)} s for ${perCluster.length} processes each listing one cluster (the fleet floor reads 4 at a time in one process)`,
  });
  // One collector for the fleet told to watch every cluster (--watch-objects on): what it saves,
  // and the memory every cluster's kept lists cost it.
  const fleetWatched = child("resnapshot", { BENCH_WATCH_OBJECTS: "on" });
  report({
    figure: "2 resnap",
    name: "unchanged re-snapshot, one collector for the fleet, lists kept by watches",
    value: Math.round(fleetWatched.wallMs),
    unit: "ms",
    note: `${fleetWatched.mirrored} of ${perCluster.length * KINDS.length} kinds read from watches; peak RSS ${Math.round(fleetWatched.maxRssMb)} MB; ${cpuNote(fleetWatched, "collector")}`,
  });
  resnapshotRatios(b, "one collector for the fleet, watched", fleetWatched, floor, first);
  report({
    figure: "6 size",
    name: "database after the first snapshot",
    value: Math.round(sizeAfterFirst / 2 ** 20),
    unit: "MB",
  });
  report({
    figure: "6 size",
    name: "growth from an unchanged re-snapshot",
    // The resnapshot child wrote three (two before the measured one, and the measured one).
    value: Math.round((sizeAfterSecond - sizeAfterFirst) / 3 / 2 ** 10),
    unit: "kB",
    note: "a third of what three unchanged re-snapshots added",
  });
}

/** The re-snapshot's targets: collector CPU against the floor's, rows against the first snapshot's. */
function resnapshotRatios(b: Bench, how: string, again: ChildResult, floor: ChildResult, first: ChildResult) {
  b.report({
    figure: "2 resnap",
    name: `re-snapshot collector CPU ÷ floor's CPU (${how})`,
    value: again.cpuMs / floor.cpuMs,
    unit: "×",
    target: "≤ 1.2",
    met: again.cpuMs <= 1.2 * floor.cpuMs,
    note: `${(again.cpuMs / 1000).toFixed(1)} s against ${(floor.cpuMs / 1000).toFixed(1)} s reading the same lists; the process's third snapshot (its second, the first to reuse, compiling that code as it went: ${((again.firstResnapshot?.cpuMs ?? 0) / 1000).toFixed(1)} s)`,
  });
  b.report({
    figure: "2 resnap",
    name: `rows written, % of the first snapshot's (${how})`,
    value: (100 * again.rows) / Math.max(1, first.rows),
    unit: "%",
    target: "≤ 1",
    met: again.rows <= first.rows / 100,
    note: `${again.rows} of ${first.rows}`,
  });
}

/** Processes run one after another, as one: times, CPU and rows add up; RSS is the largest. */
function sumOf(runs: ChildResult[]): ChildResult {
  const add = (f: (r: ChildResult) => number) => runs.reduce((n, r) => n + f(r), 0);
  return {
    mode: "resnapshot",
    wallMs: add((r) => r.wallMs),
    maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)),
    cpuMs: add((r) => r.cpuMs),
    items: add((r) => r.items),
    rows: add((r) => r.rows),
    reused: add((r) => r.reused ?? 0),
    mirrored: add((r) => r.mirrored ?? 0),
    firstResnapshot: {
      cpuMs: add((r) => r.firstResnapshot?.cpuMs ?? 0),
      wallMs: add((r) => r.firstResnapshot?.wallMs ?? 0),
    },
    statuses: runs.flatMap((r) => r.statuses),
    simCpuMs: add((r) => r.simCpuMs),
    pgCpuMs: runs.some((r) => r.pgCpuMs === null) ? null : add((r) => r.pgCpuMs ?? 0),
  };
}

/** "at 21.3 s: heap 512 MB, external 40 MB; prod-eu-1 writing snapshot, prod-us-2 had read pods" */
function peakNote(p: PeakMoment | undefined): string {
  if (!p) return "";
  const phases = Object.entries(p.phases)
    .filter(([, phase]) => phase !== "snapshot written")
    .map(([cluster, phase]) => `${cluster} ${phase}`);
  return `sampled peak ${p.rssMb} MB at ${(p.atMs / 1000).toFixed(1)} s: heap ${p.heapUsedMb} MB used of ${p.heapTotalMb} MB V8 holds, external ${p.externalMb} MB; ${phases.join(", ") || "no cluster in flight"}`;
}
