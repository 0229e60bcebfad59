// With a keyboard only: a skip link to the content, results focused after "Apply", forms that take
// focus when they open and give it back when they close, the sign-off one Tab from the header, and
// at a phone's width every section of the navigation on screen.
import type { Page } from "@playwright/test";
import { asRole, expect, test } from "../support/fixtures.ts";

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? "");
const focusedWithin = (page: Page, selector: string) =>
  page.evaluate((s) => !!document.activeElement?.closest(s), selector);

test("skip link, then filters: focus lands on the results, the next Tab inside them", async ({ page }) => {
  await page.goto("/findings");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Enter");
  expect(await focusedId(page)).toBe("main");

  const form = page.getByRole("form", { name: "Filter findings" });
  await form.getByLabel("Severity").selectOption("high");
  await form.getByRole("button", { name: "Apply" }).press("Enter");
  await expect(page).toHaveURL(/[?&]severity=high(&.*)?#results$/);
  await expect.poll(() => focusedId(page)).toBe("results");
  await page.keyboard.press("Tab");
  expect(await focusedWithin(page, "#results"), "the next Tab stays in the results").toBe(true);
});

test("the waive form takes focus when it opens and gives it back on Escape", async ({ page }) => {
  await asRole(page, "reviewer");
  await page.goto("/findings?severity=medium");
  const opener = page.getByRole("button", { name: "Waive…" }).first();
  await opener.focus();
  await page.keyboard.press("Enter");
  const form = page.getByRole("form", { name: /^Waive PS/ });
  await expect(form).toBeVisible();
  expect(await focusedWithin(page, "form[aria-label^='Waive']"), "focus is in the form").toBe(true);
  await page.keyboard.press("Escape");
  await expect(form).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Waive…" }).first()).toBeFocused();
});

test("the review's sign-off is one link from the header", async ({ page }) => {
  await asRole(page, "reviewer");
  await page.goto("/review");
  const jump = page.getByRole("link", { name: /^Sign(ed)? off ↓$/ });
  let tabs = 0;
  while (tabs < 30 && !(await jump.evaluate((el) => el === document.activeElement))) {
    await page.keyboard.press("Tab");
    tabs++;
  }
  expect(tabs, "Tabs from the top to the sign-off link").toBeLessThan(30);
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  expect(await focusedWithin(page, "section[aria-labelledby='h-sign-off']")).toBe(true);
});

test("at 390 and 1280 px every section of the navigation is on screen", async ({ page }) => {
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 844 });
    await page.goto("/");
    const nav = page.getByRole("navigation", { name: "Main" });
    const links = nav.getByRole("link");
    expect(await links.count()).toBeGreaterThan(5);
    // Within the navigation's own box, which nothing clips: no section hidden behind its edge.
    const bounds = await nav.boundingBox();
    for (const link of await links.all()) {
      const box = await link.boundingBox();
      expect(box, (await link.textContent()) ?? "").not.toBeNull();
      expect(
        !!box &&
          !!bounds &&
          box.x >= bounds.x &&
          box.x + box.width <= Math.min(width, bounds.x + bounds.width) + 0.5,
        `${await link.textContent()} within the navigation at ${width} px`,
      ).toBe(true);
    }
  }
});
