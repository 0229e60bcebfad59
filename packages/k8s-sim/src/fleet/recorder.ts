// The kubelet's event recorder as the API server sees it: repeats of a warning are aggregated
// into one event (count, lastTimestamp), events expire after the TTL, and every event ever
// emitted is kept (up to a bound) as ground truth.
import type { ClusterStore } from "../server/store.ts";
import type { EmittedEvent, SimContainer, SimNode, SimPod } from "./model.ts";
import { iso } from "./objects.ts";
import type { Random } from "./random.ts";

export interface EventSource {
  pod: SimPod;
  node: SimNode;
  container: SimContainer;
}

export class EventRecorder {
  /** The newest `maxTruthEvents` events emitted, oldest first; totals stay exact beyond that. */
  readonly emitted: EmittedEvent[] = [];
  /** Events the API server still holds, by uid. */
  readonly live = new Map<string, EmittedEvent>();
  private readonly aggregate = new Map<string, EmittedEvent>();
  private seq = 0;
  total = 0;
  readonly byReason: Record<string, number> = {};

  constructor(
    private readonly store: ClusterStore,
    private readonly rng: Random,
    private readonly clock: () => number,
    readonly ttl: number,
    private readonly maxTruthEvents: number,
  ) {}

  /** Records a kubelet event, aggregating repeats the way the recorder does when `aggregate`. */
  emit(
    src: EventSource,
    event: { reason: string; type: "Normal" | "Warning"; message: string; at: number; pullNs: number | null },
    aggregate: boolean,
  ) {
    const { pod: p } = src;
    const { reason, at } = event;
    const aggKey = `${p.namespace}/${p.name}/${src.container.name}/${reason}/${event.message}`;
    if (aggregate) {
      const prev = this.aggregate.get(aggKey);
      if (prev && this.live.has(prev.uid)) {
        prev.count += 1;
        prev.lastTimestamp = at;
        this.write(prev, src);
        return;
      }
    }
    const e: EmittedEvent = {
      uid: this.rng.uuid(),
      name: `${p.name}.${(at * 1000 + (this.seq++ % 1000)).toString(16)}`,
      namespace: p.namespace,
      pod: p.name,
      container: src.container.name,
      reason,
      type: event.type,
      message: event.message,
      count: 1,
      firstTimestamp: at,
      lastTimestamp: at,
      pullNs: event.pullNs,
    };
    this.emitted.push(e);
    this.total += 1;
    this.byReason[reason] = (this.byReason[reason] ?? 0) + 1;
    if (this.emitted.length > this.maxTruthEvents * 1.1)
      this.emitted.splice(0, this.emitted.length - this.maxTruthEvents);
    this.live.set(e.uid, e);
    if (aggregate) this.aggregate.set(aggKey, e);
    this.write(e, src);
  }

  private write(e: EmittedEvent, { pod: p, node, container: c }: EventSource) {
    // Events that already expired (generation writes history) are kept for truth only.
    if (e.lastTimestamp <= this.clock() - this.ttl) return;
    this.store.put("events", {
      apiVersion: "v1",
      kind: "Event",
      metadata: {
        name: e.name,
        namespace: e.namespace,
        uid: e.uid,
        creationTimestamp: iso(e.firstTimestamp),
      },
      involvedObject: {
        kind: "Pod",
        namespace: p.namespace,
        name: p.name,
        uid: p.uid,
        apiVersion: "v1",
        fieldPath: `spec.${c.type === "init" ? "initContainers" : "containers"}{${c.name}}`,
      },
      reason: e.reason,
      message: e.message,
      source: { component: "kubelet", host: node.name },
      firstTimestamp: iso(e.firstTimestamp),
      lastTimestamp: iso(e.lastTimestamp),
      count: e.count,
      type: e.type,
      eventTime: null,
      reportingComponent: "kubelet",
      reportingInstance: node.name,
    });
  }

  /** Drops what the API server's TTL has expired. */
  expire() {
    const cutoff = this.clock() - this.ttl;
    for (const [uid, e] of this.live) {
      if (e.lastTimestamp <= cutoff) {
        this.live.delete(uid);
        this.store.delete("events", e.name, e.namespace);
      }
    }
  }
}
