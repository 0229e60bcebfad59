// Runs once when the server starts: a server without a valid identity mode or limits does not serve
// (the launcher, scripts/launcher.ts, sets PULLSIGHT_AUTH; anyone running `next start` directly must).
import { isNodeRuntime } from "./runtime-env.ts";

export async function register() {
  if (!isNodeRuntime()) return;
  const { validateServerEnv } = await import("./server/env.ts");
  try {
    validateServerEnv();
  } catch (error) {
    console.error(`[pullsight] not starting: ${(error as Error).message}`);
    process.exit(2);
  }
}
