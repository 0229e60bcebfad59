import { handleTrpcRequest } from "@pullsight/api";
import { getDb, getReadCache, identityOf, limits } from "~/server/caller.ts";

export const dynamic = "force-dynamic";

const handler = async (req: Request) =>
  handleTrpcRequest(req, {
    endpoint: "/api/trpc",
    db: getDb(),
    user: identityOf(req.headers),
    cache: await getReadCache(),
    limits: limits().request,
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error);
    },
  });

export { handler as GET, handler as POST };
