// The tRPC API over HTTP (fetch Request in, Response out): what the web app's /api/trpc route
// serves, and what the benchmark loads. With a read cache, a GET's whole answer — status, headers
// and body text — is kept under the same rules as the procedures' answers (read-cache.ts: until a
// change commits, per user): a dashboard's large answers (a year of daily trend points) are then
// sent as they are instead of being serialized again for every asker, which was a large share of
// the API's CPU under load (bench figure 3).
import type { Db, Table } from "@pullsight/db";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import type { Identity } from "./identity.ts";
import { checkJsonText, DEFAULT_LIMITS, type RequestLimits, RequestRefused } from "./limits.ts";
import type { ReadCache } from "./read-cache.ts";
import { appRouter } from "./root.ts";
import { createContext, type Meta } from "./trpc.ts";

export interface TrpcHttpOptions {
  endpoint: string;
  db: Db;
  user: Identity | null;
  cache: ReadCache | null;
  /** Body size, URL length, batch length and nesting depth (limits.ts); the defaults if absent. */
  limits?: RequestLimits;
  onError?: Parameters<typeof fetchRequestHandler>[0]["onError"];
}

interface KeptResponse {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

export async function handleTrpcRequest(req: Request, opts: TrpcHttpOptions): Promise<Response> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  let checked: Request;
  try {
    checked = await withinLimits(req, opts.endpoint, limits);
  } catch (e) {
    if (e instanceof RequestRefused) return refused(e);
    throw e;
  }
  const respond = () =>
    fetchRequestHandler({
      endpoint: opts.endpoint,
      req: checked,
      router: appRouter,
      createContext: () => createContext({ db: opts.db, user: opts.user, cache: opts.cache, limits }),
      ...(opts.onError ? { onError: opts.onError } : {}),
    });
  const cache = opts.cache;
  if (!cache || req.method !== "GET") return respond();
  const key = superjson.stringify(["http", opts.user?.name, opts.user?.role, req.url]);
  const kept = await cache.read<KeptResponse>(
    key,
    async () => {
      const res = await respond();
      return { status: res.status, headers: [...res.headers], body: await res.text() };
    },
    (r) => r.status === 200,
    readsOfPaths(req.url, opts.endpoint),
  );
  return new Response(kept.body, { status: kept.status, headers: kept.headers });
}

/** The procedures a tRPC URL names: one, or a batch's, separated by commas. */
function procedurePaths(url: URL, endpoint: string): string[] {
  return url.pathname.slice(url.pathname.indexOf(endpoint) + endpoint.length + 1).split(/,|%2c/i);
}

/** The tables a request's procedures read (a batch: all of theirs); null if one does not say. */
function readsOfPaths(url: string, endpoint: string): Table[] | null {
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Meta } }>;
  const reads = new Set<Table>();
  for (const path of procedurePaths(new URL(url), endpoint)) {
    const declared = procedures[path]?._def.meta?.reads;
    if (!declared) return null;
    for (const t of declared) reads.add(t);
  }
  return [...reads].sort();
}

/**
 * The request if it is within the limits (a POST's body read, bounded, into a new one), else a
 * RequestRefused: before tRPC parses anything, so a deep or huge input never reaches a parser.
 */
async function withinLimits(req: Request, endpoint: string, limits: RequestLimits): Promise<Request> {
  if (req.url.length > limits.urlChars)
    throw new RequestRefused(414, `the URL is longer than ${limits.urlChars} characters`);
  const url = new URL(req.url);
  if (procedurePaths(url, endpoint).length > limits.batch)
    throw new RequestRefused(400, `a batch may hold at most ${limits.batch} calls`);
  const input = url.searchParams.get("input");
  if (input) checkJsonText(input, limits, "the input");
  if (req.method !== "POST") return req;
  const body = await boundedText(req, limits.bodyBytes);
  checkJsonText(body, limits, "the body");
  return new Request(req.url, { method: req.method, headers: req.headers, body });
}

async function boundedText(req: Request, max: number): Promise<string> {
  const tooLarge = () => new RequestRefused(413, `the body is larger than ${max} bytes`);
  if (Number(req.headers.get("content-length") ?? 0) > max) throw tooLarge();
  if (!req.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A refusal in tRPC's error shape (superjson-wrapped), so a tRPC client reads its message. */
function refused(e: RequestRefused): Response {
  const code = e.status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST";
  const error = { message: e.message, code: -32600, data: { code, httpStatus: e.status } };
  return Response.json(
    { error: { json: error } },
    { status: e.status, headers: { "cache-control": "no-store" } },
  );
}
