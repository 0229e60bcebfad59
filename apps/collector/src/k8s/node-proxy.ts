// What the opt-in `get nodes/proxy` permission reads from each node's kubelet through the API
// server: its configuration (configz) and its /metrics page. Eight nodes at a time; the nodes that
// failed become one failure of the read (with a count) and are absent from the result.
import { type KubeletPullMetrics, kubeletPullMetricsOf } from "@pullsight/core";
import { type ClusterClient, RequestFailure, withRetries } from "./client.ts";
import type { KindFailure, RawObject, ReadOptions } from "./reader.ts";

export interface NodeProxyRead {
  client: ClusterClient;
  nodes: readonly RawObject[];
  o: Required<Pick<ReadOptions, "requestTimeoutMs" | "retries">> & ReadOptions;
  deadline: number;
  failures: KindFailure[];
  count: () => void;
}

const asFailure = (e: unknown, path: string) =>
  e instanceof RequestFailure
    ? e
    : new RequestFailure(e instanceof Error ? e.message : String(e), null, "Unknown", path);

async function readEachNode<T>(
  r: NodeProxyRead,
  kind: KindFailure["kind"],
  endpoint: string,
  fetch: (path: string) => Promise<T>,
): Promise<Array<{ node: string; value: T }>> {
  const out: Array<{ node: string; value: T }> = [];
  const failed: RequestFailure[] = [];
  const queue = r.nodes.map((n) => n.metadata.name);
  const worker = async () => {
    for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
      const path = `/api/v1/nodes/${encodeURIComponent(node)}/proxy/${endpoint}`;
      try {
        const value = await withRetries(() => fetch(path), r.o.retries, r.deadline, r.o.signal);
        r.count();
        out.push({ node, value });
      } catch (e) {
        failed.push(asFailure(e, path));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, r.nodes.length) }, worker));
  const first = failed[0];
  if (first)
    r.failures.push({
      kind,
      path: first.path,
      status: first.status,
      reason: first.reason,
      message: `${failed.length} of ${r.nodes.length} nodes: ${first.message}`,
    });
  return out.sort((a, b) => a.node.localeCompare(b.node));
}

/** Each node's kubelet configuration (configz). */
export async function readKubeletConfigs(r: NodeProxyRead) {
  const read = await readEachNode(r, "kubeletconfig", "configz", async (path) => {
    const body = await r.client.getJson<{ kubeletconfig?: Record<string, unknown> }>(path, {
      timeoutMs: r.o.requestTimeoutMs,
    });
    if (!body.kubeletconfig || typeof body.kubeletconfig !== "object")
      throw new RequestFailure("configz answered without a kubeletconfig object", 200, "Malformed", path);
    return body.kubeletconfig;
  });
  return read.map(({ node, value }) => ({ node, config: value }));
}

/** Each node's kubelet /metrics, reduced to what it says of image pulls (core kubelet-metrics.ts). */
export async function readKubeletMetrics(r: NodeProxyRead) {
  const read = await readEachNode(
    r,
    "kubeletmetrics",
    "metrics",
    async (path): Promise<KubeletPullMetrics> => {
      const res = await r.client.get(path, { accept: "text/plain", timeoutMs: r.o.requestTimeoutMs });
      if (res.status >= 400) {
        let reason = `HTTP${res.status}`;
        try {
          reason = (JSON.parse(res.body) as { reason?: string }).reason ?? reason;
        } catch {
          // not a Status object: the status code says it
        }
        throw new RequestFailure(`GET ${path}: ${res.status} ${reason}`, res.status, reason, path);
      }
      try {
        return kubeletPullMetricsOf(res.body);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new RequestFailure(
          `GET ${path}: not the Prometheus text format (${why})`,
          200,
          "Malformed",
          path,
        );
      }
    },
  );
  return read.map(({ node, value }) => ({ node, metrics: value }));
}
