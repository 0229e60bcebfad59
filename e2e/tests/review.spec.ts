// The weekly review as a team lead meets it: this week's review for a team, read in groups, a
// group expanded to its findings, an action followed to the findings it resolves, and a sign-off
// through a confirmation that shows what will be frozen; afterwards it is among past reviews and a
// second sign-off is refused. A viewer reads it but has no sign-off.
import type { Page } from "@playwright/test";
import { asRole, expect, expectAccessible, screenshot, screenshotPhone, test } from "../support/fixtures.ts";

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

/** The first team listed under a section: the heaviest. */
async function firstTeam(page: Page, section: string): Promise<string> {
  const list = page.getByRole("region", { name: new RegExp(`^${section} \\(`) });
  return (await list.locator("details > summary > span.font-medium").first().textContent()) as string;
}

test("a reviewer reads a team's review in groups, follows an action, and signs it off once", async ({
  page,
  db,
  request,
}) => {
  await asRole(page, "reviewer");
  await page.goto("/review");
  const week = await page.getByRole("combobox", { name: "Week" }).inputValue();
  const team = await firstTeam(page, "New findings");
  await page.getByRole("combobox", { name: "Scope" }).selectOption(`team:${team}`);
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(new RegExp(`scope=team%3A${team}`));

  // New this week means first seen this week, in the team's namespaces, as the database holds them.
  const { start, end } = isoWeekBounds(week);
  const [counted] = await db.$queryRaw<Array<{ n: number }>>`
    SELECT COUNT(*)::int AS n FROM "Finding" f
    JOIN "Namespace" n ON n."clusterId" = f."clusterId" AND n.name = f.namespace
    WHERE n.owner = ${team} AND COALESCE(f."firstSeenAt", f."openedAt") >= ${start}
      AND COALESCE(f."firstSeenAt", f."openedAt") < ${end}`;
  const opened = counted?.n ?? 0;
  const newSection = page.getByRole("region", { name: `New findings (${opened.toLocaleString("en")})` });
  await expect(newSection).toBeVisible();

  // Expand team → rule → image; the rows are the image group's findings.
  await newSection.locator("details > summary").first().click();
  const rule = newSection.locator("details details").first();
  await rule.locator("> summary").click();
  const image = rule.locator("details").first();
  const imageCount = Number(
    ((await image.locator("> summary").textContent()) ?? "")
      .match(/([\d,]+) findings?/)?.[1]
      ?.replace(/,/g, ""),
  );
  await image.locator("> summary").click();
  const rows = image.getByRole("table", { name: "Findings of this group" }).locator("tbody tr");
  await expect(rows).toHaveCount(Math.min(imageCount, 50));

  // The first action leads to the open findings it would resolve.
  const action = page
    .getByRole("list", { name: /Actions/ })
    .getByRole("listitem")
    .first();
  await expect(action).toContainText(`team ${team}`);
  await action.getByRole("link", { name: "its findings" }).click();
  const actionRows = page
    .getByRole("table", { name: "The findings this action resolves" })
    .locator("tbody tr");
  await expect(actionRows.first()).toBeVisible();
  const resolves = Number(
    ((await action.textContent()) ?? "").match(/resolves ([\d,]+) finding/)?.[1]?.replace(/,/g, ""),
  );
  await expect(actionRows).toHaveCount(Math.min(resolves, 50));
  await screenshot(page, "review");
  await screenshotPhone(page, "review-team");

  // Sign off through the confirmation, which shows what will be frozen.
  await page.getByLabel("Notes for the record").fill("Pinning redis in PLAT-123.");
  await page.getByRole("button", { name: `Sign off ${week}…` }).click();
  const frozen = page.getByRole("region", { name: "What will be frozen" });
  await expect(frozen).toContainText(`New findings${opened.toLocaleString("en")}`);
  await screenshot(page, "review-confirm");
  await page.getByRole("button", { name: `Confirm sign-off of ${week}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "Signed off" })).toContainText(
    "demo@pullsight.local",
  );
  await page.reload();
  await expect(page.getByRole("status").filter({ hasText: "Signed off" })).toContainText("PLAT-123");
  await expect(page.getByRole("table", { name: /Signed reviews/ })).toContainText(`team:${team}`);
  const row = await db.review.findFirstOrThrow({ where: { isoWeek: week, scope: `team:${team}` } });
  expect(row.reviewer).toBe("demo@pullsight.local");

  // A second sign-off of the same week and scope, even written with a trailing space, is refused.
  const again = await request.post("/api/trpc/reviews.sign", {
    headers: { cookie: "pullsight_role=admin", "content-type": "application/json" },
    data: { json: { week, scope: `team:${team} `, notes: "again" } },
  });
  expect(again.status()).toBe(409);
  await expectAccessible(page);

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
