import { appRouter, createContext } from "@pullsight/api";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getDb, getReadCache, identityOf } from "~/server/caller.ts";

export const dynamic = "force-dynamic";

const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async () =>
      createContext({ db: getDb(), user: identityOf(req.headers), cache: await getReadCache() }),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error);
    },
  });

export { handler as GET, handler as POST };
