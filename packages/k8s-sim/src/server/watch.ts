// Watches as the API server streams them: from a resourceVersion (410 when compacted past it) or
// with the current objects first, bookmarks, server-side timeouts, and connections that drop
// mid-stream when the fault is on.
import type { Exchange } from "./exchange.ts";
import { present, viewOf } from "./presentation.ts";
import { groupVersion, type ResourceDef } from "./resources.ts";
import { tooOldResourceVersion } from "./status.ts";
import type { ClusterStore, KObject, WatchEvent } from "./store.ts";

export interface WatchContext {
  store: ClusterStore;
  faults: { dropWatchesAfter: number | null };
  bookmarkIntervalMs: number;
}

export function watch(
  x: Exchange,
  ctx: WatchContext,
  def: ResourceDef,
  key: string,
  matches: (o: KObject) => boolean,
  url: URL,
) {
  const { req, res } = x;
  const { store, faults } = ctx;
  const c = store.collection(key);
  const rvParam = url.searchParams.get("resourceVersion");
  const bookmarks = url.searchParams.get("allowWatchBookmarks") === "true";
  const timeout = Number(url.searchParams.get("timeoutSeconds") ?? 0);
  // As PartialObjectMetadata when asked (a Secret's watch then never carries its data).
  const view = viewOf(String(req.headers.accept ?? ""), false) === "metadata" ? "metadata" : "full";
  x.log(200);
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
    if (matches(e.object)) write(e.type, present(def, e.object, view, false));
  };
  req.on("close", close);
  const bookmarkTimer = setInterval(() => {
    if (bookmarks)
      write("BOOKMARK", {
        kind: def.kind,
        apiVersion: groupVersion(def),
        metadata: { resourceVersion: String(store.resourceVersion) },
      });
  }, ctx.bookmarkIntervalMs);
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
    for (const o of c.list()) if (matches(o)) write("ADDED", present(def, o, view, false));
  }
  if (!closed) c.watchers.add(onEvent);
}
