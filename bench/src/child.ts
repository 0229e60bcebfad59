// One measured run in a process of its own, so that its peak RSS is its own:
//   floor    <kubeconfig>          page through every kind the collector reads, JSON-parse, discard
//   snapshot <kubeconfig> <db-url> one full collector snapshot of every cluster, with storage
//   resnapshot <kubeconfig> <db-url> three snapshots of every cluster in one process, as a collector
//                                   that keeps running does; the third is measured (with
//                                   BENCH_WATCH_OBJECTS=on its lists are kept current by watches
//                                   in between, as a collector that owns one cluster runs)
//            (floor and snapshots: only the contexts in BENCH_CONTEXTS when it is set; CPU is
//            counted from the start of the measured work, not from loading the bundle)
//   export   -            <db-url> the findings CSV export, consumed and discarded (RSS growth
//                                   against this process's own warmed-up baseline)
//   api      -            <db-url> the tRPC API over HTTP: node:http in front of handleTrpcRequest,
//                                   the web app's /api/trpc handler, with its read cache; until SIGTERM
//   live     <kubeconfig> <db-url> the collector as it runs in production: an event watch on every
//                                   cluster and a snapshot of one cluster every 30 s (round robin),
//                                   until SIGTERM; prints what it wrote when it stops
//   probe    <images.json> <db-url> one registry prober round over those references (endpoints in
//                                   BENCH_PROBE_ENDPOINTS, the round's budget in BENCH_PROBE_ROUND_MS),
//                                   stored as the prober stores it
// Prints one JSON line: wall time, peak RSS, items or rows (api: its URL).
import http from "node:http";
import { handleTrpcRequest, ReadCache, startCsvExport } from "@pullsight/api";
import {
  boundHeapGrowth,
  KINDS as COLLECTOR_KINDS,
  collectCluster,
  collectFleet,
  createClusterClient,
  EventWatcher,
  FleetFactsMemory,
  FleetMirror,
  kubeconfigContexts,
  loadKubeConfig,
  METADATA_LIST,
  PAGE_SIZE,
  probeImages,
} from "@pullsight/collector";
import { createDb, createExportPool, recordRegistryRound } from "@pullsight/db";
import { heapTimeline } from "./heap-timeline.ts";

const [mode, kubeconfig, databaseUrl] = process.argv.slice(2);
const MODES = ["floor", "snapshot", "resnapshot", "export", "api", "live", "probe"];
if (!kubeconfig || !MODES.includes(mode ?? ""))
  throw new Error(`usage: child.ts ${MODES.join("|")} KUBECONFIG|IMAGES|- [DB]`);

if (mode === "probe") await probeOnce(kubeconfig, databaseUrl as string);

/** One prober round, as `pullsight probe` runs it, with its peak RSS. */
async function probeOnce(imagesFile: string, url: string) {
  const { readFileSync } = await import("node:fs");
  const images = JSON.parse(readFileSync(imagesFile, "utf8")) as string[];
  const endpoints = new Map(
    Object.entries(JSON.parse(process.env.BENCH_PROBE_ENDPOINTS ?? "{}") as Record<string, string>),
  );
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const started = performance.now();
  const report = await probeImages(images, {
    prober: "bench",
    endpoints,
    credentials: new Map(),
    concurrency: 4,
    timeoutMs: 10_000,
    roundMs: Number(process.env.BENCH_PROBE_ROUND_MS) || 810_000,
  });
  const probedMs = performance.now() - started;
  // What probing alone holds, before the database client (Prisma's engine) is loaded to store it.
  const probedPeakMb = peak / 2 ** 20;
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  const db = createDb(url);
  await recordRegistryRound(db, report.answers, report.rounds);
  await db.$disconnect();
  clearInterval(sampler);
  const outcomes: Record<string, number> = {};
  for (const a of report.answers) outcomes[a.outcome] = (outcomes[a.outcome] ?? 0) + 1;
  console.log(
    JSON.stringify({
      mode,
      wallMs: performance.now() - started,
      probedMs,
      peakRssMb: peak / 2 ** 20,
      probedPeakMb,
      heapMb,
      answers: report.answers.length,
      outcomes,
      rounds: report.rounds.map((r) => ({
        registry: r.registry,
        requests: r.requests,
        throttled: r.throttled,
        waitMs: r.retryAfterWaitMs,
      })),
    }),
  );
  process.exit(0);
}

// The collector's processes bound their heap growth as `pullsight collect` does (its cli.ts); the
// floor keeps V8's own, the fastest reading gets.
if (mode === "snapshot" || mode === "resnapshot" || mode === "live")
  boundHeapGrowth(process.env.PULLSIGHT_HEAP_GROWING_PERCENT, [
    ...process.execArgv,
    ...(process.env.NODE_OPTIONS ?? "").split(/\s+/),
  ]);

if (mode === "live") await collectLive(kubeconfig, databaseUrl as string);

/** Watches every cluster's events and snapshots one cluster every `BENCH_LIVE_SNAPSHOT_MS` (30 s). */
async function collectLive(kubeconfig: string, url: string) {
  const db = createDb(url);
  const clients = kubeconfigContexts(kubeconfig).map((context) =>
    createClusterClient(context, loadKubeConfig({ kind: "kubeconfig", path: kubeconfig, context })),
  );
  const memory = new FleetFactsMemory();
  const watchers = clients.map((c) => new EventWatcher(db, c));
  await Promise.all(watchers.map((w) => w.start()));
  const period = Number(process.env.BENCH_LIVE_SNAPSHOT_MS) || 30_000;
  const snapshots: Array<{ cluster: string; status: string; ms: number }> = [];
  let stopping = false;
  const loop = (async () => {
    for (let i = 0; !stopping; i++) {
      const started = performance.now();
      const client = clients[i % clients.length];
      if (!client) break;
      const o = await collectCluster(db, client, { memory });
      snapshots.push({ cluster: o.cluster, status: o.status, ms: Math.round(o.durationMs) });
      const wait = period - (performance.now() - started);
      for (const end = performance.now() + wait; !stopping && performance.now() < end; )
        await new Promise((r) => setTimeout(r, 100));
    }
  })();
  console.log(JSON.stringify({ mode, ready: true }));
  await new Promise((r) => process.once("SIGTERM", r));
  stopping = true;
  await loop;
  await Promise.all(watchers.map((w) => w.stop()));
  await db.$disconnect();
  console.log(JSON.stringify({ mode, snapshots }));
  process.exit(0);
}

if (mode === "api") {
  const db = createDb(databaseUrl as string, { max: 20 });
  let stopping = false;
  // As the web app's route: with its read cache unless PULLSIGHT_READ_CACHE=off.
  const cache =
    process.env.PULLSIGHT_READ_CACHE === "off" ? null : await ReadCache.start(databaseUrl as string);
  const user = { name: "bench", role: "viewer", source: "demo" } as const;
  // Node's request as a fetch Request through the same handler as the web app's /api/trpc route.
  const server = http.createServer(async (req, res) => {
    if (req.url === "/cache-stats") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(cache?.stats ?? {}));
      return;
    }
    try {
      const chunks: Buffer[] = [];
      if (req.method !== "GET" && req.method !== "HEAD") for await (const c of req) chunks.push(c as Buffer);
      const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
        method: req.method ?? "GET",
        headers: Object.entries(req.headers).flatMap(([k, v]) =>
          v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, x]),
        ),
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      const response = await handleTrpcRequest(request, {
        endpoint: "/api/trpc",
        db,
        user,
        cache,
        onError({ error, path }) {
          // Answers still running when autocannon hung up fail on the closed pool at shutdown: not news.
          if (!stopping) console.error(`tRPC ${path ?? "?"} failed:`, error.message);
        },
      });
      res.writeHead(response.status, [...response.headers].flat());
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    console.log(JSON.stringify({ mode, url: `http://127.0.0.1:${port}` }));
  });
  process.on("SIGTERM", () => {
    stopping = true;
    // Stop accepting, let answers in flight finish, then close the database.
    server.close(() => void Promise.all([cache?.close(), db.$disconnect()]).then(() => process.exit(0)));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  });
}

if (mode === "export") {
  const db = createDb(databaseUrl as string);
  const pool = createExportPool(databaseUrl as string, { max: 2 });
  await db.exportLog.count(); // connections open, code loaded: the baseline is a warm process
  await pool.query("SELECT 1");
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  const out = await startCsvExport({
    db,
    pool,
    kind: "findings",
    filters: {},
    actor: "bench",
    // The product's batch size unless BENCH_EXPORT_BATCH overrides it (to compare sizes).
    ...(process.env.BENCH_EXPORT_BATCH ? { batchSize: Number(process.env.BENCH_EXPORT_BATCH) } : {}),
  });
  let bytes = 0;
  for await (const chunk of out.stream as unknown as AsyncIterable<Uint8Array>) bytes += chunk.byteLength;
  const done = await out.done;
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(
    JSON.stringify({
      mode,
      wallMs,
      rows: done.rows,
      bytes,
      baselineMb: baseline / 2 ** 20,
      growthMb: (peak - baseline) / 2 ** 20,
    }),
  );
  process.exit(0);
}

/** The floor reads 4 clusters at a time: the fastest it gets here (the collector runs 2). */
const CONCURRENCY = 4;

if (mode === "floor" || mode === "snapshot" || mode === "resnapshot") await measureFleet(mode);

/** Minutes pass between a running collector's snapshots: its watches are open by then. */
async function untilWatched(
  mirror: FleetMirror | undefined,
  clients: ReturnType<typeof createClusterClient>[],
) {
  for (const end = Date.now() + 10_000; mirror && Date.now() < end; ) {
    if (clients.every((c) => mirror.of(c).vouched().length === COLLECTOR_KINDS.length)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function measureFleet(mode: "floor" | "snapshot" | "resnapshot") {
  // BENCH_CONTEXTS: only these clusters (comma-separated), as a collector that owns some of them.
  const only = process.env.BENCH_CONTEXTS?.split(",");
  const contexts = kubeconfigContexts(kubeconfig as string).filter((c) => !only || only.includes(c));
  const clients = contexts.map((context) =>
    createClusterClient(context, loadKubeConfig({ kind: "kubeconfig", path: kubeconfig as string, context })),
  );
  let started = performance.now();
  // CPU from here: what the work costs, without loading the bundle (as the floor's).
  let cpu0 = process.cpuUsage();
  let items = 0;
  let rows = 0;
  let reused = 0;
  /** resnapshot: the process's first re-snapshot, before the measured one. */
  let firstResnapshot: { cpuMs: number; wallMs: number } | undefined;
  /** Kinds the mirror vouched for at the end (BENCH_WATCH_OBJECTS=on). */
  let mirrored = 0;
  let timeline: ReturnType<typeof heapTimeline> | null = null;
  const statuses: string[] = [];

  if (mode === "floor") {
    const queue = [...clients];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        for (const kind of COLLECTOR_KINDS) {
          let cont = "";
          do {
            const q = new URLSearchParams({ limit: String(PAGE_SIZE), ...(cont ? { continue: cont } : {}) });
            const page = await c.getJson<{ items: unknown[]; metadata?: { continue?: string } }>(
              `${kind.path}?${q}`,
              kind.metadataOnly ? { accept: METADATA_LIST } : {},
            );
            items += page.items.length;
            cont = page.metadata?.continue ?? "";
          } while (cont);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, clients.length) }, worker));
  } else {
    const db = createDb(databaseUrl as string);
    // The collector's own default unless BENCH_SNAPSHOT_CONCURRENCY says otherwise.
    const concurrency = Number(process.env.BENCH_SNAPSHOT_CONCURRENCY) || undefined;
    // As a long-running collector: what this process built in each cluster's previous snapshot.
    // BENCH_FACTS_MEMORY=off: without it, to compare.
    const memory = process.env.BENCH_FACTS_MEMORY === "off" ? undefined : new FleetFactsMemory();
    timeline = heapTimeline();
    const { log, onProgress } = timeline;
    const mirror = process.env.BENCH_WATCH_OBJECTS === "on" ? new FleetMirror() : undefined;
    const opts = {
      ...(concurrency ? { concurrency } : {}),
      ...(memory ? { memory } : {}),
      ...(mirror ? { mirror } : {}),
      log,
      onProgress,
    };
    if (mode === "resnapshot") {
      // The previous snapshots of a collector that keeps running: its first, then its first
      // re-snapshot, which also pays for compiling the code that reuses (reported apart); the
      // one after that, as a collector that has run for a while does them, is measured.
      await collectFleet(db, clients, opts);
      await untilWatched(mirror, clients);
      const cpu = process.cpuUsage();
      const wall = performance.now();
      await collectFleet(db, clients, opts);
      const c = process.cpuUsage(cpu);
      firstResnapshot = { cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - wall };
      await untilWatched(mirror, clients);
      started = performance.now();
      cpu0 = process.cpuUsage();
    }
    const outcomes = await collectFleet(db, clients, opts);
    mirrored = clients.reduce((n, c) => n + (mirror?.of(c).vouched().length ?? 0), 0);
    mirror?.stop();
    for (const o of outcomes) {
      statuses.push(o.status);
      reused += o.reused ?? 0;
      rows += Object.values(o.rows ?? {}).reduce((a, b) => a + b, 0);
    }
    await db.$disconnect();
  }
  const wallMs = performance.now() - started;
  console.log(
    JSON.stringify({
      mode,
      wallMs,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      cpuMs: (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000,
      items,
      rows,
      reused,
      mirrored,
      ...(firstResnapshot ? { firstResnapshot } : {}),
      statuses,
      ...(timeline ? { peak: timeline.stop() } : {}),
    }),
  );
  process.exit(0);
}
