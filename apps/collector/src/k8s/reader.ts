// Reads every kind of a snapshot: paginated lists, a deadline per request, a budget per cluster,
// retries with backoff for transient errors, a restarted list after an expired continue token.
// Failures become data: each failed kind is reported with its reason, status and path.

import type { KubeletPullMetrics } from "@pullsight/core";
import { type ClusterClient, RequestFailure, withRetries } from "./client.ts";
import { KINDS, type KindDef, type KindKey, METADATA_LIST } from "./kinds.ts";
import type { ClusterMirror } from "./mirror.ts";
import { readKubeletConfigs, readKubeletMetrics } from "./node-proxy.ts";
import { projectMetadataOnly, projectObject, projectWithAnnotations } from "./project.ts";

export interface KindFailure {
  /** A kind, or the opt-in reads through the node proxy: kubelet configuration, kubelet metrics. */
  kind: KindKey | "kubeletconfig" | "kubeletmetrics";
  path: string;
  status: number | null;
  reason: string;
  message: string;
}

export type RawObject = Record<string, unknown> & {
  metadata: { name: string; namespace?: string; uid?: string; [k: string]: unknown };
};

export interface RawSnapshot {
  cluster: string;
  server: string;
  gitVersion: string | null;
  startedAt: Date;
  finishedAt: Date;
  objects: Partial<Record<KindKey, readonly RawObject[]>>;
  /** Kinds taken from the cluster's mirror (kept current by watches) instead of listed. */
  mirrored?: KindKey[];
  failures: KindFailure[];
  requests: number;
  /** Wall-clock milliseconds the reading took (the timestamps may come from a simulated clock). */
  readMs: number;
  /** Per node, the kubelet's configuration (only with `kubeletConfig`; nodes that failed are absent). */
  kubelet?: Array<{ node: string; config: Record<string, unknown> }>;
  /** Per node, what its kubelet's /metrics says of image pulls (only with `kubeletMetrics`). */
  kubeletMetrics?: Array<{ node: string; metrics: KubeletPullMetrics }>;
}

/** Items per list request unless ReadOptions.pageSize says otherwise. */
export const PAGE_SIZE = 500;

export interface ReadOptions {
  pageSize?: number;
  requestTimeoutMs?: number;
  /** Time budget for the whole cluster. */
  budgetMs?: number;
  retries?: number;
  /** Skip Secrets entirely (no secret permission needed; missing-secret checks become unknown). */
  skipSecrets?: boolean;
  signal?: AbortSignal;
  onProgress?: (kind: KindKey, items: number) => void;
  /**
   * Opt-in: read each node's kubelet configuration through `nodes/{name}/proxy/configz`. Needs
   * `get` on `nodes/proxy`, which also lets its holder reach the kubelet API: grant it knowingly.
   */
  kubeletConfig?: boolean;
  /** Opt-in: read each node's kubelet /metrics through `nodes/{name}/proxy/metrics` (the same permission). */
  kubeletMetrics?: boolean;
  /** The clock snapshot times are stamped with (default: wall time; backfills use the cluster's). */
  now?: () => Date;
  /** Kinds it vouches for are taken from it; every kind listed seeds it (k8s/mirror.ts). */
  mirror?: ClusterMirror;
}

interface ListPage {
  metadata?: { continue?: string; resourceVersion?: string };
  items?: RawObject[];
}

async function listKind(
  client: ClusterClient,
  kind: KindDef,
  o: Required<Pick<ReadOptions, "pageSize" | "requestTimeoutMs" | "retries">> & ReadOptions,
  deadline: number,
  count: () => void,
  onResourceVersion?: (rv: string) => void,
  /** What is kept of each item while paging (the rest of the page is dropped with it). */
  project?: (o: RawObject) => RawObject,
) {
  const items: RawObject[] = [];
  let restarted = false;
  let token: string | undefined;
  for (;;) {
    const q = new URLSearchParams({ limit: String(o.pageSize) });
    if (token) q.set("continue", token);
    const path = `${kind.path}?${q}`;
    const remaining = deadline - Date.now();
    if (remaining <= 0)
      throw new RequestFailure(
        `GET ${path}: the cluster's time budget ran out`,
        null,
        "BudgetExceeded",
        path,
      );
    try {
      const page = await withRetries(
        () => {
          count();
          return client.getJson<ListPage>(path, {
            accept: kind.metadataOnly ? METADATA_LIST : "application/json",
            timeoutMs: Math.min(o.requestTimeoutMs, remaining),
            ...(o.signal ? { signal: o.signal } : {}),
          });
        },
        o.retries,
        deadline,
        o.signal,
      );
      if (!Array.isArray(page.items))
        throw new RequestFailure(
          `GET ${path}: the response has no items array`,
          200,
          "MalformedResponse",
          path,
        );
      items.push(...(project ? page.items.map(project) : page.items));
      if (!token && page.metadata?.resourceVersion) onResourceVersion?.(page.metadata.resourceVersion);
      token = page.metadata?.continue || undefined;
      if (!token) return items;
    } catch (e) {
      // An expired continue token: the pages so far are no longer consistent with what follows,
      // so the whole list starts over, once. (A plain `continue` in a do-while would end the loop
      // with an empty list: a silently partial answer.)
      if (e instanceof RequestFailure && e.status === 410 && token && !restarted) {
        restarted = true;
        items.length = 0;
        token = undefined;
        continue;
      }
      throw e;
    }
  }
}

/** Lists any path completely (pagination, retries, one restart after an expired continue token). */
export async function listAll(
  client: ClusterClient,
  path: string,
  opts: ReadOptions = {},
): Promise<{ items: RawObject[]; resourceVersion: string | null }> {
  const o = { pageSize: PAGE_SIZE, requestTimeoutMs: 30_000, budgetMs: 300_000, retries: 3, ...opts };
  let resourceVersion: string | null = null;
  const items = await listKind(
    client,
    { key: "pods", path },
    o,
    Date.now() + o.budgetMs,
    () => {},
    (rv: string) => {
      resourceVersion = rv;
    },
  );
  return { items, resourceVersion };
}

const projectionOf = (kind: KindDef) =>
  kind.metadataOnly ? projectMetadataOnly : kind.annotations ? projectWithAnnotations : projectObject;

/** Reads one cluster. Never throws for cluster trouble: failures are in the result. */
export async function readCluster(client: ClusterClient, opts: ReadOptions = {}): Promise<RawSnapshot> {
  const o = { pageSize: PAGE_SIZE, requestTimeoutMs: 30_000, budgetMs: 300_000, retries: 3, ...opts };
  const now = o.now ?? (() => new Date());
  const startedAt = now();
  const wallStart = performance.now();
  const deadline = Date.now() + o.budgetMs;
  const objects: RawSnapshot["objects"] = {};
  const failures: KindFailure[] = [];
  const mirrored: KindKey[] = [];
  let requests = 0;
  let gitVersion: string | null = null;
  let kubelet: RawSnapshot["kubelet"];
  let kubeletMetrics: RawSnapshot["kubeletMetrics"];
  const result = (): RawSnapshot => ({
    cluster: client.name,
    server: client.server,
    gitVersion,
    startedAt,
    finishedAt: now(),
    objects,
    ...(mirrored.length ? { mirrored } : {}),
    failures,
    requests,
    readMs: Math.round(performance.now() - wallStart),
    ...(kubelet ? { kubelet } : {}),
    ...(kubeletMetrics ? { kubeletMetrics } : {}),
  });
  try {
    gitVersion =
      (
        await withRetries(
          () => client.getJson<{ gitVersion?: string }>("/version", { timeoutMs: o.requestTimeoutMs }),
          o.retries,
          deadline,
          o.signal,
        )
      ).gitVersion ?? null;
    requests++;
  } catch (e) {
    const f = e instanceof RequestFailure ? e : new RequestFailure(String(e), null, "Unknown", "/version");
    // Unreachable: every kind fails the same way; say so once per kind so nothing looks read.
    if (f.status === null) {
      for (const kind of KINDS)
        failures.push({
          kind: kind.key,
          path: kind.path,
          status: null,
          reason: f.reason,
          message: f.message,
        });
      return result();
    }
  }
  // Kinds are read one after another: gentle on the API server, and pods (the big one) get the
  // connection to themselves.
  for (const kind of KINDS) {
    if (kind.key === "secrets" && o.skipSecrets) continue;
    const kept = o.mirror?.current(kind.key);
    if (kept) {
      objects[kind.key] = kept;
      mirrored.push(kind.key);
      o.onProgress?.(kind.key, kept.length);
      continue;
    }
    try {
      // Only what facts read is kept of a snapshot's objects (project.ts).
      const project = projectionOf(kind);
      let listedAt: string | undefined;
      const items = await listKind(
        client,
        kind,
        o,
        deadline,
        () => requests++,
        (rv) => {
          listedAt = rv;
        },
        project,
      );
      objects[kind.key] = items;
      if (o.mirror && listedAt) o.mirror.seed(kind, project, items, listedAt);
      o.onProgress?.(kind.key, objects[kind.key]?.length ?? 0);
    } catch (e) {
      const f =
        e instanceof RequestFailure
          ? e
          : new RequestFailure(e instanceof Error ? e.message : String(e), null, "Unknown", kind.path);
      failures.push({ kind: kind.key, path: f.path, status: f.status, reason: f.reason, message: f.message });
    }
  }
  const proxy = { client, nodes: objects.nodes ?? [], o, deadline, failures, count: () => requests++ };
  if (o.kubeletConfig && objects.nodes) {
    kubelet = await readKubeletConfigs(proxy);
    o.onProgress?.("nodes", kubelet.length);
  }
  if (o.kubeletMetrics && objects.nodes) kubeletMetrics = await readKubeletMetrics(proxy);
  return result();
}
