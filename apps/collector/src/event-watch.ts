// The continuous event watch of one cluster. Kubernetes keeps events for about an hour, so
// snapshots alone would miss most pulls: the watcher lists the live events, then watches from
// that resourceVersion; after a dropped watch it resumes from the last version it saw, after a
// 410 it lists again. Events are upserted by UID, so a re-list or a restart never duplicates one
// and an aggregated event's growing count updates its row. A restarted collector recovers every
// event that is still live (emitted less than an hour before).
import * as k8s from "@kubernetes/client-node";
import { parsePullEvent, tryParseImageReference } from "@pullsight/core";
import { type Db, ensureCluster, type PullEventInput, upsertPullEvents } from "@pullsight/db";
import { type Logger, silentLogger } from "@pullsight/observe";
import type { ClusterClient } from "./k8s/client.ts";
import { listAll } from "./k8s/reader.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);

export interface WatcherStats {
  received: number;
  stored: number;
  relists: number;
  resumes: number;
  lastError: string | null;
  resourceVersion: string | null;
}

export interface WatcherOptions {
  flushMs?: number;
  batchSize?: number;
  log?: Logger;
  /** ns/pod → workload, from the latest snapshot. */
  podIndex?: () => ReadonlyMap<string, { kind: string; name: string }>;
}

/** Seconds → milliseconds through whole nanoseconds, so 8.031 s is 8031 ms, not 8031.000000000001. */
const toMs = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 1e9) / 1e6);

/** A core/v1 Event (or events.k8s.io/v1) as PullEventInput, or null when it is not about pulling. */
export function toPullEvent(
  e: Obj,
  podIndex?: ReadonlyMap<string, { kind: string; name: string }>,
): PullEventInput | null {
  const meta = isObj(e.metadata) ? e.metadata : {};
  const involved = isObj(e.involvedObject) ? e.involvedObject : isObj(e.regarding) ? e.regarding : {};
  if (involved.kind !== "Pod") return null;
  const facts = parsePullEvent(String(e.reason ?? ""), String(e.message ?? e.note ?? ""));
  const uid = str(meta.uid);
  if (!facts || !uid) return null;
  const namespace = str(meta.namespace) ?? str(involved.namespace) ?? "";
  const podName = str(involved.name) ?? "";
  const fieldPath = str(involved.fieldPath) ?? "";
  const container = /\{([^}]*)\}$/.exec(fieldPath)?.[1] ?? null;
  const series = isObj(e.series) ? e.series : {};
  const source = isObj(e.source) ? e.source : {};
  const first =
    str(e.firstTimestamp) ??
    str(e.deprecatedFirstTimestamp) ??
    str(e.eventTime) ??
    str(meta.creationTimestamp);
  const last =
    str(e.lastTimestamp) ??
    str(e.deprecatedLastTimestamp) ??
    str(series.lastObservedTime) ??
    str(e.eventTime) ??
    first;
  if (!first || !last) return null;
  const workload = podIndex?.get(`${namespace}/${podName}`);
  return {
    uid,
    namespace,
    podName,
    containerName: container,
    nodeName: str(source.host) ?? str(e.reportingInstance),
    reason: facts.reason,
    image: facts.image,
    registry: facts.image ? (tryParseImageReference(facts.image)?.domain ?? null) : null,
    alreadyPresent: facts.alreadyPresent,
    pullDurationMs: toMs(facts.pullDurationSeconds),
    waitingDurationMs: toMs(facts.waitingDurationSeconds),
    imageSizeBytes: facts.imageSizeBytes,
    failureCause: facts.failureCause,
    message: String(e.message ?? e.note ?? ""),
    count: Number(e.count ?? e.deprecatedCount ?? series.count ?? 1) || 1,
    firstTimestamp: new Date(first),
    lastTimestamp: new Date(last),
    resourceVersion: str(meta.resourceVersion),
    aggregated: facts.aggregated,
    workloadKind: workload?.kind ?? null,
    workloadName: workload?.name ?? null,
  };
}

export class EventWatcher {
  readonly stats: WatcherStats = {
    received: 0,
    stored: 0,
    relists: 0,
    resumes: 0,
    lastError: null,
    resourceVersion: null,
  };
  private buffer: PullEventInput[] = [];
  private clusterId: number | null = null;
  private abort: AbortController | null = null;
  private stopped = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private backoffMs = 250;
  private flushing: Promise<void> = Promise.resolve();
  private readonly log: Logger;

  constructor(
    /** The database, or a getter for it when the client can be renewed (see DbHandle). */
    private readonly database: Db | (() => Db),
    private readonly client: ClusterClient,
    private readonly opts: WatcherOptions = {},
  ) {
    this.log = opts.log ?? silentLogger;
  }

  private get db(): Db {
    return typeof this.database === "function" ? this.database() : this.database;
  }

  /** Lists the live events, stores them, and starts watching. Resolves once the list is stored. */
  async start(): Promise<void> {
    this.clusterId = await ensureCluster(this.db, this.client.name);
    this.flushTimer = setInterval(() => void this.flush(), this.opts.flushMs ?? 1000);
    this.flushTimer.unref();
    await this.relist();
    this.watch();
  }

  private async relist(): Promise<void> {
    const { items, resourceVersion } = await listAll(this.client, "/api/v1/events", { pageSize: 500 });
    this.stats.relists += 1;
    for (const item of items) this.accept(item);
    this.stats.resourceVersion = resourceVersion;
    await this.flush();
  }

  private accept(obj: Obj) {
    this.stats.received += 1;
    const e = toPullEvent(obj, this.opts.podIndex?.());
    if (e) this.buffer.push(e);
    if (this.buffer.length >= (this.opts.batchSize ?? 500)) void this.flush();
  }

  private watch() {
    if (this.stopped) return;
    let gone = false;
    const watcher = new k8s.Watch(this.client.kubeConfig);
    watcher
      .watch(
        "/api/v1/events",
        { resourceVersion: this.stats.resourceVersion ?? undefined, allowWatchBookmarks: true },
        (type: string, obj: Obj) => {
          const rv = isObj(obj.metadata) ? str(obj.metadata.resourceVersion) : null;
          if (type === "ERROR") {
            gone = (obj as { code?: number }).code === 410;
            this.stats.lastError = String((obj as { message?: string }).message ?? "watch error");
            return;
          }
          if (rv) this.stats.resourceVersion = rv;
          if (type === "ADDED" || type === "MODIFIED") this.accept(obj);
          this.backoffMs = 250;
        },
        (err: unknown) => {
          if (this.stopped) return;
          if (err) this.stats.lastError = err instanceof Error ? err.message : String(err);
          this.stats.resumes += 1;
          this.retryTimer = setTimeout(
            () => {
              if (this.stopped) return;
              const next = gone ? this.relist() : Promise.resolve();
              next.then(
                () => this.watch(),
                (e: unknown) => {
                  this.stats.lastError = e instanceof Error ? e.message : String(e);
                  this.log.warn("event list failed; retrying", {
                    cluster: this.client.name,
                    error: this.stats.lastError,
                  });
                  gone = true;
                  this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
                  this.watch();
                },
              );
            },
            gone ? 0 : this.backoffMs,
          );
          this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
        },
      )
      .then((controller) => {
        this.abort = controller;
        if (this.stopped) controller.abort();
      })
      .catch((e: unknown) => {
        // The watch request itself failed (cluster unreachable): try again later.
        this.stats.lastError = e instanceof Error ? e.message : String(e);
        this.retryTimer = setTimeout(() => this.watch(), this.backoffMs);
        this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
      });
  }

  /**
   * Waits (up to `timeoutMs`) until the watch has seen `resourceVersion` (an event or a bookmark at
   * or past it), then flushes. Compares versions as integers, which holds for etcd and the
   * simulator; Kubernetes calls them opaque, so only the backfill (simulator-only) relies on it.
   */
  async reached(resourceVersion: string, timeoutMs = 30_000): Promise<boolean> {
    const target = BigInt(resourceVersion);
    const deadline = Date.now() + timeoutMs;
    const seen = () => {
      const rv = this.stats.resourceVersion;
      return rv !== null && /^\d+$/.test(rv) && BigInt(rv) >= target;
    };
    while (!seen() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.flush();
    return seen();
  }

  /** Writes what is buffered; on failure keeps it for the next flush (nothing is dropped). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (!this.buffer.length || this.clusterId === null) return;
      const batch = this.buffer;
      this.buffer = [];
      try {
        await upsertPullEvents(this.db, this.clusterId, batch);
        this.stats.stored += batch.length;
      } catch (error) {
        this.buffer = batch.concat(this.buffer);
        this.stats.lastError = error instanceof Error ? error.message : String(error);
        this.log.warn("storing events failed; will retry", {
          cluster: this.client.name,
          pending: this.buffer.length,
          error: this.stats.lastError,
        });
      }
    });
    return this.flushing;
  }

  /** Stops watching and writes what is buffered. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.flush();
  }
}
