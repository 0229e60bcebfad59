// The tRPC API over HTTP (fetch Request in, Response out): what the web app's /api/trpc route
// serves, and what the benchmark loads. With a read cache, a GET's whole answer — status, headers
// and body text — is kept under the same rules as the procedures' answers (read-cache.ts: until a
// change commits, per user): a dashboard's large answers (a year of daily trend points is ~200 kB)
// are then sent as they are instead of being serialized again for every asker, which was a third
// of the API's CPU at 1,000 answers/s (bench figure 3).
import type { Db } from "@pullsight/db";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import type { Identity } from "./identity.ts";
import type { ReadCache } from "./read-cache.ts";
import { appRouter } from "./root.ts";
import { createContext } from "./trpc.ts";

export interface TrpcHttpOptions {
  endpoint: string;
  db: Db;
  user: Identity | null;
  cache: ReadCache | null;
  onError?: Parameters<typeof fetchRequestHandler>[0]["onError"];
}

interface KeptResponse {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

export async function handleTrpcRequest(req: Request, opts: TrpcHttpOptions): Promise<Response> {
  const respond = () =>
    fetchRequestHandler({
      endpoint: opts.endpoint,
      req,
      router: appRouter,
      createContext: () => createContext({ db: opts.db, user: opts.user, cache: opts.cache }),
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
  );
  return new Response(kept.body, { status: kept.status, headers: kept.headers });
}
