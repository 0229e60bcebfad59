import { z } from "zod";
import { ROLES } from "../identity.ts";
import { publicProcedure, router } from "../trpc.ts";

export const identityRouter = router({
  /** Who is asking, and their role. */
  me: publicProcedure
    .meta({ reads: [] })
    .output(z.object({ name: z.string(), role: z.enum(ROLES), source: z.enum(["proxy", "demo"]) }))
    .query(({ ctx }) => ctx.user),
});
