// Runs once when the server starts: a server without a valid identity mode or limits does not serve
// (the launcher, scripts/launcher.ts, sets PULLSIGHT_AUTH; anyone running the server directly
// must), and request latency is recorded from then on.
import { isNodeRuntime } from "./runtime-env.ts";

export async function register() {
  if (!isNodeRuntime()) return;
  const { validateServerEnv } = await import("./server/env.ts");
  const { createLogger } = await import("@pullsight/observe");
  try {
    validateServerEnv();
  } catch (error) {
    createLogger({ name: "web" }).error(`not starting: ${(error as Error).message}`);
    process.exit(2);
  }
  const { recordRequestLatency } = await import("./server/request-metrics.ts");
  recordRequestLatency();
}
