import { RULE_INPUTS, RULE_LEVELS, RULES, RULES_VERSION } from "@pullsight/core";
import { z } from "zod";
import { publicProcedure, router } from "../trpc.ts";

const level = z.enum(RULE_LEVELS);

export const rulesRouter = router({
  /** The rule catalogue, as packages/core defines it. */
  catalog: publicProcedure
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
});
