// At a phone's width (390 px) no page scrolls sideways: wide tables and charts' number tables
// scroll inside their own box, and nothing placed absolutely inside them widens the page.
import { expect, test } from "../support/fixtures.ts";

test("at 390 px no main page is wider than the screen", async ({ page, db }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const cluster = await db.cluster.findFirstOrThrow({ orderBy: { name: "asc" } });
  const workload = await db.workload.findFirstOrThrow({ where: { deletedAt: null }, orderBy: { id: "asc" } });
  const owned = await db.namespace.findFirstOrThrow({
    where: { owner: { not: null } },
    orderBy: { name: "asc" },
  });
  const pages = [
    "/",
    "/clusters",
    `/clusters/${encodeURIComponent(cluster.name)}`,
    "/teams",
    `/teams/${encodeURIComponent(owned.owner ?? "")}`,
    "/workloads",
    `/workloads/${workload.id}`,
    "/findings",
    "/failing",
    "/images",
    "/will-it-pull",
    "/review",
    "/rules",
    "/collector",
  ];
  const widths: Record<string, number> = {};
  for (const path of pages) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    widths[path] = await page.evaluate(() => document.documentElement.scrollWidth);
  }
  expect(widths).toEqual(Object.fromEntries(pages.map((p) => [p, 390])));
});
