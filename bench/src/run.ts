// `pnpm bench`: Pullsight's speed and memory on a large simulated fleet, each figure against a
// floor measured in the same run on the same machine (these machines are noisy; ratios travel).
// Prints one line per figure and writes bench/results/<stamp>.json and .md (and latest.*).
//
//   pnpm bench [--clusters 10] [--pods 10000] [--csv-rows 1000000] [--event-rate 500]
//              [--event-seconds 60] [--history-days 365] [--churn-hours 168] [--api-seconds 10]
//              [--load-seconds 60] [--load-connections 200] [--cold-samples 40] [--live-events 20]
//              [--reuse-history] [--probe-references 20000] [--only snapshot,api,pages,csv,events,load,probe]
//
// Figures: (1) a full snapshot against the floor (paging and JSON-parsing every list the collector
// reads, with the same client), peak RSS of each in its own process; (2) an unchanged re-snapshot's
// rows written; (3) API latency after a year of hourly history (history.ts): cold (one client, no
// cache), cached at 50 connections, and live while the collector writes; the main pages rendered
// in Chromium (figures/pages.ts); (4) the findings CSV export against COPY … TO STDOUT of the same rows;
// (5) the event watch under steady load; (6) database size; (7) the demo as `npm start` runs it,
// at 200 connections of pages, API calls and exports with 5 stalled export clients (load.ts); (8) the
// registry prober over 20,000 references, one registry rate-limited (figures/probe.ts). The measured processes (floor,
// snapshot, export, API server) run bundled as plain JavaScript, as deployed (bundle.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "@pullsight/db/bootstrap";
import { bundle } from "../../scripts/bundle.ts";
import {
  type Bench,
  benchOptions,
  fmt,
  machineOf,
  Report,
  runChild,
  SimulatorProcess,
  startBenchDatabase,
} from "./context.ts";
import type { Figure } from "./figure.ts";
import { apiFigures } from "./figures/api.ts";
import { csvFigures } from "./figures/csv.ts";
import { eventFigures } from "./figures/events.ts";
import { probeFigures } from "./figures/probe.ts";
import { scaleOutFigures } from "./figures/scale-out.ts";
import { snapshotFigures } from "./figures/snapshot.ts";
import { runLoadFigure } from "./load.ts";

const opts = benchOptions();
const { only } = opts;
const report = new Report();
const benchDir = path.join(repoRoot, "bench");
// The measured processes, bundled once per run (from the working tree's sources).
const childJs = path.join(repoRoot, ".data/bench/child.mjs");
await bundle(path.join(benchDir, "src/child.ts"), childJs);

const database = await startBenchDatabase(process.env.DATABASE_URL);
const machine = await machineOf(database.pool);
console.log(
  `machine: ${machine.cores} × ${machine.cpu}, ${machine.memoryGb} GB, Node ${machine.node}, PostgreSQL ${machine.postgres}`,
);
const sim = new SimulatorProcess();
const b: Bench = {
  opts,
  ...database,
  sim,
  childJs,
  report: report.add,
  child: (mode, env) =>
    runChild(
      childJs,
      mode,
      {
        kubeconfig: sim.kubeconfig,
        dbUrl: database.dbUrl,
        simPid: sim.proc?.pid,
        postmasterPid: database.postmasterPid,
      },
      env,
    ),
};

// A figure group that fails ends the run, but what was measured before it is still written.
let failed: unknown = null;
try {
  await runFigures();
} catch (e) {
  failed = e;
  console.error(e);
  report.add({
    figure: "run",
    name: "stopped by an error",
    value: 0,
    unit: "",
    note: String((e as Error).message ?? e),
  });
} finally {
  sim.stop();
}
writeResults(report.figures, machine);
await database.pool.end();
await database.db.$disconnect();
await database.stopPostgres();
process.exit(failed ? 1 : 0);

async function runFigures() {
  const history = only.has("api") || only.has("pages");
  if (["snapshot", "scaleout", "events"].some((f) => only.has(f)) || history)
    await sim.start(opts.CLUSTERS, opts.PODS);
  if (only.has("snapshot")) await snapshotFigures(b);
  if (only.has("scaleout")) await scaleOutFigures(b);
  if (history) await apiFigures(b);
  if (only.has("events")) await eventFigures(b);
  sim.stop();
  if (only.has("csv")) await csvFigures(b);
  if (only.has("probe")) await probeFigures(b, opts.PROBE_REFERENCES);
  if (only.has("load")) {
    console.log("7 load: starting the demo (3 clusters × 700 pods, 56 days of history; about 4 minutes)");
    const load = { pods: 700, days: 56, seconds: opts.LOAD_SECONDS, connections: opts.LOAD_CONNECTIONS };
    for (const f of await runLoadFigure(load)) report.add(f);
  }
}

function writeResults(figures: Figure[], machine: Awaited<ReturnType<typeof machineOf>>) {
  const { CLUSTERS, PODS, CSV_ROWS, EVENT_RATE, EVENT_SECONDS } = opts;
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const resultsDir = path.join(benchDir, "results");
  mkdirSync(resultsDir, { recursive: true });
  const result = {
    at: new Date().toISOString(),
    machine,
    params: { CLUSTERS, PODS, CSV_ROWS, EVENT_RATE, EVENT_SECONDS },
    figures,
  };
  const md = [
    `# Pullsight benchmark ${result.at}`,
    "",
    `Machine: ${machine.cores} × ${machine.cpu}, ${machine.memoryGb} GB RAM, ${machine.os}, Node ${machine.node}, PostgreSQL ${machine.postgres}.`,
    `Fleet: ${CLUSTERS} clusters × ${PODS.toLocaleString("en")} pods (simulator, seed 7). CSV: ${CSV_ROWS.toLocaleString("en")} findings. Events: ${EVENT_RATE}/s for ${EVENT_SECONDS} s.`,
    "",
    "| figure | measure | value | unit | target | met | note |",
    "| --- | --- | ---: | --- | --- | --- | --- |",
    ...figures.map(
      (f) =>
        `| ${f.figure} | ${f.name} | ${fmt(f.value)} | ${f.unit} | ${f.target ?? ""} | ${f.target ? (f.met ? "yes" : "**no**") : ""} | ${f.note ?? ""} |`,
    ),
    "",
  ].join("\n");
  for (const name of [stamp, "latest"]) {
    writeFileSync(path.join(resultsDir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(path.join(resultsDir, `${name}.md`), md);
  }
  console.log(`results: bench/results/${stamp}.json and .md`);
}
