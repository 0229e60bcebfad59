// The Kubernetes API of one simulated cluster: discovery, list/get/watch with the semantics
// clients depend on, bearer-token auth, per-token permissions and injectable faults.
import type { IncomingMessage, ServerResponse } from "node:http";
import { findResource, groupVersion, RESOURCES, type ResourceDef, storeKey } from "./resources.ts";
import { parseFieldSelector, parseLabelSelector, SelectorError } from "./selectors.ts";
import {
  badRequest,
  expiredContinue,
  forbidden,
  internalError,
  methodNotAllowed,
  notFound,
  type Status,
  status,
  tooOldResourceVersion,
  unauthorized,
} from "./status.ts";
import type { ClusterStore, KObject, WatchEvent } from "./store.ts";

export interface TokenGrant {
  user: string;
  /** Resources (plural, e.g. "secrets" or "apps/deployments") this token may not read. */
  forbidden: Set<string>;
}

/** Faults a test or the control API can switch on for one cluster. */
export interface Faults {
  /** Connections are refused (the listener is closed). */
  unreachable: boolean;
  /** Added to every response. */
  latencyMs: number;
  /** Every request answers this status (500, 503, …). */
  errorStatus: number | null;
  /** Requests for these resources answer this status: resource → code. */
  errorResources: Map<string, number>;
  /** Every token is forbidden these resources. */
  forbidResources: Set<string>;
  /** Every continue token is too old (410 Expired). */
  expireContinue: boolean;
  /** Watches end after this many events (0: at once, null: never). */
  dropWatchesAfter: number | null;
  /** Lists and gets of these resources return truncated JSON. */
  malformedResources: Set<string>;
}

export const noFaults = (): Faults => ({
  unreachable: false,
  latencyMs: 0,
  errorStatus: null,
  errorResources: new Map(),
  forbidResources: new Set(),
  expireContinue: false,
  dropWatchesAfter: null,
  malformedResources: new Set(),
});

export interface RequestRecord {
  at: number;
  method: string;
  path: string;
  accept: string;
  user: string | null;
  status: number;
  /** Time spent in the handler until the response was handed to the socket. */
  durationMs: number;
}

export interface ClusterApiOptions {
  name: string;
  gitVersion: string;
  store: ClusterStore;
  tokens: Map<string, TokenGrant>;
  faults: Faults;
  continueTtlMs: number;
  bookmarkIntervalMs: number;
  /** Request log, newest last, bounded. */
  requests: RequestRecord[];
  /** A node's kubelet configuration, served at /api/v1/nodes/{name}/proxy/configz. */
  kubeletConfig?: (node: string) => Record<string, unknown> | null;
}

const VERBS = ["get", "list", "watch"];
const MAX_LOG = 20_000;

function send(res: ServerResponse, code: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function apiResourceList(gv: string, defs: readonly ResourceDef[]) {
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: gv,
    resources: defs.map((r) => ({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    })),
  };
}

function apiGroups() {
  const groups = [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))];
  return groups.map((name) => {
    const versions = [...new Set(RESOURCES.filter((r) => r.group === name).map((r) => r.version))].map(
      (version) => ({
        groupVersion: `${name}/${version}`,
        version,
      }),
    );
    return { name, versions, preferredVersion: versions[0] };
  });
}

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

type View = "full" | "metadata" | "table";

function viewOf(accept: string, list: boolean): View {
  if (accept.includes(`as=${list ? "PartialObjectMetadataList" : "PartialObjectMetadata"}`))
    return "metadata";
  if (accept.includes("as=Table")) return "table";
  return "full";
}

function present(def: ResourceDef, o: KObject, view: View, inList: boolean): KObject {
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

function listItemJson(def: ResourceDef, o: KObject): string {
  const cache = def.group === "events.k8s.io" ? eventsV1JsonCache : itemJsonCache;
  let json = cache.get(o);
  if (json === undefined) {
    json = JSON.stringify(present(def, o, "full", true));
    cache.set(o, json);
  }
  return json;
}

function table(items: KObject[], meta: Record<string, unknown>) {
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

interface Route {
  def: ResourceDef;
  namespace?: string;
  name?: string;
}

/** Maps a path to a resource route, a discovery document, or null. */
function route(segments: string[]): Route | { discovery: unknown } | null {
  let group = "";
  let version: string;
  let rest: string[];
  if (segments[0] === "api") {
    if (segments.length === 1)
      return { discovery: { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] } };
    version = segments[1] as string;
    if (version !== "v1") return null;
    rest = segments.slice(2);
    if (rest.length === 0)
      return {
        discovery: apiResourceList(
          "v1",
          RESOURCES.filter((r) => r.group === ""),
        ),
      };
  } else if (segments[0] === "apis") {
    if (segments.length === 1)
      return { discovery: { kind: "APIGroupList", apiVersion: "v1", groups: apiGroups() } };
    group = segments[1] as string;
    const g = apiGroups().find((x) => x.name === group);
    if (!g) return null;
    if (segments.length === 2) return { discovery: { kind: "APIGroup", apiVersion: "v1", ...g } };
    version = segments[2] as string;
    rest = segments.slice(3);
    if (rest.length === 0) {
      const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
      return defs.length ? { discovery: apiResourceList(`${group}/${version}`, defs) } : null;
    }
  } else {
    return null;
  }
  // namespaces/{ns}/{resource}[/{name}] or {resource}[/{name}]
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const def = findResource(group, version, rest[2] as string);
    if (!def?.namespaced || rest.length > 4) return null;
    return { def, namespace: rest[1], name: rest[3] };
  }
  const def = findResource(group, version, rest[0] as string);
  if (!def || rest.length > 2) return null;
  if (rest.length === 2 && def.namespaced) return null;
  return { def, name: rest[1] };
}

export function createClusterHandler(opts: ClusterApiOptions) {
  const { store, faults } = opts;

  const started = new WeakMap<IncomingMessage, number>();
  function log(req: IncomingMessage, user: string | null, code: number) {
    opts.requests.push({
      at: Date.now(),
      method: req.method ?? "",
      path: req.url ?? "",
      accept: String(req.headers.accept ?? ""),
      user,
      status: code,
      durationMs: performance.now() - (started.get(req) ?? performance.now()),
    });
    if (opts.requests.length > MAX_LOG) opts.requests.splice(0, opts.requests.length - MAX_LOG);
  }

  function fail(req: IncomingMessage, res: ServerResponse, user: string | null, s: Status) {
    log(req, user, s.code);
    send(res, s.code, s);
  }

  return async function handle(req: IncomingMessage, res: ServerResponse) {
    started.set(req, performance.now());
    started.set(req, performance.now());
    const url = new URL(req.url ?? "/", "http://sim");
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (url.pathname === "/version") {
      const m = /^v(\d+)\.(\d+)/.exec(opts.gitVersion);
      log(req, null, 200);
      return send(res, 200, {
        major: m?.[1] ?? "1",
        minor: m?.[2] ?? "0",
        gitVersion: opts.gitVersion,
        gitCommit: "0000000000000000000000000000000000000000",
        gitTreeState: "clean",
        buildDate: "2026-01-01T00:00:00Z",
        goVersion: "go1.24.0",
        compiler: "gc",
        platform: "linux/amd64",
      });
    }
    const auth = String(req.headers.authorization ?? "");
    const grant = auth.startsWith("Bearer ") ? opts.tokens.get(auth.slice(7)) : undefined;
    if (!grant) return fail(req, res, null, unauthorized());
    if (req.method !== "GET") return fail(req, res, grant.user, methodNotAllowed());
    if (faults.errorStatus)
      return fail(
        req,
        res,
        grant.user,
        status(faults.errorStatus, "InternalError", `simulated ${faults.errorStatus}`),
      );

    const segments = url.pathname.split("/").filter(Boolean);
    // The kubelet's configz through the API server's node proxy (needs get on nodes/proxy).
    const configz = /^\/api\/v1\/nodes\/([^/]+)\/proxy\/configz$/.exec(url.pathname);
    if (configz?.[1] && opts.kubeletConfig) {
      if (grant.forbidden.has("nodes/proxy") || faults.forbidResources.has("nodes/proxy"))
        return fail(req, res, grant.user, forbidden(grant.user, "get", "nodes/proxy", ""));
      const config = opts.kubeletConfig(decodeURIComponent(configz[1]));
      if (!config)
        return fail(req, res, grant.user, status(404, "NotFound", `nodes "${configz[1]}" not found`));
      log(req, grant.user, 200);
      return send(res, 200, { kubeletconfig: config });
    }
    const r = route(segments);
    if (!r)
      return fail(
        req,
        res,
        grant.user,
        status(404, "NotFound", "the server could not find the requested resource"),
      );
    if ("discovery" in r) {
      log(req, grant.user, 200);
      return send(res, 200, r.discovery);
    }
    const { def } = r;
    const resourceId = def.group ? `${def.group}/${def.resource}` : def.resource;
    const isWatch = url.searchParams.get("watch") === "1" || url.searchParams.get("watch") === "true";
    const verb = r.name ? "get" : isWatch ? "watch" : "list";
    if (
      grant.forbidden.has(def.resource) ||
      grant.forbidden.has(resourceId) ||
      faults.forbidResources.has(def.resource) ||
      faults.forbidResources.has(resourceId)
    ) {
      return fail(req, res, grant.user, forbidden(grant.user, verb, def.resource, def.group, r.namespace));
    }
    const injected = faults.errorResources.get(def.resource) ?? faults.errorResources.get(resourceId);
    if (injected)
      return fail(
        req,
        res,
        grant.user,
        status(
          injected,
          injected === 503 ? "ServiceUnavailable" : "InternalError",
          `simulated ${injected} for ${def.resource}`,
        ),
      );

    const accept = String(req.headers.accept ?? "");
    const key = storeKey(def);

    if (r.name) {
      const o = store.get(key, r.name, r.namespace);
      if (!o || (def.group === "events.k8s.io" && !o))
        return fail(req, res, grant.user, notFound(def.resource, r.name, def.group));
      if (faults.malformedResources.has(def.resource)) return malformed(req, res, grant.user);
      log(req, grant.user, 200);
      return send(res, 200, present(def, o, viewOf(accept, false), false));
    }

    let matches: (o: KObject) => boolean;
    try {
      const field = parseFieldSelector(
        url.searchParams.get("fieldSelector"),
        def.kind,
        def.group === "events.k8s.io",
      );
      const label = parseLabelSelector(url.searchParams.get("labelSelector"));
      const ns = r.namespace;
      matches = (o) => (!ns || o.metadata.namespace === ns) && field(o) && label(o);
    } catch (error) {
      if (error instanceof SelectorError) return fail(req, res, grant.user, badRequest(error.message));
      throw error;
    }

    if (isWatch) return watch(req, res, grant.user, def, key, matches, url);
    if (faults.malformedResources.has(def.resource)) return malformed(req, res, grant.user);
    return list(req, res, grant.user, def, key, matches, url, accept);
  };

  function malformed(req: IncomingMessage, res: ServerResponse, user: string) {
    log(req, user, 200);
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(
      '{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"trunc',
    );
  }

  function list(
    req: IncomingMessage,
    res: ServerResponse,
    user: string,
    def: ResourceDef,
    key: string,
    matches: (o: KObject) => boolean,
    url: URL,
    accept: string,
  ) {
    const limit = Number(url.searchParams.get("limit") ?? 0);
    const cont = url.searchParams.get("continue");
    let items: KObject[];
    let rv: number;
    let offset = 0;
    let snapshotId: string | null = null;
    if (cont) {
      let token: { rv: number; start: number; id: string };
      try {
        token = JSON.parse(Buffer.from(cont, "base64url").toString("utf8"));
      } catch {
        return fail(req, res, user, badRequest("continue key is not valid: illegal base64 data"));
      }
      const snap = store.snapshots.get(token.id);
      if (faults.expireContinue || !snap || Date.now() - snap.createdAt > opts.continueTtlMs) {
        store.snapshots.delete(token.id);
        // Like the API server: a token to continue from the current state, inconsistently.
        const fresh = store.collection(key).list().filter(matches);
        const id = store.saveSnapshot(
          { rv: store.resourceVersion, items: fresh, createdAt: Date.now() },
          opts.continueTtlMs,
        );
        const next = Buffer.from(
          JSON.stringify({ v: "meta.k8s.io/v1", rv: store.resourceVersion, start: token.start, id }),
        ).toString("base64url");
        return fail(req, res, user, expiredContinue(next));
      }
      items = snap.items;
      rv = snap.rv;
      offset = token.start;
      snapshotId = token.id;
    } else {
      items = store.collection(key).list().filter(matches);
      rv = store.resourceVersion;
    }
    const end = limit > 0 ? Math.min(items.length, offset + limit) : items.length;
    const page = items.slice(offset, end);
    const meta: Record<string, unknown> = { resourceVersion: String(rv) };
    if (end < items.length) {
      const id = snapshotId ?? store.saveSnapshot({ rv, items, createdAt: Date.now() }, opts.continueTtlMs);
      meta.continue = Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv, start: end, id })).toString(
        "base64url",
      );
      meta.remainingItemCount = items.length - end;
    } else if (snapshotId) {
      store.snapshots.delete(snapshotId);
    }
    const view = viewOf(accept, true);
    // Logged after sending, so durationMs covers filtering, serialising and the write.
    if (view === "table") {
      send(res, 200, table(page, meta));
      return log(req, user, 200);
    }
    const body = {
      kind: "PartialObjectMetadataList",
      apiVersion: "meta.k8s.io/v1",
      metadata: meta,
      items: page.map((o) => present(def, o, "metadata", true)),
    };
    if (view === "metadata") send(res, 200, body);
    else {
      const text = `{"kind":${JSON.stringify(`${def.kind}List`)},"apiVersion":${JSON.stringify(groupVersion(def))},"metadata":${JSON.stringify(meta)},"items":[${page.map((o) => listItemJson(def, o)).join(",")}]}`;
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
      res.end(text);
    }
    log(req, user, 200);
  }

  function watch(
    req: IncomingMessage,
    res: ServerResponse,
    user: string,
    def: ResourceDef,
    key: string,
    matches: (o: KObject) => boolean,
    url: URL,
  ) {
    const c = store.collection(key);
    const rvParam = url.searchParams.get("resourceVersion");
    const bookmarks = url.searchParams.get("allowWatchBookmarks") === "true";
    const timeout = Number(url.searchParams.get("timeoutSeconds") ?? 0);
    log(req, user, 200);
    res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
    let sent = 0;
    let closed = false;
    // Read live: a fault switched on later also breaks the watches already open.
    const dropAfterNow = () => faults.dropWatchesAfter;
    const dropAfter = dropAfterNow();
    const close = () => {
      if (closed) return;
      closed = true;
      c.watchers.delete(onEvent);
      clearInterval(bookmarkTimer);
      clearTimeout(timeoutTimer);
      res.end();
    };
    const write = (type: string, object: unknown) => {
      if (closed) return;
      res.write(`${JSON.stringify({ type, object })}\n`);
      if (type !== "BOOKMARK" && type !== "ERROR") {
        sent += 1;
        const limit = dropAfterNow();
        if (limit !== null && sent >= limit) {
          // A connection dropped mid-stream, as a proxy or load balancer would: what was
          // written reaches the client, then the stream breaks without its final chunk.
          closed = true;
          c.watchers.delete(onEvent);
          clearInterval(bookmarkTimer);
          clearTimeout(timeoutTimer);
          const socket = res.socket;
          socket?.end();
          setTimeout(() => socket?.destroy(), 200).unref();
        }
      }
    };
    const onEvent = (e: WatchEvent) => {
      if (matches(e.object)) write(e.type, present(def, e.object, "full", false));
    };
    req.on("close", close);
    const bookmarkTimer = setInterval(() => {
      if (bookmarks)
        write("BOOKMARK", {
          kind: def.kind,
          apiVersion: groupVersion(def),
          metadata: { resourceVersion: String(store.resourceVersion) },
        });
    }, opts.bookmarkIntervalMs);
    const timeoutTimer = timeout > 0 ? setTimeout(close, timeout * 1000) : undefined;

    if (dropAfter === 0) {
      closed = true;
      clearInterval(bookmarkTimer);
      clearTimeout(timeoutTimer);
      res.socket?.destroy();
      return;
    }
    if (rvParam && rvParam !== "0") {
      const from = Number(rvParam);
      if (!Number.isFinite(from) || from < c.compactedRv) {
        write("ERROR", tooOldResourceVersion(rvParam, c.compactedRv + 1));
        return close();
      }
      for (const e of c.history) if (e.rv > from) onEvent(e);
    } else {
      for (const o of c.list()) if (matches(o)) write("ADDED", present(def, o, "full", false));
    }
    if (!closed) c.watchers.add(onEvent);
  }
}

export { internalError };
