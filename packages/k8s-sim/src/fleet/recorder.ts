// The kubelet's event recorder as the API server sees it, after client-go's correlator
// (tools/record/events_cache.go): repeats of a warning are deduplicated into one event (count,
// lastTimestamp); once a pod's events of one reason carried 10 distinct messages within 10
// minutes they are combined into one "(combined from similar events): …" event; and a token
// bucket per node and pod (burst 25, one more every 5 minutes) drops new events past it and
// delays count updates until the next one passes. Events expire after the TTL. Every event ever
// emitted is kept (up to a bound) as ground truth, with whether the API server received it.
import type { ClusterStore } from "../server/store.ts";
import type { EmittedEvent, SimContainer, SimNode, SimPod } from "./model.ts";
import { iso } from "./objects.ts";
import type { Random } from "./random.ts";

export interface EventSource {
  pod: SimPod;
  node: SimNode;
  container: SimContainer;
}

const AGGREGATE_MAX_MESSAGES = 10;
const AGGREGATE_INTERVAL_MS = 10 * 60_000;
const SPAM_BURST = 25;
const SPAM_REFILL_MS = 5 * 60_000;
export const AGGREGATED_PREFIX = "(combined from similar events): ";

export class EventRecorder {
  /** The newest `maxTruthEvents` events emitted, oldest first; totals stay exact beyond that. */
  readonly emitted: EmittedEvent[] = [];
  /** Events the API server still holds, by uid. */
  readonly live = new Map<string, EmittedEvent>();
  private readonly aggregate = new Map<string, EmittedEvent>();
  private readonly similar = new Map<string, { messages: Set<string>; last: number }>();
  private readonly spam = new Map<string, { tokens: number; at: number }>();
  private seq = 0;
  total = 0;
  /** New events the spam filter kept from the API server. */
  dropped = 0;
  readonly byReason: Record<string, number> = {};

  constructor(
    private readonly store: ClusterStore,
    private readonly rng: Random,
    private readonly clock: () => number,
    readonly ttl: number,
    private readonly maxTruthEvents: number,
  ) {}

  /**
   * Records a kubelet event; repeats are deduplicated and similar ones combined when `aggregate`.
   * Returns whether the API server received it (now or, for a repeat, the event it updates).
   */
  emit(
    src: EventSource,
    event: { reason: string; type: "Normal" | "Warning"; message: string; at: number; pullNs: number | null },
    aggregate: boolean,
    /** Load generation measures ingest: every event it emits reaches the API server. */
    filtered = true,
  ): boolean {
    const { pod: p } = src;
    const { reason, at } = event;
    const message = aggregate ? this.combine(src, event) : event.message;
    const aggregated = message !== event.message;
    const aggKey = aggregated
      ? `${p.namespace}/${p.name}/${event.type}/${reason}`
      : `${p.namespace}/${p.name}/${src.container.name}/${reason}/${message}`;
    const passes = !filtered || this.spamAllows(`${src.node.name}/${p.uid}`, at);
    if (aggregate) {
      const prev = this.aggregate.get(aggKey);
      const pending = prev && !prev.written && at - prev.lastOccurrence < this.ttl;
      if (prev && (this.live.has(prev.uid) || pending)) {
        prev.occurrences += 1;
        prev.lastOccurrence = at;
        prev.message = message;
        if (passes) this.write(prev, src);
        return prev.written;
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
      message,
      count: 0,
      occurrences: 1,
      firstTimestamp: at,
      lastTimestamp: at,
      lastOccurrence: at,
      pullNs: event.pullNs,
      written: false,
      aggregated,
    };
    this.emitted.push(e);
    this.total += 1;
    this.byReason[reason] = (this.byReason[reason] ?? 0) + 1;
    if (this.emitted.length > this.maxTruthEvents * 1.1)
      this.emitted.splice(0, this.emitted.length - this.maxTruthEvents);
    if (aggregate) this.aggregate.set(aggKey, e);
    if (passes) this.write(e, src);
    else this.dropped += 1;
    return e.written;
  }

  /** client-go's EventAggregate: the message as sent, combined once similar messages pile up. */
  private combine(src: EventSource, event: { reason: string; type: string; message: string; at: number }) {
    const key = `${src.node.name}/${src.pod.uid}/${event.type}/${event.reason}`;
    const prev = this.similar.get(key);
    const record =
      prev && event.at - prev.last <= AGGREGATE_INTERVAL_MS ? prev : { messages: new Set<string>(), last: 0 };
    record.messages.add(event.message);
    record.last = event.at;
    this.similar.set(key, record);
    if (record.messages.size < AGGREGATE_MAX_MESSAGES) return event.message;
    const first = record.messages.values().next().value as string;
    record.messages.delete(first);
    return AGGREGATED_PREFIX + event.message;
  }

  /** client-go's EventSourceObjectSpamFilter: a token bucket per source and object. */
  private spamAllows(key: string, at: number): boolean {
    const b = this.spam.get(key) ?? { tokens: SPAM_BURST, at };
    b.tokens = Math.min(SPAM_BURST, b.tokens + (at - b.at) / SPAM_REFILL_MS);
    b.at = at;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.spam.set(key, b);
    return ok;
  }

  private write(e: EmittedEvent, { pod: p, node, container: c }: EventSource) {
    e.count = e.occurrences;
    e.lastTimestamp = e.lastOccurrence;
    e.written = true;
    e.writtenAt ??= e.lastOccurrence;
    this.live.set(e.uid, e);
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
        // The kubelet pulls an image volume for the pod (its reference is the pod's): no fieldPath.
        ...(c.type === "volume"
          ? {}
          : { fieldPath: `spec.${c.type === "init" ? "initContainers" : "containers"}{${c.name}}` }),
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
