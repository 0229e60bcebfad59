/**
 * Runs `cleanup` once on SIGINT or SIGTERM, then exits with 130/143. A second signal while
 * cleaning up is ignored; cleanup errors are printed and make the exit code 1.
 */
export function onShutdown(cleanup: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    cleanup(signal).then(
      () => process.exit(signal === "SIGINT" ? 130 : 143),
      (error: unknown) => {
        console.error("shutdown failed:", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}
