// `npm start` / `npm test` need nothing but Node and npm: this installs the workspace with the
// pinned pnpm (fetched by npx on first use) before the real script runs through it.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 9)) {
  console.error(`Pullsight needs Node.js 20.9 or newer; this is ${process.version}.`);
  process.exit(1);
}
const { packageManager } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const args = ["--yes", packageManager, "install", "--prefer-offline"];
if (process.env.CI) args.push("--frozen-lockfile");
try {
  execFileSync("npx", args, {
    stdio: "inherit",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1" },
  });
} catch {
  console.error(`Installing dependencies with ${packageManager} failed (see above).`);
  process.exit(1);
}
