// `pnpm pullsight <command> [flags]`: one entry point for Pullsight's command-line tools.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const COMMANDS: Record<string, { entry: string; summary: string }> = {
  collect: {
    entry: "apps/collector/src/cli.ts",
    summary: "snapshot clusters into PostgreSQL (--once, or every --interval seconds)",
  },
  probe: {
    entry: "apps/collector/src/probe/cli.ts",
    summary:
      "ask registries whether the fleet's references still resolve (--once, or every --interval seconds)",
  },
  sim: {
    entry: "packages/k8s-sim/src/cli.ts",
    summary: "serve a simulated fleet behind a real Kubernetes API",
  },
};

const [command, ...args] = process.argv.slice(2);
const target = command ? COMMANDS[command] : undefined;
if (!target) {
  console.error("usage: pullsight <command> [flags]\n");
  for (const [name, c] of Object.entries(COMMANDS)) console.error(`  ${name.padEnd(10)} ${c.summary}`);
  process.exit(command && command !== "help" ? 2 : 0);
}
const child = spawn(process.execPath, ["--import", "tsx", path.join(root, target.entry), ...args], {
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
