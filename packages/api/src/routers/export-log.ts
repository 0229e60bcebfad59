import { exportLogEntry, listExportLog } from "@pullsight/db";
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
    .output(z.array(exportLogEntry))
    .query(({ ctx, input }) => listExportLog(ctx.db, input?.limit)),
});
