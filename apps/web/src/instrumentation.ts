// Runs once when the server starts: a server without a valid identity mode does not serve
// (the launcher, scripts/serve.ts, sets PULLSIGHT_AUTH; anyone running `next start` directly must).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { readAuthConfig, readLimits } = await import("@pullsight/api");
  try {
    readAuthConfig(process.env);
    readLimits(process.env);
  } catch (error) {
    console.error(`[pullsight] not starting: ${(error as Error).message}`);
    process.exit(2);
  }
}
