// The Kubernetes API of one simulated cluster: discovery, list/get/watch with the semantics
// clients depend on, bearer-token auth, per-token permissions and injectable faults.
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Route, route } from "./discovery.ts";
import { type Exchange, send } from "./exchange.ts";
import { list } from "./list.ts";
import { present, viewOf } from "./presentation.ts";
import { storeKey } from "./resources.ts";
import { parseFieldSelector, parseLabelSelector, SelectorError } from "./selectors.ts";
import {
  badRequest,
  forbidden,
  internalError,
  methodNotAllowed,
  notFound,
  status,
  unauthorized,
} from "./status.ts";
import type { ClusterStore, KObject } from "./store.ts";
import { watch } from "./watch.ts";

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
  /** A node's kubelet metrics (Prometheus text), served at /api/v1/nodes/{name}/proxy/metrics. */
  kubeletMetrics?: (node: string) => string | null;
}

const MAX_LOG = 20_000;

export function createClusterHandler(opts: ClusterApiOptions) {
  const started = new WeakMap<IncomingMessage, number>();
  const exchange = (req: IncomingMessage, res: ServerResponse, user: string | null): Exchange => {
    const x: Exchange = {
      req,
      res,
      user: user ?? "",
      log: (code) => logRequest(opts.requests, req, user, code, started.get(req)),
      fail: (s) => {
        x.log(s.code);
        send(res, s.code, s);
      },
    };
    return x;
  };

  return async function handle(req: IncomingMessage, res: ServerResponse) {
    started.set(req, performance.now());
    const url = new URL(req.url ?? "/", "http://sim");
    if (opts.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, opts.faults.latencyMs));
    if (url.pathname === "/version") {
      exchange(req, res, null).log(200);
      return send(res, 200, versionInfo(opts.gitVersion));
    }
    const auth = String(req.headers.authorization ?? "");
    const grant = auth.startsWith("Bearer ") ? opts.tokens.get(auth.slice(7)) : undefined;
    if (!grant) return exchange(req, res, null).fail(unauthorized());
    const x = exchange(req, res, grant.user);
    if (req.method !== "GET") return x.fail(methodNotAllowed());
    const { errorStatus } = opts.faults;
    if (errorStatus) return x.fail(status(errorStatus, "InternalError", `simulated ${errorStatus}`));
    // The kubelet's configz through the API server's node proxy (needs get on nodes/proxy).
    const configz = /^\/api\/v1\/nodes\/([^/]+)\/proxy\/configz$/.exec(url.pathname);
    if (configz?.[1] && opts.kubeletConfig)
      return serveConfigz(x, opts, grant, decodeURIComponent(configz[1]));
    const metrics = /^\/api\/v1\/nodes\/([^/]+)\/proxy\/metrics$/.exec(url.pathname);
    if (metrics?.[1] && opts.kubeletMetrics)
      return serveKubeletMetrics(x, opts, grant, decodeURIComponent(metrics[1]));
    const r = route(url.pathname.split("/").filter(Boolean));
    if (!r) return x.fail(status(404, "NotFound", "the server could not find the requested resource"));
    if ("discovery" in r) {
      x.log(200);
      return send(res, 200, r.discovery);
    }
    return serveResource(x, opts, grant, r, url);
  };
}

function logRequest(
  requests: RequestRecord[],
  req: IncomingMessage,
  user: string | null,
  code: number,
  start?: number,
) {
  requests.push({
    at: Date.now(),
    method: req.method ?? "",
    path: req.url ?? "",
    accept: String(req.headers.accept ?? ""),
    user,
    status: code,
    durationMs: performance.now() - (start ?? performance.now()),
  });
  if (requests.length > MAX_LOG) requests.splice(0, requests.length - MAX_LOG);
}

function versionInfo(gitVersion: string) {
  const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: m?.[1] ?? "1",
    minor: m?.[2] ?? "0",
    gitVersion,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2026-01-01T00:00:00Z",
    goVersion: "go1.24.0",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

function serveConfigz(x: Exchange, opts: ClusterApiOptions, grant: TokenGrant, node: string) {
  if (grant.forbidden.has("nodes/proxy") || opts.faults.forbidResources.has("nodes/proxy"))
    return x.fail(forbidden(grant.user, "get", "nodes/proxy", ""));
  const config = opts.kubeletConfig?.(node);
  if (!config) return x.fail(status(404, "NotFound", `nodes "${node}" not found`));
  x.log(200);
  send(x.res, 200, { kubeletconfig: config });
}

/** The kubelet's /metrics through the node proxy: the same permission as configz. */
function serveKubeletMetrics(x: Exchange, opts: ClusterApiOptions, grant: TokenGrant, node: string) {
  if (grant.forbidden.has("nodes/proxy") || opts.faults.forbidResources.has("nodes/proxy"))
    return x.fail(forbidden(grant.user, "get", "nodes/proxy", ""));
  const text = opts.kubeletMetrics?.(node);
  if (text === null || text === undefined)
    return x.fail(status(404, "NotFound", `nodes "${node}" not found`));
  x.log(200);
  x.res.writeHead(200, {
    "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  x.res.end(text);
}

/** Permission, injected faults, then get, list or watch of one resource. */
function serveResource(x: Exchange, opts: ClusterApiOptions, grant: TokenGrant, r: Route, url: URL) {
  const { def } = r;
  const { faults, store } = opts;
  const resourceId = def.group ? `${def.group}/${def.resource}` : def.resource;
  const isWatch = url.searchParams.get("watch") === "1" || url.searchParams.get("watch") === "true";
  const verb = r.name ? "get" : isWatch ? "watch" : "list";
  // "secrets" forbids every verb; "secrets:watch" only that one (RBAC granting list, not watch).
  const denied = [grant.forbidden, faults.forbidResources].some(
    (s) => s.has(def.resource) || s.has(resourceId) || s.has(`${def.resource}:${verb}`),
  );
  if (denied) return x.fail(forbidden(grant.user, verb, def.resource, def.group, r.namespace));
  const injected = faults.errorResources.get(def.resource) ?? faults.errorResources.get(resourceId);
  if (injected) {
    const reason = injected === 503 ? "ServiceUnavailable" : "InternalError";
    return x.fail(status(injected, reason, `simulated ${injected} for ${def.resource}`));
  }
  const accept = String(x.req.headers.accept ?? "");
  const key = storeKey(def);
  const malformedNow = faults.malformedResources.has(def.resource);
  if (r.name) {
    const o = store.get(key, r.name, r.namespace);
    if (!o) return x.fail(notFound(def.resource, r.name, def.group));
    if (malformedNow) return malformed(x);
    x.log(200);
    return send(x.res, 200, present(def, o, viewOf(accept, false), false));
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
    if (error instanceof SelectorError) return x.fail(badRequest(error.message));
    throw error;
  }
  if (isWatch) return watch(x, opts, def, key, matches, url);
  if (malformedNow) return malformed(x);
  return list(x, opts, def, key, matches, url, accept);
}

/** A list or get whose body is cut off mid-object. */
function malformed(x: Exchange) {
  x.log(200);
  x.res.writeHead(200, { "Content-Type": "application/json" });
  x.res.end(
    '{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"trunc',
  );
}

export { internalError };
