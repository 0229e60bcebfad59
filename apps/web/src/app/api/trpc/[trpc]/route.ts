import { handleTrpcRequest } from "@pullsight/api";
import { getDb, getReadCache, identityOf, limits } from "~/server/caller.ts";
import { log } from "~/server/log.ts";

export const dynamic = "force-dynamic";

const handler = async (req: Request) =>
  handleTrpcRequest(req, {
    endpoint: "/api/trpc",
    db: getDb(),
    user: identityOf(req.headers),
    cache: await getReadCache(),
    limits: limits().request,
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") log().error("procedure failed", { procedure: path, error });
    },
  });

export { handler as GET, handler as POST };
