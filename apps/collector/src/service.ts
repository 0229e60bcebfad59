// The long-running collector: one event watcher per cluster (restarted with backoff when a
// cluster cannot be watched yet), snapshots of every cluster that never overlap, a pod index that
// lets events name their workload, and an orderly stop that writes what is buffered. The CLI's
// service mode and the demo both run this.

import { keepLastWeek } from "@pullsight/db";
import { type Logger, silentLogger } from "@pullsight/observe";
import { type BackfillOptions, type BackfillResult, backfill } from "./backfill.ts";
import { type ClusterOutcome, type CollectOptions, collectFleet } from "./collect.ts";
import type { DbHandle } from "./db-handle.ts";
import { EventWatcher } from "./event-watch.ts";
import { FleetFactsMemory } from "./facts-memory.ts";
import type { ClusterClient } from "./k8s/client.ts";
import { FleetMirror } from "./k8s/mirror.ts";
import { type NotifyOptions, notify } from "./notify/notifier.ts";

type PodIndex = Map<string, { kind: string; name: string }>;

export interface ServiceOptions extends Omit<CollectOptions, "signal" | "onFacts" | "mirror"> {
  /**
   * Keep each cluster's lists current by watching them between snapshots, so that a snapshot
   * lists only kinds whose watch broke (k8s/mirror.ts). Holds every owned cluster's projected
   * objects: meant for a collector that owns one cluster or a few.
   */
  watchObjects?: boolean;
  log?: Logger;
  /** Called after every snapshot round (metrics, progress). */
  onOutcomes?: (outcomes: ClusterOutcome[]) => void;
  /** Digests and alerts sent after every round of the service loop (the profiles file's `notifications`). */
  notify?: Omit<NotifyOptions, "now" | "log">;
}

export class CollectorService {
  readonly watchers: EventWatcher[];
  private readonly stopController = new AbortController();
  private readonly podIndex = new Map<string, PodIndex>();
  /** What each cluster's previous snapshot built, reused for objects that did not change. */
  private readonly memory = new FleetFactsMemory();
  private readonly mirror: FleetMirror | null;
  private readonly log: Logger;
  private running: Promise<unknown> | null = null;
  private watching: Promise<void> | null = null;

  constructor(
    private readonly handle: DbHandle,
    readonly clients: ClusterClient[],
    private readonly opts: ServiceOptions = {},
  ) {
    this.log = opts.log ?? silentLogger;
    this.mirror = opts.watchObjects ? new FleetMirror({ log: this.log }) : null;
    this.watchers = clients.map(
      (c) =>
        new EventWatcher(() => handle.db, c, {
          log: this.log,
          podIndex: () => this.podIndex.get(c.name) ?? new Map(),
        }),
    );
  }

  get signal(): AbortSignal {
    return this.stopController.signal;
  }

  private collectOptions(): CollectOptions {
    const { onOutcomes: _onOutcomes, notify: _notify, watchObjects: _watch, ...collect } = this.opts;
    return {
      ...collect,
      signal: this.signal,
      memory: this.memory,
      ...(this.mirror ? { mirror: this.mirror } : {}),
      // ns/pod → workload per cluster, from the latest snapshot: lets events name their workload.
      onFacts: (cluster, facts) => {
        const index: PodIndex = new Map();
        for (const w of facts.workloads)
          for (const pod of w.pods) index.set(`${w.namespace}/${pod}`, { kind: w.kind, name: w.name });
        this.podIndex.set(cluster, index);
      },
    };
  }

  /** Starts every watcher; one that cannot start now is retried with backoff until it does or we stop. */
  startWatchers(): Promise<void> {
    this.watching ??= Promise.all(
      this.watchers.map(async (w, i) => {
        for (let delay = 1000; !this.signal.aborted; delay = Math.min(delay * 2, 60_000)) {
          try {
            await w.start();
            return;
          } catch (error) {
            this.log.warn("event watch could not start; retrying", {
              cluster: this.clients[i]?.name,
              error: error instanceof Error ? error.message : String(error),
              retryInMs: delay,
            });
            await new Promise((r) => setTimeout(r, delay));
          }
        }
      }),
    ).then(() => {});
    return this.watching;
  }

  /** One snapshot of every cluster; a storage failure renews the database client. */
  async snapshot(extra: Pick<CollectOptions, "onProgress"> = {}): Promise<ClusterOutcome[]> {
    const run = collectFleet(this.handle.db, this.clients, { ...this.collectOptions(), ...extra });
    this.running = run;
    try {
      const outcomes = await run;
      this.handle.renewAfter(outcomes);
      this.opts.onOutcomes?.(outcomes);
      return outcomes;
    } finally {
      this.running = null;
    }
  }

  /** Drives a simulator's clock with the watchers running (see backfill.ts). */
  async backfill(
    opts: Pick<
      BackfillOptions,
      "clock" | "days" | "until" | "stepMinutes" | "snapshotEveryMinutes" | "onSnapshot"
    >,
  ): Promise<BackfillResult> {
    await this.startWatchers();
    const run = backfill(this.handle.db, this.clients, {
      ...this.collectOptions(),
      ...opts,
      watchers: this.watchers,
      onSnapshot: (at, outcomes) => {
        this.handle.renewAfter(outcomes);
        this.opts.onOutcomes?.(outcomes);
        opts.onSnapshot?.(at, outcomes);
      },
    });
    this.running = run;
    try {
      return await run;
    } finally {
      this.running = null;
    }
  }

  /** Sends the digests and alerts that are due; a failure is logged, never fatal to collection. */
  private async notifyRound(): Promise<void> {
    const o = this.opts.notify;
    if (!o?.notifications.recipients.length || this.signal.aborted) return;
    try {
      const result = await notify(this.handle.db, { ...o, now: new Date(), log: this.log });
      if (result.sent || result.failed) this.log.info("notifications", { ...result });
    } catch (error) {
      this.log.error("notifications failed", {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /**
   * Keeps last week's review figures for the fleet, this collector's clusters and the teams, once
   * the week has ended (a kept week costs one read per round to confirm); never fatal.
   */
  private async keepReviewRound(): Promise<void> {
    if (this.signal.aborted) return;
    const started = performance.now();
    try {
      const { computed, kept } = await keepLastWeek(
        this.handle.db,
        new Date(),
        this.clients.map((c) => c.name),
      );
      if (computed)
        this.log.info(
          kept === computed ? "review figures kept" : "review figures computed, some not kept yet",
          {
            scopes: computed,
            kept,
            ms: Math.round(performance.now() - started),
          },
        );
    } catch (error) {
      this.log.error("review figures not kept", {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** Snapshots every `intervalMs`, never overlapping, until stopped; watchers run throughout. */
  async loop(intervalMs: number): Promise<void> {
    void this.startWatchers();
    while (!this.signal.aborted) {
      await this.snapshot();
      await this.keepReviewRound();
      await this.notifyRound();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, intervalMs);
        this.signal.addEventListener("abort", () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Stops: a snapshot in flight finishes its transaction or is abandoned before it starts; buffered events are written. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.running?.catch(() => {});
    this.mirror?.stop();
    await Promise.all(this.watchers.map((w) => w.stop()));
  }
}
