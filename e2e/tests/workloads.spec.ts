// The workloads table keeps its whole state in the URL: filters, sort and page survive a reload
// and a shared link. What it shows is checked against the database.
import { expect, expectAccessible, screenshot, test } from "../support/fixtures.ts";

const table = (page: import("@playwright/test").Page) => page.getByRole("table", { name: /^Workloads/ });

test("filtering and sorting the workloads table, then reloading the URL, gives the same view", async ({
  page,
  db,
}) => {
  await page.goto("/workloads");
  const filters = page.getByRole("form", { name: "Filter workloads" });
  await filters.getByLabel("Pull policy").selectOption("Always");
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/policy=Always/);

  // Ground truth: live workloads with at least one current container that always pulls.
  const expected = await db.workload.count({
    where: { deletedAt: null, containers: { some: { validTo: null, imagePullPolicy: "Always" } } },
  });
  await expect(page.getByText(`${expected.toLocaleString("en")} workloads match`)).toBeVisible();

  // Sort by open findings, most first.
  await table(page)
    .getByRole("link", { name: /Open findings/ })
    .click();
  await expect(page).toHaveURL(/sort=findings/);
  await expect(page).toHaveURL(/order=desc/);
  await expect(table(page).getByRole("columnheader", { name: /Open findings/ })).toHaveAttribute(
    "aria-sort",
    "descending",
  );

  const rows = table(page).locator("tbody tr");
  const snapshot = async () => rows.evaluateAll((trs) => trs.map((tr) => tr.textContent ?? ""));
  const before = await snapshot();
  expect(before.length).toBe(Math.min(50, expected));
  for (const text of before) expect(text).toContain("Always");
  const counts = await rows.evaluateAll((trs) =>
    trs.map((tr) => Number.parseInt(tr.querySelectorAll("td")[7]?.textContent ?? "0", 10)),
  );
  expect(counts).toEqual([...counts].sort((a, b) => b - a));

  await page.reload();
  await expect(table(page)).toBeVisible();
  expect(await snapshot()).toEqual(before);
  await expect(filters.getByLabel("Pull policy")).toHaveValue("Always");

  // The next page is a URL too, and shows the rows that follow.
  if (expected > 50) {
    await page.getByRole("link", { name: "Next page" }).click();
    await expect(page).toHaveURL(/cursor=/);
    const second = await snapshot();
    expect(second.some((r) => before.includes(r))).toBe(false);
    await page.reload();
    expect(await snapshot()).toEqual(second);
  }
  await expectAccessible(page);
  await screenshot(page, "workloads");
});

test("a hand-edited filter the table cannot use is ignored and said so", async ({ page }) => {
  await page.goto("/workloads?severity=urgent&kind=Deployment");
  await expect(page.getByRole("alert").filter({ hasText: "Ignored filters" })).toContainText("severity");
  await expect(table(page).locator("tbody tr").first()).toContainText("Deployment");
});
