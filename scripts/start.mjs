// `npm start`: install (scripts/bootstrap.mjs), build the web app, then run the demo launcher
// (apps/demo/src/start.ts). Ctrl-C reaches the launcher with the rest of the terminal's process
// group; it stops everything in order and exits 0, and so does this script, quietly: no package
// manager sits between the terminal and the launcher to report the signal as a failure.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: "inherit" }).status ?? 1;

if (run(process.execPath, [path.join(root, "scripts/bootstrap.mjs")]) !== 0) process.exit(1);
const turbo = path.join(root, "node_modules/.bin/turbo");
const built = run(turbo, [
  "run",
  "build",
  "--filter=@pullsight/web...",
  "--log-prefix=none",
  "--output-logs=errors-only",
]);
if (built !== 0) process.exit(built);

const launcher = spawn(process.execPath, ["--import", "tsx", path.join(root, "apps/demo/src/start.ts")], {
  cwd: root,
  stdio: "inherit",
});
// The launcher gets the terminal's signals itself; this process only waits for it to finish.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => {});
launcher.on("exit", (code, signal) => process.exit(signal ? 0 : (code ?? 1)));
