import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** The repository root: `.data/` and `prisma/` are resolved against it. */
export const repoRoot = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");

/** Database settings every app validates once, from its own environment. */
export const databaseEnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(z.url({ protocol: /^postgres(ql)?$/, error: "DATABASE_URL must be a postgres:// URL" }).optional()),
  PULLSIGHT_MIGRATION_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(
      z
        .url({ protocol: /^postgres(ql)?$/, error: "PULLSIGHT_MIGRATION_URL must be a postgres:// URL" })
        .optional(),
    )
    .describe("The tables' owner, for migrations; DATABASE_URL is then the application's own role."),
  PULLSIGHT_MIGRATE: z
    .enum(["on", "off"], { error: 'PULLSIGHT_MIGRATE must be "on" or "off"' })
    .default("on")
    .describe(
      "off: a process on DATABASE_URL leaves migrations to the migration step (a deployed collector, which holds no owner credentials).",
    ),
  PULLSIGHT_DATA_DIR: z.string().trim().min(1).default(".data"),
  PULLSIGHT_PG_PORT: z.coerce.number().int().min(1).max(65535).default(5439),
});
export type DatabaseEnv = z.infer<typeof databaseEnvSchema>;

/** Validates the database part of an environment; throws a readable error. */
export function readDatabaseEnv(env: Record<string, string | undefined>): DatabaseEnv {
  const parsed = databaseEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid database settings: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** The environment a child process (Prisma's CLI) inherits, with `overrides` on top. */
export function childProcessEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}
