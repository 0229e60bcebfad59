// pullsight sim: serves a simulated fleet until Ctrl-C.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { startControlServer } from "./control.ts";
import { Simulator } from "./simulator.ts";

const { values } = parseArgs({
  options: {
    clusters: { type: "string", default: "3" },
    pods: { type: "string", default: "1000" },
    seed: { type: "string", default: "42" },
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    "control-port": { type: "string", default: "0" },
    kubeconfig: { type: "string", default: ".data/sim/kubeconfig" },
    http: { type: "boolean", default: false },
    story: { type: "boolean", default: false },
    start: { type: "string" },
    realtime: { type: "boolean", default: false },
    "bookmark-ms": { type: "string", default: "10000" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(`usage: pullsight sim [--clusters 3] [--pods 1000] [--seed 42] [--port 0] [--control-port 0]
                     [--kubeconfig .data/sim/kubeconfig] [--http] [--story] [--start ISO] [--realtime]
                     [--bookmark-ms 10000]   (watch bookmark interval; backfills want ~100)`);
  process.exit(0);
}

const int = (name: string, v: string | undefined, min: number, max: number) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max}`);
    process.exit(2);
  }
  return n;
};

const started = Date.now();
const sim = await Simulator.start({
  clusters: int("clusters", values.clusters, 1, 50),
  podsPerCluster: int("pods", values.pods, 1, 100_000),
  seed: int("seed", values.seed, 0, 2 ** 31),
  host: values.host,
  basePort: int("port", values.port, 0, 65535),
  http: values.http,
  story: values.story,
  bookmarkIntervalMs: int("bookmark-ms", values["bookmark-ms"], 10, 600_000),
  ...(values.start ? { startTime: Date.parse(values.start) } : {}),
});
const control = await startControlServer(sim, {
  host: values.host,
  port: int("control-port", values["control-port"], 0, 65535),
});
const kubeconfigPath = path.resolve(values.kubeconfig);
mkdirSync(path.dirname(kubeconfigPath), { recursive: true });
writeFileSync(kubeconfigPath, sim.kubeconfig(), { mode: 0o600 });
if (values.realtime) sim.startRealtime();

for (const c of sim.clusters) console.log(`cluster ${c.name} (${c.gitVersion}) at ${c.url}`);
console.log(`control API at ${control.url}`);
console.log(`kubeconfig written to ${kubeconfigPath}`);
console.log(
  `simulator ready in ${Date.now() - started} ms (simulated time ${new Date(sim.now).toISOString()})`,
);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping the simulator`);
  await control.close();
  await sim.stop();
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
