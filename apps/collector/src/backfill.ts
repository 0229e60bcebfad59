// Backfill against the simulator: weeks of history in minutes. The simulated clock is driven
// through the simulator's control API in steps (an hour by default) while the event watchers run,
// and the fleet is snapshotted every `snapshotEveryMinutes` of simulated time, stamped with the
// simulated time. Steps stay small so the watch never falls behind the simulator's watch history
// (a 410 there would re-list and could only recover the events still live); before each snapshot
// every watcher is caught up to the cluster's current resourceVersion, so no event is missed.
// Real clusters have no clock to drive: this mode exists for the demo, tests and benchmarks.
import type { Db } from "@pullsight/db";
import { silentLogger } from "@pullsight/observe";
import { type ClusterOutcome, type CollectOptions, collectFleet } from "./collect.ts";
import type { EventWatcher } from "./event-watch.ts";
import type { ClusterClient } from "./k8s/client.ts";

/** A clock that can be moved: the simulator's, through its control API. */
export interface DrivableClock {
  now(): Promise<Date>;
  /** Moves the clock forward by `minutes`; returns the new time. */
  advance(minutes: number): Promise<Date>;
}

/** The simulator's clock, through `GET /clock` and `POST /clock/advance` of its control API. */
export function simulatorClock(controlUrl: string): DrivableClock {
  const base = controlUrl.replace(/\/+$/, "");
  const call = async (path: string, init?: RequestInit): Promise<Date> => {
    const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(120_000) });
    const body = (await res.json().catch(() => ({}))) as { now?: string; error?: string };
    if (!res.ok || typeof body.now !== "string")
      throw new Error(`simulator control ${path}: ${res.status} ${body.error ?? JSON.stringify(body)}`);
    return new Date(body.now);
  };
  return {
    now: () => call("/clock"),
    advance: (minutes) =>
      call("/clock/advance", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ minutes }),
      }),
  };
}

export interface BackfillOptions extends CollectOptions {
  clock: DrivableClock;
  /** Simulated time to stop at (default: `days` after the clock's current time). */
  until?: Date;
  days?: number;
  /** Simulated minutes per clock step (≤ 60 keeps the watch inside the simulator's history). */
  stepMinutes?: number;
  /** Simulated minutes between fleet snapshots. */
  snapshotEveryMinutes?: number;
  /** The running watchers, one per client (same order), caught up before each snapshot. */
  watchers?: EventWatcher[];
  /** How long a watcher may take to catch up before the backfill fails (wall ms). */
  catchUpTimeoutMs?: number;
  onSnapshot?: (at: Date, outcomes: ClusterOutcome[]) => void;
}

export interface BackfillResult {
  from: Date;
  until: Date;
  snapshots: number;
  failed: number;
  steps: number;
  wallMs: number;
}

/** The cluster's current resourceVersion: the list metadata of a one-item events page. */
async function currentResourceVersion(client: ClusterClient): Promise<string | null> {
  const list = await client.getJson<{ metadata?: { resourceVersion?: string } }>("/api/v1/events?limit=1");
  return typeof list.metadata?.resourceVersion === "string" ? list.metadata.resourceVersion : null;
}

export async function backfill(
  db: Db,
  clients: ClusterClient[],
  opts: BackfillOptions,
): Promise<BackfillResult> {
  const log = opts.log ?? silentLogger;
  const started = performance.now();
  const step = Math.max(1, Math.min(opts.stepMinutes ?? 60, 60));
  const every = Math.max(step, opts.snapshotEveryMinutes ?? 360);
  let now = await opts.clock.now();
  const from = now;
  const until = opts.until ?? new Date(now.getTime() + (opts.days ?? 7) * 86_400_000);
  if (until < now)
    throw new Error(`backfill target ${until.toISOString()} is before the clock (${now.toISOString()})`);
  const read = { ...opts.read, now: () => now };
  let snapshots = 0;
  let failed = 0;
  let steps = 0;

  const snapshot = async () => {
    if (opts.watchers?.length) await Promise.all(opts.watchers.map((w, i) => catchUp(w, clients[i])));
    const outcomes = await collectFleet(db, clients, { ...opts, read });
    snapshots += 1;
    failed += outcomes.filter((o) => o.status === "failed").length;
    opts.onSnapshot?.(now, outcomes);
    if (opts.watchers?.length) await Promise.all(opts.watchers.map((w) => w.flush()));
  };
  const catchUp = async (w: EventWatcher, client: ClusterClient | undefined) => {
    if (!client) return;
    const target = await currentResourceVersion(client);
    if (target && !(await w.reached(target, opts.catchUpTimeoutMs ?? 30_000)))
      throw new Error(
        `event watch of ${client.name} did not catch up with resourceVersion ${target} (at ${w.stats.resourceVersion})`,
      );
  };

  log.info("backfill started", { from: from.toISOString(), until: until.toISOString(), step, every });
  await snapshot();
  let sinceSnapshot = 0;
  while (now < until && !opts.signal?.aborted) {
    const minutes = Math.min(step, Math.ceil((until.getTime() - now.getTime()) / 60_000));
    now = await opts.clock.advance(minutes);
    steps += 1;
    sinceSnapshot += minutes;
    if (sinceSnapshot >= every || now >= until) {
      await snapshot();
      sinceSnapshot = 0;
    }
  }
  const result = { from, until: now, snapshots, failed, steps, wallMs: performance.now() - started };
  log.info("backfill finished", { ...result, from: from.toISOString(), until: now.toISOString() });
  return result;
}
