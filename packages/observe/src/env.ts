// The logger's settings, read once from the environment (the one place this package reads it).
import { z } from "zod";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const schema = z.object({
  PULLSIGHT_LOG_LEVEL: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(LOG_LEVELS, { error: `PULLSIGHT_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}` }))
    .default("info"),
});

/** PULLSIGHT_LOG_LEVEL (default info); a value that is not a level is an error, not a guess. */
export function logLevelFromEnv(source: NodeJS.ProcessEnv = process.env): LogLevel {
  return schema.parse({ PULLSIGHT_LOG_LEVEL: source.PULLSIGHT_LOG_LEVEL || undefined }).PULLSIGHT_LOG_LEVEL;
}
