// A cluster's lists kept current by watches, as client-go's reflectors keep an informer's store:
// after a kind was listed, a watch from the list's resourceVersion applies every change to the
// projected items, so the next snapshot reads the kind from memory instead of listing it again.
// A mirror is only trusted while its watch is open and has said something (an event or a
// bookmark) recently; anything else — a dropped watch, a 410 after compaction, a refused watch, a
// silent connection — makes the next snapshot list the kind again, which re-seeds the mirror. So a
// snapshot is never older than its own read would have been by more than the watch's delivery lag.
//
// What it costs: every kind's projected objects stay in memory between snapshots (one cluster's
// worth per cluster watched), and one long-lived connection per kind. A collector that owns one
// cluster uses it by default; one that owns many lists each time (README, Sizing).

import type { Logger } from "@pullsight/observe";
import { silentLogger } from "@pullsight/observe";
import { type ClusterClient, RequestFailure } from "./client.ts";
import { type KindDef, type KindKey, METADATA_ITEM } from "./kinds.ts";
import type { RawObject } from "./reader.ts";

export interface MirrorOptions {
  /**
   * How long a watch may say nothing before it is not trusted (and its connection is given up).
   * API servers send a bookmark to every watcher that asked for them about once a minute.
   */
  silentMs?: number;
  /** Asked of the server: it ends each watch after this long, and the mirror resumes it. */
  watchSeconds?: number;
  log?: Logger;
}

const DEFAULT_SILENT_MS = 150_000;
const DEFAULT_WATCH_SECONDS = 300;

type Project = (o: RawObject) => RawObject;

/** List order: namespace, then name (what the API server's lists are sorted by). */
const keyOf = (o: RawObject) =>
  o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
const byKey = (a: [string, RawObject], b: [string, RawObject]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

interface WatchLine {
  type?: string;
  object?: RawObject & { code?: number; message?: string };
}

/** One kind's items, kept current by one watch at a time. */
export class KindMirror {
  private readonly items = new Map<string, RawObject>();
  private sorted: readonly RawObject[] | null = null;
  private resourceVersion: string | null = null;
  private open = false;
  private lastHeard = 0;
  /** Bumped by every seed and by stop: callbacks of an older watch are ignored. */
  private generation = 0;
  private abort: AbortController | null = null;
  private retry: NodeJS.Timeout | null = null;
  private backoffMs = 250;
  /** Watch events applied since the last seed (for logs and tests). */
  applied = 0;
  /**
   * The watch was forbidden (RBAC may allow list without watch, as the manifests do for Secrets):
   * the kind is listed at every snapshot and nothing of it is kept or asked again.
   */
  private forbidden = false;

  constructor(
    private readonly client: ClusterClient,
    private readonly kind: KindDef,
    private readonly project: Project,
    private readonly opts: Required<Omit<MirrorOptions, "log">> & { log: Logger },
  ) {}

  /** The kind as it is now, in list order; null when the mirror cannot vouch for it (list it). */
  current(now = Date.now()): readonly RawObject[] | null {
    if (!this.open || now - this.lastHeard > this.opts.silentMs) return null;
    if (!this.sorted) this.sorted = Object.freeze([...this.items].sort(byKey).map(([, o]) => o));
    return this.sorted;
  }

  /** Replaces the items with a fresh list's (already projected) and watches from its version. */
  seed(items: readonly RawObject[], resourceVersion: string) {
    this.stopWatch();
    if (this.forbidden) return;
    this.items.clear();
    for (const o of items) this.items.set(keyOf(o), o);
    this.sorted = null;
    this.resourceVersion = resourceVersion;
    this.applied = 0;
    this.backoffMs = 250;
    this.watch(this.generation);
  }

  stop() {
    this.stopWatch();
    this.items.clear();
    this.sorted = null;
  }

  private stopWatch() {
    this.generation++;
    this.open = false;
    this.abort?.abort();
    this.abort = null;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }

  private watch(generation: number) {
    const q = new URLSearchParams({
      watch: "true",
      allowWatchBookmarks: "true",
      resourceVersion: this.resourceVersion ?? "",
      timeoutSeconds: String(this.opts.watchSeconds),
    });
    const abort = new AbortController();
    this.abort = abort;
    let gone = false;
    let openedAt = Number.POSITIVE_INFINITY;
    const onLine = (line: string) => {
      if (generation !== this.generation) return;
      this.lastHeard = Date.now();
      if (this.apply(line) === "gone") {
        gone = true;
        abort.abort();
      }
    };
    this.client
      .stream(
        `${this.kind.path}?${q}`,
        {
          idleMs: this.opts.silentMs,
          signal: abort.signal,
          ...(this.kind.metadataOnly ? { accept: METADATA_ITEM } : {}),
          onOpen: () => {
            if (generation !== this.generation) return;
            this.open = true;
            this.lastHeard = Date.now();
            openedAt = this.lastHeard;
          },
        },
        onLine,
      )
      .then(
        () => this.ended(generation, null, gone, Date.now() - openedAt),
        (e: unknown) => this.ended(generation, e, gone, Date.now() - openedAt),
      );
  }

  /** Applies one watch event; "gone" when the version watched from is no longer available. */
  private apply(line: string): "gone" | undefined {
    let event: WatchLine;
    try {
      event = JSON.parse(line) as WatchLine;
    } catch {
      return "gone"; // a line we cannot read: what it changed is unknown, so the items are too
    }
    const o = event.object;
    if (event.type === "ERROR") return "gone";
    if (!o || typeof o.metadata !== "object" || o.metadata === null) return "gone";
    const rv = o.metadata.resourceVersion;
    if (typeof rv === "string" && rv) this.resourceVersion = rv;
    if (event.type === "BOOKMARK") return;
    if (event.type === "DELETED") this.items.delete(keyOf(o));
    else if (event.type === "ADDED" || event.type === "MODIFIED") this.items.set(keyOf(o), this.project(o));
    else return "gone";
    this.sorted = null;
    this.applied++;
  }

  /** A watch ended: resumed from the last version seen, unless its items can no longer be trusted. */
  private ended(generation: number, error: unknown, gone: boolean, livedMs: number) {
    if (generation !== this.generation) return;
    this.open = false;
    const refused = error instanceof RequestFailure && error.status !== null;
    if (refused && error.status === 403) {
      this.forbidden = true;
      this.items.clear();
      this.sorted = null;
    }
    if (gone || refused) {
      // A 410 (compacted past our version) or an unreadable event: only a new list can say what
      // the kind holds now. A refused watch (403…) would be refused again at once: the next
      // snapshot lists the kind (and says so if that is refused too) and seeds a new watch.
      this.opts.log.info("object watch stopped: the kind is listed at the next snapshot", {
        cluster: this.client.name,
        kind: this.kind.key,
        reason: gone ? "expired or unreadable" : error instanceof Error ? error.message : String(error),
      });
      this.generation++;
      return;
    }
    // The server ended it (its timeout) or the connection broke: resume where it stopped, at once
    // after a watch that lasted, with growing pauses while watches break or end straight away.
    if (livedMs >= 1000) this.backoffMs = 250;
    const delay = !error && livedMs >= 1000 ? 0 : this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
    this.retry = setTimeout(() => {
      if (generation === this.generation) this.watch(generation);
    }, delay);
    this.retry.unref();
  }
}

/** Every kind of one cluster. */
export class ClusterMirror {
  private readonly kinds = new Map<KindKey, KindMirror>();
  constructor(
    private readonly client: ClusterClient,
    private readonly opts: Required<Omit<MirrorOptions, "log">> & { log: Logger },
  ) {}

  current(kind: KindKey): readonly RawObject[] | null {
    return this.kinds.get(kind)?.current() ?? null;
  }

  /** The kinds it vouches for now. */
  vouched(): KindKey[] {
    return [...this.kinds].filter(([, m]) => m.current() !== null).map(([k]) => k);
  }

  seed(kind: KindDef, project: Project, items: readonly RawObject[], resourceVersion: string) {
    let m = this.kinds.get(kind.key);
    if (!m) {
      m = new KindMirror(this.client, kind, project, this.opts);
      this.kinds.set(kind.key, m);
    }
    m.seed(items, resourceVersion);
  }

  stop() {
    for (const m of this.kinds.values()) m.stop();
    this.kinds.clear();
  }
}

/** The mirrors of every cluster a collector owns, by cluster name. */
export class FleetMirror {
  private readonly clusters = new Map<string, ClusterMirror>();
  private readonly opts: Required<Omit<MirrorOptions, "log">> & { log: Logger };
  constructor(opts: MirrorOptions = {}) {
    this.opts = {
      silentMs: opts.silentMs ?? DEFAULT_SILENT_MS,
      watchSeconds: opts.watchSeconds ?? DEFAULT_WATCH_SECONDS,
      log: opts.log ?? silentLogger,
    };
  }

  of(client: ClusterClient): ClusterMirror {
    let m = this.clusters.get(client.name);
    if (!m) {
      m = new ClusterMirror(client, this.opts);
      this.clusters.set(client.name, m);
    }
    return m;
  }

  stop() {
    for (const m of this.clusters.values()) m.stop();
    this.clusters.clear();
  }
}
