import { RULE_INPUTS, RULE_LEVELS, RULES, RULES_VERSION } from "@pullsight/core";
import { z } from "zod";
import { ROLES } from "../identity.ts";
import { publicProcedure, router } from "../trpc.ts";

const level = z.enum(RULE_LEVELS);

export const metaRouter = router({
  /** Who is asking, and their role. */
  me: publicProcedure
    .meta({ reads: [] })
    .output(z.object({ name: z.string(), role: z.enum(ROLES), source: z.enum(["proxy", "demo"]) }))
    .query(({ ctx }) => ctx.user),

  /** The rule catalogue, as packages/core defines it. */
  rules: publicProcedure
    .meta({ reads: [] })
    .output(
      z.object({
        version: z.string(),
        rules: z.array(
          z.object({
            id: z.string(),
            slug: z.string(),
            title: z.string(),
            category: z.string(),
            why: z.string(),
            fix: z.string(),
            fixYaml: z.string(),
            references: z.array(z.object({ title: z.string(), url: z.string() })),
            defaults: z.object({ production: level, development: level }),
            severityWhy: z.string(),
            needsRuntime: z.boolean(),
            inputs: z.array(z.enum(RULE_INPUTS)),
            quietWhen: z.array(z.string()).optional(),
            grouped: z.boolean().optional(),
          }),
        ),
      }),
    )
    .query(() => ({
      version: RULES_VERSION,
      rules: RULES.map(({ check: _check, hasData: _hasData, lifecycle: _lifecycle, quietWhen, ...r }) => ({
        ...r,
        inputs: [...r.inputs],
        ...(quietWhen ? { quietWhen: [...quietWhen] } : {}),
      })),
    })),

  /** Recent CSV exports: who took what, when, how many rows, and the SHA-256 of the bytes sent. */
  exportLog: publicProcedure
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
