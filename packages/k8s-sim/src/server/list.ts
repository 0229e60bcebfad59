// Lists with the semantics clients depend on: limit and continue over a consistent snapshot,
// continue tokens that expire (410 with a fresh token, as the API server answers), and views.
import { type Exchange, send } from "./exchange.ts";
import { listItemJson, present, table, viewOf } from "./presentation.ts";
import { groupVersion, type ResourceDef } from "./resources.ts";
import { badRequest, expiredContinue } from "./status.ts";
import type { ClusterStore, KObject } from "./store.ts";

export interface ListContext {
  store: ClusterStore;
  faults: { expireContinue: boolean };
  continueTtlMs: number;
}

export function list(
  x: Exchange,
  ctx: ListContext,
  def: ResourceDef,
  key: string,
  matches: (o: KObject) => boolean,
  url: URL,
  accept: string,
) {
  const { store } = ctx;
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
      return x.fail(badRequest("continue key is not valid: illegal base64 data"));
    }
    const snap = store.snapshots.get(token.id);
    if (ctx.faults.expireContinue || !snap || Date.now() - snap.createdAt > ctx.continueTtlMs) {
      store.snapshots.delete(token.id);
      // Like the API server: a token to continue from the current state, inconsistently.
      const fresh = store.collection(key).list().filter(matches);
      const id = store.saveSnapshot(
        { rv: store.resourceVersion, items: fresh, createdAt: Date.now() },
        ctx.continueTtlMs,
      );
      const next = Buffer.from(
        JSON.stringify({ v: "meta.k8s.io/v1", rv: store.resourceVersion, start: token.start, id }),
      ).toString("base64url");
      return x.fail(expiredContinue(next));
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
    const id = snapshotId ?? store.saveSnapshot({ rv, items, createdAt: Date.now() }, ctx.continueTtlMs);
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
    send(x.res, 200, table(page, meta));
    return x.log(200);
  }
  const body = {
    kind: "PartialObjectMetadataList",
    apiVersion: "meta.k8s.io/v1",
    metadata: meta,
    items: page.map((o) => present(def, o, "metadata", true)),
  };
  if (view === "metadata") send(x.res, 200, body);
  else {
    const text = `{"kind":${JSON.stringify(`${def.kind}List`)},"apiVersion":${JSON.stringify(groupVersion(def))},"metadata":${JSON.stringify(meta)},"items":[${page.map((o) => listItemJson(def, o)).join(",")}]}`;
    x.res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    x.res.end(text);
  }
  x.log(200);
}
