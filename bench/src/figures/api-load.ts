// How figure 3 puts questions to the API: one client asking each question in turn with the cache
// off (what a question costs from scratch), autocannon at 50 connections (with the cache, idle or
// while the collector writes), and the live collector with its event load.
import { spawn } from "node:child_process";
import autocannon from "autocannon";
import type { Endpoint } from "./api-questions.ts";

/** A bundled child (child.ts) started in `mode`; resolves with it once it printed a line matching `ready`. */
async function startChild(childJs: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp) {
  const proc = spawn(process.execPath, [childJs, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  let out = "";
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve(m);
    });
    proc.once("exit", (code) => reject(new Error(`${args[0]} exited (${code}): ${out}`)));
  });
  const stop = async () => {
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    await exited;
    return out;
  };
  return { proc, match, stop };
}

/** The tRPC API in a process of its own, as the web app serves it, with or without its read cache. */
export async function startApi(childJs: string, dbUrl: string, cached: boolean) {
  const child = await startChild(
    childJs,
    ["api", "-", dbUrl],
    { PULLSIGHT_READ_CACHE: cached ? "on" : "off" },
    /"url":"([^"]+)"/,
  );
  return { url: child.match[1] as string, stop: child.stop };
}

/** The collector writing as in production (child.ts live); `stop` returns the snapshots it took. */
export async function startLiveCollector(childJs: string, kubeconfig: string, dbUrl: string) {
  const child = await startChild(childJs, ["live", kubeconfig, dbUrl], {}, /"ready":true/);
  return {
    stop: async () => {
      const out = await child.stop();
      const last = out.trim().split("\n").at(-1) ?? "{}";
      return (
        (JSON.parse(last) as { snapshots?: Array<{ cluster: string; status: string; ms: number }> })
          .snapshots ?? []
      );
    },
  };
}

/** `perSecond` events spread over `clusters` through the simulator's control API until stopped. */
export function startEventLoad(controlUrl: string, clusters: string[], perSecond: number) {
  let emitted = 0;
  let stopped = false;
  const done = (async () => {
    const started = performance.now();
    for (let tick = 0; !stopped; tick++) {
      const wait = started + tick * 100 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const due = Math.round(((tick + 1) * perSecond) / 10) - Math.round((tick * perSecond) / 10);
      if (due === 0) continue;
      const name = clusters[tick % clusters.length];
      const res = await fetch(`${controlUrl}/clusters/${name}/load`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ events: due }),
      });
      emitted += ((await res.json()) as { emitted: number }).emitted;
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await done;
      return emitted;
    },
  };
}

// No answer at all (autocannon gives up after 10 s): the percentiles are "over 10 s", not 0.
const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? 10_000
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);

export interface Latencies {
  p50: number;
  p95: number;
  max: number;
  answers: number;
  errors: number;
  perSecond: number;
}

function latencies(ms: number[], errors: number, perSecond: number): Latencies {
  ms.sort((a, b) => a - b);
  return {
    p50: percentile(ms, 50),
    p95: percentile(ms, 95),
    max: ms.at(-1) ?? 0,
    answers: ms.length,
    errors,
    perSecond,
  };
}

/**
 * One client asking each of the endpoint's questions in turn until `samples` answers (at least one
 * round), after one unmeasured ask: the process's first answer pays for loading code and opening
 * connections, which is not what a question costs.
 */
/**
 * A just-started server's code is not compiled yet: its first answers of any procedure take up to
 * several times longer than later ones, and whichever endpoint is measured first pays for all of them.
 * The cold figure is of answers computed from scratch, not of a process's first minute, so
 * each endpoint's first question is asked `rounds` times before any is measured (the measured
 * questions other than each endpoint's first are never asked before). Returns how long each
 * endpoint's very first answer took, which is reported apart.
 */
export async function warmUp(
  apiUrl: string,
  endpoints: Endpoint[],
  rounds: number,
): Promise<Map<string, number>> {
  const first = new Map<string, number>();
  for (let round = 0; round < rounds; round++)
    for (const e of endpoints) {
      const t0 = performance.now();
      await (await fetch(`${apiUrl}${e.paths[0]}`)).arrayBuffer();
      if (round === 0) first.set(e.name, performance.now() - t0);
    }
  return first;
}

export async function askOneByOne(apiUrl: string, e: Endpoint, samples: number): Promise<Latencies> {
  await (await fetch(`${apiUrl}${e.paths[0]}`)).arrayBuffer();
  const ms: number[] = [];
  let errors = 0;
  const started = performance.now();
  for (let i = 0; i < Math.max(samples, e.paths.length); i++) {
    const path = e.paths[i % e.paths.length] as string;
    const t0 = performance.now();
    const res = await fetch(`${apiUrl}${path}`);
    await res.arrayBuffer();
    ms.push(performance.now() - t0);
    if (!res.ok) errors += 1;
  }
  return latencies(ms, errors, ms.length / ((performance.now() - started) / 1000));
}

/** autocannon at `connections` for `seconds` over the endpoint's questions, after a 2 s warm-up. */
export async function askConcurrently(apiUrl: string, e: Endpoint, seconds: number, connections = 50) {
  const run = (duration: number, record: number[] | null) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        { url: apiUrl, connections, duration, requests: e.paths.map((p) => ({ method: "GET", path: p })) },
        (err, result) => (err ? reject(err) : resolve(result)),
      );
      if (record) instance.on("response", (_c, _status, _bytes, ms) => record.push(ms));
    });
  await run(2, null);
  const ms: number[] = [];
  const result = await run(seconds, ms);
  return latencies(ms, result.errors + result.timeouts + result.non2xx, result.requests.average);
}

/** The API child's read-cache counters (hits, misses). */
export async function cacheStats(apiUrl: string): Promise<{ hits: number; misses: number }> {
  const stats = (await (await fetch(`${apiUrl}/cache-stats`)).json()) as { hits?: number; misses?: number };
  return { hits: stats.hits ?? 0, misses: stats.misses ?? 0 };
}
