// `pnpm test`: every check and every test, against one real PostgreSQL, ending with a line
// `N passed, N failed` that CI reads. Exit code is non-zero when anything failed.
//
//   --only lint|typecheck|unit|e2e   run one stage (repeatable)
//   any other argument               a test file or folder for the node test runner
//
// PostgreSQL: DATABASE_URL's server when set, otherwise an embedded server under
// .data/test-postgres on a free port. A migrated template database is made once per run;
// every test file copies it (packages/db/src/testing.ts).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  applyMigrations,
  ensureDatabase,
  freePort,
  readDatabaseEnv,
  startEmbeddedPostgres,
  withAdminClient,
} from "@pullsight/db/bootstrap";
import { type Browser, obtainChromium } from "../e2e/support/chromium.ts";

const root = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const resultsDir = path.join(root, ".test-results");
mkdirSync(resultsDir, { recursive: true });

const argv = process.argv.slice(2);
const only = new Set<string>();
const fileArgs: string[] = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i] as string;
  if (a === "--only") only.add(argv[++i] ?? "");
  else if (a !== "--") fileArgs.push(a);
}
if (fileArgs.length && only.size === 0) only.add("unit");
const wants = (stage: string) => only.size === 0 || only.has(stage);

interface Tally {
  stage: string;
  passed: number;
  failed: number;
  skipped: number;
}
const tallies: Tally[] = [];
// Turbo finds pnpm on PATH; make the workspace's own pnpm an absolute entry so tasks in every
// package resolve it (a relative ./node_modules/.bin entry only works at the root).
const bin = (name: string, dir = root) => path.join(dir, "node_modules/.bin", name);
const baseEnv = {
  ...process.env,
  PATH: `${path.join(root, "node_modules/.bin")}${path.delimiter}${process.env.PATH ?? ""}`,
  TURBO_TELEMETRY_DISABLED: "1",
  NEXT_TELEMETRY_DISABLED: "1",
  FORCE_COLOR: "0",
};

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = root): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...baseEnv, ...env },
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.once("error", (e) => {
      console.error(`could not run ${cmd}: ${e.message}`);
      resolve(127);
    });
    child.once("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function banner(text: string) {
  console.log(`\n=== ${text} ${"=".repeat(Math.max(0, 70 - text.length))}`);
}

/** A gate (lint, typecheck, build) counts as one test that passed or failed. */
async function gate(stage: string, cmd: string, args: string[]) {
  banner(stage);
  const code = await run(cmd, args);
  tallies.push({ stage, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 });
  return code === 0;
}

function findTests(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  if (statSync(dir).isFile()) return dir.endsWith(".test.ts") ? [...out, dir] : out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".") || entry.name === "generated") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findTests(full, out);
    else if (entry.name.endsWith(".test.ts")) out.push(full);
  }
  return out;
}

async function startTestDatabase(): Promise<{
  templateUrl: string;
  serverUrl: string;
  stop(): Promise<void>;
}> {
  const env = readDatabaseEnv(process.env);
  let serverUrl: string;
  let stop = async () => {};
  if (env.DATABASE_URL) {
    serverUrl = env.DATABASE_URL;
    console.log("tests use the PostgreSQL server of DATABASE_URL");
  } else {
    const port = await freePort();
    const server = await startEmbeddedPostgres({ dataDir: path.join(root, ".data/test-postgres"), port });
    serverUrl = server.url("postgres");
    stop = () => server.stop();
    console.log(`tests use an embedded PostgreSQL on port ${port}`);
  }
  // Leftovers of an interrupted run, then a freshly migrated template.
  await withAdminClient(serverUrl, async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      "select datname from pg_database where datname like 'pullsight\\_test\\_%' or datname like 'pullsight\\_e2e\\_%'",
    );
    for (const { datname } of rows) await c.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
    await c.query(`DROP DATABASE IF EXISTS "pullsight_template" WITH (FORCE)`);
  });
  const template = new URL(serverUrl);
  template.pathname = "/pullsight_template";
  await ensureDatabase(serverUrl, "pullsight_template");
  await applyMigrations(template.toString());
  return {
    templateUrl: template.toString(),
    serverUrl,
    async stop() {
      if (env.DATABASE_URL) {
        await withAdminClient(serverUrl, async (c) => {
          const { rows } = await c.query<{ datname: string }>(
            "select datname from pg_database where datname like 'pullsight\\_test\\_%' or datname like 'pullsight\\_e2e\\_%' or datname = 'pullsight_template'",
          );
          for (const { datname } of rows) await c.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
        });
      }
      await stop();
    },
  };
}

async function nodeTests(templateUrl: string) {
  banner("unit and integration tests (node --test)");
  const targets = fileArgs.length
    ? fileArgs.map((f) => path.resolve(f))
    : ["packages", "apps", "scripts"].map((d) => path.join(root, d));
  const files = targets.flatMap((t) => findTests(t));
  if (files.length === 0) {
    console.error("no test files found");
    tallies.push({ stage: "node", passed: 0, failed: 1, skipped: 0 });
    return;
  }
  const tap = path.join(resultsDir, "node.tap");
  const code = await run(
    process.execPath,
    [
      "--import",
      "tsx",
      "--test",
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=tap",
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    { PULLSIGHT_TEST_TEMPLATE_URL: templateUrl },
  );
  const text = existsSync(tap) ? readFileSync(tap, "utf8") : "";
  const count = (key: string) => Number(text.match(new RegExp(`^# ${key} (\\d+)$`, "m"))?.[1] ?? 0);
  const passed = count("pass");
  const failed = count("fail") + count("cancelled");
  const skipped = count("skipped") + count("todo");
  // A crash that reports no failing test still fails the stage.
  tallies.push({ stage: "node", passed, failed: code !== 0 && failed === 0 ? 1 : failed, skipped });
}

async function e2eTests(serverUrl: string) {
  const built = await gate("build web app", bin("turbo"), [
    "run",
    "build",
    "--filter=@pullsight/web",
    "--log-prefix=none",
  ]);
  if (!built) return;
  banner("end-to-end tests (Playwright, Chromium)");
  let chromium: Browser;
  try {
    chromium = await obtainChromium();
  } catch (error) {
    console.error(`no browser for the end-to-end tests: ${(error as Error).message}`);
    tallies.push({ stage: "e2e", passed: 0, failed: 1, skipped: 0 });
    return;
  }
  console.log(`browser: ${chromium.path} (${chromium.source})`);
  const dbName = `pullsight_e2e_${process.pid}`;
  await ensureDatabase(serverUrl, dbName, "pullsight_template");
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  const json = path.join(resultsDir, "playwright.json");
  const code = await run(
    bin("playwright", path.join(root, "e2e")),
    ["test", "--reporter=list,json"],
    {
      DATABASE_URL: url.toString(),
      CHROMIUM_PATH: chromium.path,
      PULLSIGHT_E2E_PORT: String(await freePort()),
      PULLSIGHT_E2E_REPLICA_PORT: String(await freePort()),
      PLAYWRIGHT_JSON_OUTPUT_NAME: json,
    },
    path.join(root, "e2e"),
  );
  let stats = { expected: 0, unexpected: 0, flaky: 0, skipped: 0 };
  try {
    stats = { ...stats, ...JSON.parse(readFileSync(json, "utf8")).stats };
  } catch {
    // no report: counted as a failure below
  }
  const failed = stats.unexpected + stats.flaky;
  tallies.push({
    stage: "e2e",
    passed: stats.expected,
    failed: code !== 0 && failed === 0 ? 1 : failed,
    skipped: stats.skipped,
  });
}

let db: Awaited<ReturnType<typeof startTestDatabase>> | undefined;
try {
  if (wants("lint")) await gate("lint and format (biome)", bin("biome"), ["check", "."]);
  if (wants("typecheck"))
    await gate("typecheck", bin("turbo"), [
      "run",
      "typecheck",
      "typecheck:root",
      "--log-prefix=none",
      "--output-logs=errors-only",
    ]);
  if (wants("unit") || wants("e2e")) {
    banner("test database");
    db = await startTestDatabase();
    if (wants("unit")) await nodeTests(db.templateUrl);
    if (wants("e2e")) await e2eTests(db.serverUrl);
  }
} catch (error) {
  console.error(error);
  tallies.push({ stage: "harness", passed: 0, failed: 1, skipped: 0 });
} finally {
  await db?.stop().catch((e) => console.error("stopping the test database failed:", e));
}

banner("summary");
for (const t of tallies) {
  console.log(
    `${t.stage.padEnd(28)} ${t.passed} passed, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ""}`,
  );
}
const passed = tallies.reduce((n, t) => n + t.passed, 0);
const failed = tallies.reduce((n, t) => n + t.failed, 0);
const skipped = tallies.reduce((n, t) => n + t.skipped, 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
