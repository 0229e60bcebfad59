// How stored objects are presented: as the group they are read through (core/v1 Events as
// events.k8s.io/v1), in full, as metadata only or as a Table, and list items serialised once.
import { groupVersion, type ResourceDef } from "./resources.ts";
import type { KObject } from "./store.ts";

/** core/v1 Event → events.k8s.io/v1 Event. */
interface CoreEvent {
  eventTime?: string | null;
  reportingComponent?: string;
  reportingInstance?: string;
  source?: { component?: string; host?: string };
  action?: string;
  reason?: string;
  involvedObject?: unknown;
  message?: string;
  type?: string;
  firstTimestamp?: string;
  lastTimestamp?: string;
  count?: number;
}

function toEventsV1(e: KObject): KObject {
  const x = e as KObject & CoreEvent;
  return {
    apiVersion: "events.k8s.io/v1",
    kind: "Event",
    metadata: e.metadata,
    eventTime: x.eventTime ?? null,
    reportingController: x.reportingComponent || x.source?.component || "",
    reportingInstance: x.reportingInstance || x.source?.host || "",
    action: x.action ?? "",
    reason: x.reason,
    regarding: x.involvedObject,
    note: x.message,
    type: x.type,
    deprecatedSource: x.source,
    deprecatedFirstTimestamp: x.firstTimestamp,
    deprecatedLastTimestamp: x.lastTimestamp,
    deprecatedCount: x.count,
    ...((x.count ?? 1) > 1
      ? {
          series: { count: x.count, lastObservedTime: `${String(x.lastTimestamp).replace("Z", "")}.000000Z` },
        }
      : {}),
  };
}

export type View = "full" | "metadata" | "table";

export function viewOf(accept: string, list: boolean): View {
  if (accept.includes(`as=${list ? "PartialObjectMetadataList" : "PartialObjectMetadata"}`))
    return "metadata";
  if (accept.includes("as=Table")) return "table";
  return "full";
}

export function present(def: ResourceDef, o: KObject, view: View, inList: boolean): KObject {
  const obj = def.group === "events.k8s.io" ? toEventsV1(o) : o;
  if (view === "metadata")
    return { apiVersion: "meta.k8s.io/v1", kind: "PartialObjectMetadata", metadata: obj.metadata };
  if (inList) {
    const { apiVersion: _a, kind: _k, ...rest } = obj;
    return rest as KObject;
  }
  return { ...obj, apiVersion: groupVersion(def), kind: def.kind };
}

// Stored objects are never mutated (every write replaces them), so a list item's JSON can be
// cached by identity: pages are assembled from strings instead of serialised again each time.
const itemJsonCache = new WeakMap<KObject, string>();
const eventsV1JsonCache = new WeakMap<KObject, string>();

export function listItemJson(def: ResourceDef, o: KObject): string {
  const cache = def.group === "events.k8s.io" ? eventsV1JsonCache : itemJsonCache;
  let json = cache.get(o);
  if (json === undefined) {
    json = JSON.stringify(present(def, o, "full", true));
    cache.set(o, json);
  }
  return json;
}

export function table(items: KObject[], meta: Record<string, unknown>) {
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: meta,
    columnDefinitions: [
      { name: "Name", type: "string", format: "name", description: "Name of the object", priority: 0 },
      { name: "Created At", type: "date", description: "When the object was created", priority: 0 },
    ],
    rows: items.map((o) => ({
      cells: [o.metadata.name, o.metadata.creationTimestamp ?? ""],
      object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata },
    })),
  };
}
