// The weekly review: a viewer may read it but not sign it; a reviewer signs it, and the signature
// is there afterwards (and cannot be changed).
import { asRole, expect, expectAccessible, screenshot, test } from "../support/fixtures.ts";

test("a viewer can read the weekly review but is refused the sign-off", async ({ page, request }) => {
  await asRole(page, "viewer");
  await page.goto("/review");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Weekly review");
  await expect(page.getByText("Only reviewers and admins can sign off")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Sign off/ })).toHaveCount(0);
  // The server refuses too, whatever the page shows.
  const week = (await page.getByRole("combobox", { name: "Week" }).inputValue()) as string;
  const res = await request.post("/api/trpc/reviews.sign", {
    headers: { cookie: "pullsight_role=viewer", "content-type": "application/json" },
    data: { json: { week, scope: "fleet", notes: "" } },
  });
  expect(res.status()).toBe(403);
  await expectAccessible(page);
});

test("a reviewer signs off last week's review and it stays signed", async ({ page, db }) => {
  await asRole(page, "reviewer");
  await page.goto("/review");
  const week = await page.getByRole("combobox", { name: "Week" }).inputValue();
  // What the page reports as new this week is what the database holds: findings first seen that
  // week (a finding whose condition is later known to have begun earlier keeps the week it was
  // first seen in; its openedAt moves back, so counting by openedAt would disagree now and then).
  const { start, end } = isoWeekBounds(week);
  const inWeek = { gte: start, lt: end };
  const opened = await db.finding.count({
    where: { OR: [{ firstSeenAt: inWeek }, { firstSeenAt: null, openedAt: inWeek }] },
  });
  await expect(
    page.getByRole("heading", { name: `New findings (${opened.toLocaleString("en")})` }),
  ).toBeVisible();

  await page.getByLabel("Notes for the record").fill("Regression in growth-prod tracked in PLAT-123.");
  await page.getByRole("button", { name: `Sign off ${week}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "Signed off" })).toContainText(
    "demo@pullsight.local",
  );
  await page.reload();
  await expect(page.getByRole("status").filter({ hasText: "Signed off" })).toContainText("PLAT-123");
  await expect(page.getByRole("table", { name: /Signed reviews/ })).toContainText(week);
  const row = await db.review.findFirstOrThrow({ where: { isoWeek: week, scope: "fleet" } });
  expect(row.reviewer).toBe("demo@pullsight.local");
  await expectAccessible(page);
  await screenshot(page, "review");

  // It reads well printed: no navigation, no forms.
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await expect(page.getByRole("form", { name: "Choose the week and scope" })).toBeHidden();
  await page.screenshot({ path: test.info().outputPath("review-print.png"), fullPage: true });
  await page.emulateMedia({ media: "screen" });
});

/** Monday 00:00 UTC of an ISO week, and the Monday after. */
function isoWeekBounds(week: string): { start: Date; end: Date } {
  const [y, w] = week.split("-W").map(Number) as [number, number];
  const jan4 = new Date(Date.UTC(y, 0, 4));
  const monday1 = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86_400_000);
  const start = new Date(monday1.getTime() + (w - 1) * 7 * 86_400_000);
  return { start, end: new Date(start.getTime() + 7 * 86_400_000) };
}
