import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { childProcessEnv } from "./env.ts";

const require = createRequire(import.meta.url);

/** Runs Prisma's CLI (JS engine, pg adapter: works offline) with DATABASE_URL set to `url`. */
export async function runPrismaCli(args: string[], url: string): Promise<string> {
  const cli = path.join(path.dirname(require.resolve("prisma/package.json")), "build/index.js");
  const config = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../prisma.config.ts");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args, "--config", config], {
      env: childProcessEnv({
        DATABASE_URL: url,
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
        CHECKPOINT_DISABLE: "1",
        PRISMA_DISABLE_WARNINGS: "1",
      }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.once("error", reject);
    child.once("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`prisma ${args.join(" ")} failed (exit ${code}):\n${out.trim()}`));
    });
  });
}

/** Applies every committed migration under prisma/migrations that the database lacks. */
export async function applyMigrations(url: string): Promise<void> {
  await runPrismaCli(["migrate", "deploy"], url);
}
