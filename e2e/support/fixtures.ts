import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Page } from "@playwright/test";
import { createDb, type Db } from "@pullsight/db";

const artifacts = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../artifacts");

/** The product's own database, for arranging data the UI then reads. */
export const test = base.extend<{ db: Db }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright requires an object pattern here.
  db: async ({}, use) => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: run e2e tests through `pnpm test`.");
    const db = createDb(url, { max: 2 });
    await use(db);
    await db.$disconnect();
  },
});
export { expect };

/** Saves a full-page screenshot in light and dark colour schemes under e2e/artifacts/. */
export async function screenshot(page: Page, name: string) {
  mkdirSync(artifacts, { recursive: true });
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(artifacts, `${name}-${scheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** Fails on serious or critical axe violations, listing them. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
}

/** Look at the product as another role (demo identity mode reads this cookie). */
export async function asRole(page: Page, role: "viewer" | "reviewer" | "admin") {
  const url = test.info().project.use.baseURL ?? "http://localhost:3210";
  await page.context().addCookies([{ name: "pullsight_role", value: role, url }]);
}

/** The main pages, and a screenshot of each at a phone's width too. */
export async function screenshotPhone(page: Page, name: string) {
  mkdirSync(artifacts, { recursive: true });
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(artifacts, `${name}-phone-${scheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: "light" });
  if (size) await page.setViewportSize(size);
}

/** The second web replica: the same image and database, another process (support/image-server.ts). */
export function replicaURL(): string {
  const port =
    process.env.PULLSIGHT_E2E_REPLICA_PORT ?? String(Number(process.env.PULLSIGHT_E2E_PORT ?? 3210) + 1);
  return `http://localhost:${port}`;
}
