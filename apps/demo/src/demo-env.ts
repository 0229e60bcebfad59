// The demo's settings, read once from the environment.
import { z } from "zod";

const schema = z.object({
  PULLSIGHT_DEMO_PODS: z.coerce.number().int().min(10).max(20_000).default(700),
  PULLSIGHT_DEMO_DAYS: z.coerce.number().int().min(1).max(365).default(56),
});

export type DemoEnv = z.infer<typeof schema>;

export function demoEnv(source: NodeJS.ProcessEnv = process.env): DemoEnv {
  return schema.parse(source);
}
