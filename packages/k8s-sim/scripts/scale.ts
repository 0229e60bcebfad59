// Measures the simulator at fleet scale: start-up, memory, list-page latency against a floor, and
// sustained event generation. Usage: tsx scripts/scale.ts [clusters] [podsPerCluster]
import https from "node:https";
import { Simulator } from "../src/simulator.ts";

const clusters = Number(process.argv[2] ?? 10);
const pods = Number(process.argv[3] ?? 10_000);
const mb = (n: number) => `${(n / 1048576).toFixed(0)} MB`;

const t0 = performance.now();
const sim = await Simulator.start({ clusters, podsPerCluster: pods, seed: 1 });
global.gc?.();
const startMs = performance.now() - t0;
const rss = process.memoryUsage().rss;
console.log(
  `start: ${clusters} clusters x ${pods} pods in ${(startMs / 1000).toFixed(1)} s, RSS ${mb(rss)}, heap ${mb(process.memoryUsage().heapUsed)}`,
);

const c = sim.clusters[0] as (typeof sim.clusters)[number];
const agent = new https.Agent({ keepAlive: true, ca: sim.caPem ?? undefined });
const get = (path: string) =>
  new Promise<number>((resolve, reject) => {
    const start = performance.now();
    https
      .get(new URL(path, c.url), { agent, headers: { Authorization: `Bearer ${c.token}` } }, (res) => {
        res.on("data", () => {});
        res.on("end", () => resolve(performance.now() - start));
      })
      .on("error", reject);
  });
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] as number;
// Floor: a request that does no work (discovery), same connection, same TLS.
const floor: number[] = [];
for (let i = 0; i < 200; i++) floor.push(await get("/version"));
const pages: number[] = [];
for (let i = 0; i < 200; i++) pages.push(await get("/api/v1/pods?limit=500"));
const server = c.requests.filter((r) => r.path.startsWith("/api/v1/pods")).map((r) => r.durationMs);
console.log(`logged ${c.requests.length} requests, ${server.length} page requests`);
console.log(
  `500-pod page, server-side (handler to socket): p50 ${percentile(server, 0.5).toFixed(2)} ms, p95 ${percentile(server, 0.95).toFixed(2)} ms`,
);
console.log(
  `500-pod page, round trip in this process: p50 ${percentile(pages, 0.5).toFixed(2)} ms, p95 ${percentile(pages, 0.95).toFixed(2)} ms; floor (/version) p50 ${percentile(floor, 0.5).toFixed(2)} ms`,
);

// Event generation: 500 per second for 10 seconds, on one cluster, as the benchmark will.
const evStart = performance.now();
let emitted = 0;
for (let s = 0; s < 10; s++) {
  const tick = performance.now();
  emitted += c.sim.emitLoad(500);
  const spent = performance.now() - tick;
  await new Promise((r) => setTimeout(r, Math.max(0, 1000 - spent)));
}
const evSeconds = (performance.now() - evStart) / 1000;
console.log(
  `events: ${emitted} in ${evSeconds.toFixed(1)} s = ${(emitted / evSeconds).toFixed(0)}/s sustained`,
);
const burst = performance.now();
c.sim.emitLoad(20_000);
console.log(`event generation capacity: ${(20_000 / ((performance.now() - burst) / 1000)).toFixed(0)}/s`);
console.log(`final RSS ${mb(process.memoryUsage().rss)}`);
await sim.stop();
