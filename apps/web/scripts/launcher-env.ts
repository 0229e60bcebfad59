// The launcher's settings, read once from the environment (the one place its code reads it).
import { databaseEnvSchema } from "@pullsight/db/bootstrap";
import { z } from "zod";

const schema = databaseEnvSchema.extend({
  PULLSIGHT_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  PULLSIGHT_HOST: z.string().default("127.0.0.1"),
  PULLSIGHT_KUBECONFIG: z.string().trim().min(1).optional(),
  PULLSIGHT_AUTH: z.string().optional(),
});

export type LauncherEnv = z.infer<typeof schema> & {
  /** The environment as given, for the child processes (they read their own settings). */
  passThrough: NodeJS.ProcessEnv;
};

export function launcherEnv(source: NodeJS.ProcessEnv = process.env): LauncherEnv {
  return { ...schema.parse(source), passThrough: source };
}
