// The end-to-end tests' web server is the web image's own: its files assembled as the Dockerfile's
// build stage assembles them (scripts/image.ts), its migration command run as the image's migration
// step runs it (the tables' owner migrates and grants), then its command, twice, as the
// least-privileged role: two replicas sharing nothing but PostgreSQL, as the install manifests run
// them. The first listens on PULLSIGHT_E2E_PORT, the second on PULLSIGHT_E2E_REPLICA_PORT.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureLoginRole, withAdminClient, withCredentials } from "@pullsight/db/bootstrap";
import { assembleWeb, IMAGE_COMMANDS } from "../../scripts/image.ts";

const ownerUrl = process.env.DATABASE_URL;
if (!ownerUrl) throw new Error("DATABASE_URL must name the end-to-end database (pnpm test:e2e sets it)");
const ports = [process.env.PULLSIGHT_E2E_PORT ?? "3210", process.env.PULLSIGHT_E2E_REPLICA_PORT ?? "3211"];

const app = mkdtempSync(path.join(os.tmpdir(), "pullsight-web-image-"));
await assembleWeb(app);

// The application role as an operator creates it: a login of its own, owning nothing (named for
// these tests: roles are shared by every database of the server).
const role = "pullsight_e2e_app";
const password = "pullsight-e2e";
await withAdminClient(ownerUrl, (c) => ensureLoginRole(c, role, password));
const appUrl = withCredentials(ownerUrl, role, password);

const imageEnv = (extra: Record<string, string>) => ({
  PATH: process.env.PATH ?? "",
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  ...extra,
});

const [node, ...migrateArgs] = IMAGE_COMMANDS.migrate;
const migrate = spawn(node, migrateArgs, {
  cwd: app,
  stdio: ["ignore", "inherit", "inherit"],
  env: imageEnv({ DATABASE_URL: appUrl, PULLSIGHT_MIGRATION_URL: ownerUrl }),
});
const migrated = await new Promise<number | null>((resolve) => migrate.once("exit", resolve));
if (migrated !== 0) throw new Error(`the image's migration command failed (exit ${migrated})`);

const [, ...webArgs] = IMAGE_COMMANDS.web;
const replicas: ChildProcess[] = ports.map((port) =>
  spawn(node, webArgs, {
    cwd: app,
    stdio: ["ignore", "inherit", "inherit"],
    env: imageEnv({
      PORT: port,
      HOSTNAME: "127.0.0.1",
      DATABASE_URL: appUrl,
      PULLSIGHT_AUTH: "demo",
      PULLSIGHT_LOG_LEVEL: "warn",
    }),
  }),
);

const stop = () => {
  for (const r of replicas) r.kill("SIGTERM");
  rmSync(app, { recursive: true, force: true });
};
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    stop();
    process.exit(0);
  });
for (const r of replicas)
  r.once("exit", (code) => {
    console.error(`a web replica exited (${code}); stopping`);
    stop();
    process.exit(1);
  });
