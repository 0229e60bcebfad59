import "server-only";
import { createLogger, type Logger } from "@pullsight/observe";

const global = globalThis as unknown as { pullsightWebLog?: Logger };

/** The web server's JSON logger (PULLSIGHT_LOG_LEVEL), the same one the collector writes with. */
export function log(): Logger {
  global.pullsightWebLog ??= createLogger({ name: "web" });
  return global.pullsightWebLog;
}
