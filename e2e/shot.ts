// Ad-hoc screenshots of the running demo (not a test).
import { chromium } from "@playwright/test";
import { obtainChromium } from "./support/chromium.ts";

const [url, name, selector] = process.argv.slice(2);
const { path } = await obtainChromium();
const browser = await chromium.launch({ executablePath: path });
for (const [w, scheme] of [
  [1280, "light"],
  [1280, "dark"],
  [390, "light"],
] as const) {
  const page = await browser.newPage({ viewport: { width: w, height: 900 }, colorScheme: scheme });
  await page.goto(url as string);
  await page.waitForLoadState("networkidle");
  const el = selector ? page.getByRole("region", { name: selector }) : page.locator("body");
  await el.scrollIntoViewIfNeeded();
  await page.waitForTimeout(500);
  await el.screenshot({ path: `/tmp/${name}-${w}-${scheme}.png` });
}
await browser.close();
