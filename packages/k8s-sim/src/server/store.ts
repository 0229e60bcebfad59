// One cluster's objects, with what clients depend on: a cluster-wide resourceVersion that every
// write advances, a bounded watch history per collection (older versions answer 410), and list
// snapshots that back continue tokens.
import { randomUUID } from "node:crypto";

export type KObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    [k: string]: unknown;
  };
  [k: string]: unknown;
};

export type WatchType = "ADDED" | "MODIFIED" | "DELETED";
export interface WatchEvent {
  type: WatchType;
  rv: number;
  object: KObject;
}

export const objectKey = (o: KObject) =>
  o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;

class Collection {
  readonly items = new Map<string, KObject>();
  private sorted: KObject[] | null = null;
  readonly history: WatchEvent[] = [];
  /** Highest resourceVersion no longer in the history; watching from at or below it is 410. */
  compactedRv = 0;
  readonly watchers = new Set<(e: WatchEvent) => void>();

  constructor(private readonly maxHistory: number) {}

  list(): KObject[] {
    if (!this.sorted) {
      const keys = [...this.items.keys()].sort();
      this.sorted = keys.map((k) => this.items.get(k) as KObject);
    }
    return this.sorted;
  }

  record(e: WatchEvent) {
    this.sorted = null;
    this.history.push(e);
    // Compact in chunks (a sixteenth of the history at a time): dropping one element per event
    // from a 50,000-element array cost more than the rest of the simulation together.
    if (this.history.length > this.maxHistory + Math.max(1, this.maxHistory >> 4)) {
      const drop = this.history.length - this.maxHistory;
      this.compactedRv = (this.history[drop - 1] as WatchEvent).rv;
      this.history.splice(0, drop);
    }
    for (const w of this.watchers) w(e);
  }
}

export interface ListSnapshot {
  rv: number;
  items: KObject[];
  createdAt: number;
}

export class ClusterStore {
  private rv = 1000;
  private readonly collections = new Map<string, Collection>();
  /** Snapshots behind continue tokens, by id. */
  readonly snapshots = new Map<string, ListSnapshot>();

  constructor(private readonly opts: { maxHistory?: number; eventHistory?: number } = {}) {}

  get resourceVersion(): number {
    return this.rv;
  }

  collection(key: string): Collection {
    let c = this.collections.get(key);
    if (!c) {
      c = new Collection(
        key === "events" ? (this.opts.eventHistory ?? 50_000) : (this.opts.maxHistory ?? 10_000),
      );
      this.collections.set(key, c);
    }
    return c;
  }

  get(key: string, name: string, namespace?: string): KObject | undefined {
    return this.collection(key).items.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Creates or replaces an object; stamps uid (on create) and resourceVersion. Objects are never mutated in place. */
  put(key: string, object: KObject): KObject {
    const c = this.collection(key);
    const k = objectKey(object);
    const existing = c.items.get(k);
    this.rv += 1;
    const stored: KObject = {
      ...object,
      metadata: {
        ...object.metadata,
        uid: object.metadata.uid ?? existing?.metadata.uid ?? randomUUID(),
        resourceVersion: String(this.rv),
      },
    };
    c.items.set(k, stored);
    c.record({ type: existing ? "MODIFIED" : "ADDED", rv: this.rv, object: stored });
    return stored;
  }

  delete(key: string, name: string, namespace?: string): boolean {
    const c = this.collection(key);
    const k = namespace ? `${namespace}/${name}` : name;
    const existing = c.items.get(k);
    if (!existing) return false;
    c.items.delete(k);
    this.rv += 1;
    c.record({
      type: "DELETED",
      rv: this.rv,
      object: { ...existing, metadata: { ...existing.metadata, resourceVersion: String(this.rv) } },
    });
    return true;
  }

  /** Forgets watch history up to now, as etcd compaction does: older versions answer 410. */
  compact() {
    for (const c of this.collections.values()) {
      c.history.length = 0;
      c.compactedRv = this.rv;
    }
  }

  count(key: string): number {
    return this.collection(key).items.size;
  }

  /** Keeps a list result for continue tokens; drops snapshots older than ttlMs. */
  saveSnapshot(snapshot: ListSnapshot, ttlMs: number): string {
    const now = Date.now();
    for (const [id, s] of this.snapshots) if (now - s.createdAt > ttlMs) this.snapshots.delete(id);
    const id = randomUUID();
    this.snapshots.set(id, snapshot);
    return id;
  }
}
