// End-to-end tests in a real Chromium against the real product: the web image's own files and
// commands (support/image-server.ts), two replicas on a real PostgreSQL. Run through `pnpm test`, which creates the database and sets DATABASE_URL.
// Browsers are never downloaded: `pnpm test` finds one (support/chromium.ts) and passes
// CHROMIUM_PATH; run directly, the system's Chromium is used.
import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.PULLSIGHT_E2E_PORT ?? 3210);
// The second web replica (replicas.spec.ts): the same image and database, another process.
const replicaPort = Number(process.env.PULLSIGHT_E2E_REPLICA_PORT ?? port + 1);
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(executablePath)) {
  throw new Error(
    `No Chromium at ${executablePath}. Run the tests through \`pnpm test:e2e\`, which finds or unpacks one, ` +
      "or set CHROMIUM_PATH. Never run `playwright install` here: it downloads a browser.",
  );
}

const browser = {
  ...devices["Desktop Chrome"],
  viewport: { width: 1280, height: 800 },
  launchOptions: {
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  },
};

export default defineConfig({
  testDir: "tests",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  // Order matters: the empty and partial fleets are shown first; then the seed step fills the
  // database from a simulated fleet through the real collector, and every other test reads it.
  projects: [
    { name: "empty", testMatch: /empty\.spec\.ts/, use: browser },
    { name: "seed", testMatch: /seed\.setup\.ts/, dependencies: ["empty"] },
    {
      name: "chromium",
      testIgnore: [/empty\.spec\.ts/, /seed\.setup\.ts/],
      dependencies: ["seed"],
      use: browser,
    },
  ],
  webServer: {
    command: "node --import tsx support/image-server.ts",
    url: `http://localhost:${port}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PULLSIGHT_E2E_PORT: String(port),
      PULLSIGHT_E2E_REPLICA_PORT: String(replicaPort),
    },
  },
});
