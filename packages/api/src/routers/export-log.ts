import { z } from "zod";
import { publicProcedure, router } from "../trpc.ts";

export const exportsRouter = router({
  /** Recent CSV exports: who took what, when, how many rows, and the SHA-256 of the bytes sent. */
  log: publicProcedure
    .meta({ reads: ["ExportLog"] })
    .input(
      z
        .object({ limit: z.number().int().min(1).max(500).optional() })
        .strict()
        .optional(),
    )
    .output(
      z.array(
        z.object({
          id: z.bigint(),
          kind: z.string(),
          actor: z.string(),
          startedAt: z.date(),
          finishedAt: z.date().nullable(),
          filters: z.unknown(),
          filename: z.string(),
          rows: z.number().int(),
          bytes: z.bigint(),
          sha256: z.string().nullable(),
          completed: z.boolean(),
          error: z.string().nullable(),
        }),
      ),
    )
    .query(({ ctx, input }) =>
      ctx.db.exportLog.findMany({ orderBy: { id: "desc" }, take: input?.limit ?? 100 }),
    ),
});
