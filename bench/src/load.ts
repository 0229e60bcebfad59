// Figure 7: the product under load as it is deployed — `npm start`'s demo (its database, its
// simulated fleet collected live every minute, the built web app) at 200 connections for 60 s
// against a mix of pages, tRPC calls and CSV exports, while 5 export clients stall (they send a
// request and never read). Measured: errors, the latency of every answer (p95, max), and how
// long a brand-new connection waits to be served (a probe opens one every 250 ms).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { freePort, repoRoot } from "@pullsight/db/bootstrap";
import autocannon from "autocannon";
import superjson from "superjson";
import type { Figure } from "./figure.ts";

const trpc = (p: string, input?: unknown) =>
  `/api/trpc/${p}${input === undefined ? "" : `?input=${encodeURIComponent(superjson.stringify(input))}`}`;

/** Builds the web app as `npm start` serves it (turbo: nothing to do when the sources did not change). */
export function buildWeb() {
  execFileSync(
    path.join(repoRoot, "node_modules/.bin/turbo"),
    ["run", "build", "--filter=@pullsight/web..."],
    {
      cwd: repoRoot,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
}

/** Starts `npm start`'s demo on free ports and resolves when its history is collected. */
async function startDemo(pods: number, days: number): Promise<{ url: string; child: ChildProcess }> {
  buildWeb();
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "apps/demo/src/start.ts")], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: "",
      PULLSIGHT_PORT: String(port),
      PULLSIGHT_PG_PORT: String(await freePort()),
      PULLSIGHT_DATA_DIR: path.join(repoRoot, ".data/bench/load"),
      PULLSIGHT_DEMO_PODS: String(pods),
      PULLSIGHT_DEMO_DAYS: String(days),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (/snapshot rounds collected/.test(out)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the demo exited (${code}) before its history was built`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/** Export clients that send a request and never read; each one cut off is replaced. */
function stallExports(url: string, n: number) {
  const { hostname, port } = new URL(url);
  let stopped = false;
  let cutOff = 0;
  const sockets = new Set<net.Socket>();
  const open = () => {
    if (stopped) return;
    const s = net.connect(Number(port), hostname);
    sockets.add(s);
    s.setNoDelay(true);
    s.write(
      `GET /api/export/pull-events.csv HTTP/1.1\r\nHost: ${hostname}\r\nConnection: keep-alive\r\n\r\n`,
    );
    s.pause(); // never read: the kernel's buffers fill and the server's stream stops being pulled
    s.on("error", () => {});
    s.once("close", () => {
      sockets.delete(s);
      if (!stopped) cutOff++;
      setTimeout(open, 100);
    });
  };
  for (let i = 0; i < n; i++) open();
  return {
    stop() {
      stopped = true;
      for (const s of sockets) s.destroy();
      return cutOff;
    },
  };
}

/** A fresh connection every 250 ms: how long until its answer's first byte. */
function probeNewConnections(url: string) {
  const waits: number[] = [];
  let failures = 0;
  const timer = setInterval(() => {
    const started = performance.now();
    const req = http.get(`${url}/api/health`, { agent: false, timeout: 30_000 }, (res) => {
      waits.push(performance.now() - started);
      res.resume();
    });
    req.on("error", () => failures++);
    req.on("timeout", () => req.destroy());
  }, 250);
  return {
    stop() {
      clearInterval(timer);
      return { waits, failures };
    },
  };
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

export async function runLoadFigure(opts: {
  pods: number;
  days: number;
  seconds: number;
  connections: number;
}): Promise<Figure[]> {
  const { url, child } = await startDemo(opts.pods, opts.days);
  try {
    const fleet = (await (await fetch(`${url}${trpc("fleet.overview")}`)).json()) as {
      result: { data: { json: { clusters: Array<{ name: string }> } } };
    };
    const cluster = fleet.result.data.json.clusters[0]?.name ?? "prod-eu-1";
    const list = (await (await fetch(`${url}${trpc("workloads.list", { limit: 1 })}`)).json()) as {
      result: { data: { json: { rows: Array<{ id: string }> } } };
    };
    const workload = list.result.data.json.rows[0]?.id ?? "1";
    // A dashboard's traffic: mostly API calls, pages, and now and then an export.
    const requests = [
      "/",
      trpc("fleet.overview"),
      trpc("workloads.list", { limit: 50 }),
      `/clusters/${cluster}`,
      trpc("findings.list", { filter: { severity: "high" }, limit: 50 }),
      trpc("trends.posture", { range: { days: 30 } }),
      "/findings",
      trpc("clusters.detail", { name: cluster }),
      `/workloads/${workload}`,
      "/api/export/clusters.csv",
      trpc("trends.latency", { range: { days: 7 } }),
      "/review",
      `/api/export/namespaces.csv?cluster=${cluster}`,
      trpc("workloads.facets"),
    ].map((p) => ({ method: "GET" as const, path: p }));
    const stalled = stallExports(url, 5);
    const probe = probeNewConnections(url);
    const times: number[] = [];
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        { url, connections: opts.connections, duration: opts.seconds, requests, timeout: 30 },
        (err, r) => (err ? reject(err) : resolve(r)),
      );
      instance.on("response", (_c, _status, _bytes, ms) => times.push(ms));
    });
    const { waits, failures } = probe.stop();
    const cutOff = stalled.stop();
    const errors = result.errors + result.timeouts + result.non2xx + failures;
    const p95 = percentile(times, 95);
    const slowest = Math.max(0, ...waits);
    const name = `${opts.connections} connections, ${opts.seconds} s, 5 stalled exports`;
    return [
      {
        figure: "7 load",
        name: `errors (${name})`,
        value: errors,
        unit: "",
        target: "0",
        met: errors === 0,
        note: `${result.requests.total.toLocaleString("en")} answers; non-2xx ${result.non2xx}, socket errors ${result.errors}, timeouts ${result.timeouts}, probe failures ${failures}`,
      },
      {
        figure: "7 load",
        name: "answer latency p95",
        value: Math.round(p95),
        unit: "ms",
        target: "≤ 200",
        met: p95 <= 200,
        note: `p50 ${Math.round(percentile(times, 50))} ms, max ${Math.round(Math.max(0, ...times))} ms, ${Math.round(result.requests.average)} answers/s`,
      },
      {
        figure: "7 load",
        name: "longest wait of a new connection",
        value: Math.round(slowest),
        unit: "ms",
        target: "≤ 1000",
        met: slowest <= 1000,
        note: `${waits.length} probes; stalled export clients cut off and replaced: ${cutOff}`,
      },
    ];
  } finally {
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }
}
