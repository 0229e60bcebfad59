// A cluster's API, reached with @kubernetes/client-node's KubeConfig (every auth method it knows:
// tokens, client certificates, exec plugins, in-cluster service accounts) but with raw requests,
// so objects arrive exactly as the API server sends them and every call has a deadline.
import http from "node:http";
import https from "node:https";
import * as k8s from "@kubernetes/client-node";

export interface ApiResponse {
  status: number;
  body: string;
}

export class RequestFailure extends Error {
  constructor(
    message: string,
    /** HTTP status, or null when no response arrived (refused, reset, timed out). */
    readonly status: number | null,
    /** Kubernetes Status reason (Forbidden, Expired…) or a network code (ECONNREFUSED, timeout). */
    readonly reason: string,
    readonly path: string,
  ) {
    super(message);
  }
  get transient(): boolean {
    return this.status === null
      ? this.reason !== "ECONNREFUSED" && this.reason !== "ENOTFOUND"
      : this.status >= 500 || this.status === 429;
  }
}

export interface ClusterClient {
  /** Cluster name (kubeconfig context or "in-cluster"). */
  name: string;
  server: string;
  kubeConfig: k8s.KubeConfig;
  get(
    path: string,
    opts?: { accept?: string; timeoutMs?: number; signal?: AbortSignal },
  ): Promise<ApiResponse>;
  getJson<T>(path: string, opts?: { accept?: string; timeoutMs?: number; signal?: AbortSignal }): Promise<T>;
  /**
   * A watch: `onLine` gets each line of the stream (one watch event's JSON) until the server ends
   * it (resolves), or it breaks, is refused, or stays silent for `idleMs` (rejects).
   */
  stream(path: string, opts: StreamOptions, onLine: (line: string) => void): Promise<void>;
}

export interface StreamOptions {
  accept?: string;
  /** No byte for this long: the connection is given up (a hung watch must not look alive). */
  idleMs: number;
  signal?: AbortSignal;
  /** Called once the server accepted the watch (HTTP 200), before any event. */
  onOpen?: () => void;
}

/** How a cluster is reached; strategies chosen by name, clusters are data. */
export type ClusterSource =
  | { kind: "kubeconfig"; path?: string; context: string }
  | { kind: "in-cluster"; name: string };

export function loadKubeConfig(source: ClusterSource): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (source.kind === "in-cluster") {
    kc.loadFromCluster();
    return kc;
  }
  if (source.path) kc.loadFromFile(source.path);
  else kc.loadFromDefault();
  kc.setCurrentContext(source.context);
  return kc;
}

/** Every context of a kubeconfig file (the default when no --context is given). */
export function kubeconfigContexts(path?: string): string[] {
  const kc = new k8s.KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc.getContexts().map((c) => c.name);
}

/** Where the clusters are, as both CLIs take it: the pod's own cluster, or kubeconfig contexts. */
export interface ClusterSelection {
  inCluster?: boolean;
  clusterName?: string;
  kubeconfig?: string;
  contexts?: readonly string[];
}

/** A client per selected cluster: every context of the kubeconfig when none is named. */
export function clusterClients(sel: ClusterSelection): ClusterClient[] {
  if (sel.inCluster) {
    const name = sel.clusterName ?? "in-cluster";
    return [createClusterClient(name, loadKubeConfig({ kind: "in-cluster", name }))];
  }
  const contexts = sel.contexts?.length ? sel.contexts : kubeconfigContexts(sel.kubeconfig);
  if (!contexts.length) throw new Error("the kubeconfig has no contexts");
  return contexts.map((context) =>
    createClusterClient(
      context,
      loadKubeConfig({ kind: "kubeconfig", ...(sel.kubeconfig ? { path: sel.kubeconfig } : {}), context }),
    ),
  );
}

export function createClusterClient(name: string, kc: k8s.KubeConfig): ClusterClient {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`context ${kc.getCurrentContext()} has no cluster`);
  const server = cluster.server.replace(/\/$/, "");
  const Agent = (server.startsWith("https:") ? https : http).Agent;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  // Watches hold their connection for minutes, one per kind: never in the lists' pool of eight.
  const watchAgent = new Agent({ keepAlive: false });

  async function requestOptions(accept: string | undefined, pool: http.Agent) {
    const options: https.RequestOptions = {
      method: "GET",
      headers: { Accept: accept ?? "application/json" },
    };
    // Credentials are applied per request (tokens rotate). The client library also sets its own
    // agent, which does not keep connections alive: a TLS handshake per request on both ends.
    // Ours does, unless the kubeconfig names a proxy, whose agent the library builds.
    await kc.applyToHTTPSOptions(options);
    if (!cluster?.proxyUrl) options.agent = pool;
    return options;
  }

  async function get(
    path: string,
    opts: { accept?: string; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<ApiResponse> {
    const url = new URL(server + path);
    const options = await requestOptions(opts.accept, agent);
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const mod = url.protocol === "https:" ? https : http;
    return new Promise<ApiResponse>((resolve, reject) => {
      const req = mod.request(url, { ...options, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", (e) => reject(networkFailure(e, path)));
      });
      req.on("error", (e) => reject(networkFailure(e, path, timeout.aborted)));
      req.end();
    });
  }

  async function stream(path: string, opts: StreamOptions, onLine: (line: string) => void) {
    const url = new URL(server + path);
    const options = await requestOptions(opts.accept, watchAgent);
    const mod = url.protocol === "https:" ? https : http;
    return new Promise<void>((resolve, reject) => {
      const req = mod.request(url, { ...options, ...(opts.signal ? { signal: opts.signal } : {}) }, (res) =>
        followWatch(res, path, opts, onLine).then(resolve, reject),
      );
      req.setTimeout(opts.idleMs, () => req.destroy(Object.assign(new Error("idle"), { code: "timeout" })));
      req.on("error", (e) => reject(networkFailure(e, path)));
      req.end();
    });
  }

  return {
    name,
    server,
    kubeConfig: kc,
    get,
    stream,
    async getJson<T>(
      path: string,
      opts: { accept?: string; timeoutMs?: number; signal?: AbortSignal } = {},
    ): Promise<T> {
      const res = await get(path, opts);
      let parsed: unknown;
      try {
        parsed = JSON.parse(res.body);
      } catch {
        throw new RequestFailure(
          `GET ${path}: the response (HTTP ${res.status}, ${res.body.length} bytes) is not valid JSON`,
          res.status >= 400 ? res.status : null,
          "MalformedResponse",
          path,
        );
      }
      if (res.status >= 400) {
        const s = parsed as { reason?: string; message?: string };
        throw new RequestFailure(
          `GET ${path}: ${res.status} ${s.reason ?? ""} ${s.message ?? ""}`.trim(),
          res.status,
          s.reason ?? `HTTP${res.status}`,
          path,
        );
      }
      return parsed as T;
    },
  };
}

/** Hands each line of a watch's response to `onLine`; resolves when the server ends it cleanly. */
function followWatch(
  res: http.IncomingMessage,
  path: string,
  opts: Pick<StreamOptions, "onOpen">,
  onLine: (line: string) => void,
): Promise<void> {
  res.setEncoding("utf8");
  let text = "";
  return new Promise<void>((resolve, reject) => {
    if (res.statusCode !== 200) {
      res.on("data", (c: string) => {
        text += c;
      });
      res.on("end", () => reject(refusal(path, res.statusCode ?? 0, text)));
      return;
    }
    opts.onOpen?.();
    res.on("data", (c: string) => {
      text += c;
      let nl = text.indexOf("\n");
      while (nl >= 0) {
        if (nl > 0) onLine(text.slice(0, nl));
        text = text.slice(nl + 1);
        nl = text.indexOf("\n");
      }
    });
    // A stream cut before its final chunk is "aborted", not "end": a break, not a close.
    const broke = () => new RequestFailure(`WATCH ${path}: the stream broke`, null, "ECONNRESET", path);
    res.on("aborted", () => reject(broke()));
    res.on("end", () => (res.complete ? resolve() : reject(broke())));
    res.on("error", (e) => reject(networkFailure(e, path)));
  });
}

/** A refused watch as a RequestFailure, with the Kubernetes Status reason when the body has one. */
function refusal(path: string, status: number, body: string): RequestFailure {
  let s: { reason?: string; message?: string } = {};
  try {
    s = JSON.parse(body) as typeof s;
  } catch {}
  return new RequestFailure(
    `WATCH ${path}: ${status} ${s.reason ?? ""} ${s.message ?? ""}`.trim(),
    status,
    s.reason ?? `HTTP${status}`,
    path,
  );
}

function networkFailure(e: Error & { code?: string }, path: string, timedOut = false): RequestFailure {
  const code =
    timedOut || e.name === "TimeoutError" || e.name === "AbortError" ? "timeout" : (e.code ?? e.name);
  return new RequestFailure(
    `GET ${path}: ${code === "timeout" ? "no answer before the deadline" : e.message}`,
    null,
    code,
    path,
  );
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });

/** Retries a request that failed transiently, with backoff, while the deadline allows. */
export async function withRetries<T>(
  fn: () => Promise<T>,
  retries: number,
  deadline: number,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const retriable =
        e instanceof RequestFailure &&
        e.transient &&
        attempt < retries &&
        Date.now() + 200 * 2 ** attempt < deadline &&
        !signal?.aborted;
      if (!retriable) throw e;
      await sleep(200 * 2 ** attempt, signal);
    }
  }
}
