// Teams as a dashboard filter: the teams page lists every owner with its score, and a team's page
// shows its own score, trend and namespaces, with links to its findings, workloads and review.
import { expect, expectAccessible, screenshot, screenshotPhone, test } from "../support/fixtures.ts";

test("a lead finds their team, its namespaces and its findings", async ({ page, db }) => {
  const owners = await db.namespace.groupBy({ by: ["owner"], where: { deletedAt: null }, _count: true });
  await page.goto("/teams");
  const table = page.getByRole("table", { name: "Teams by score, lowest first" });
  await expect(table.locator("tbody tr")).toHaveCount(owners.length);
  await expectAccessible(page);
  await screenshot(page, "teams");

  // The team with the most namespaces: its page lists exactly the namespaces it owns.
  const team = [...owners].filter((o) => o.owner).sort((a, b) => b._count - a._count)[0];
  expect(team?.owner).toMatch(/^[a-z]/);
  const name = team?.owner as string;
  await table.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Team ${name}`);
  const withContainers = await db.$queryRaw<Array<{ n: number }>>`
    SELECT COUNT(DISTINCT (wl."clusterId", wl.namespace))::int AS n FROM "Workload" wl
    JOIN "Namespace" n ON n."clusterId" = wl."clusterId" AND n.name = wl.namespace
    WHERE wl."deletedAt" IS NULL AND n."deletedAt" IS NULL AND n.owner = ${name}`;
  await expect(
    page.getByRole("table", { name: `Namespaces of team ${name}, lowest score first` }).locator("tbody tr"),
  ).toHaveCount(withContainers[0]?.n ?? 0);
  await expect(
    page
      .getByRole("img", { name: /Daily score of team/ })
      .or(page.getByText(/Daily score of team/))
      .first(),
  ).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, "team");
  await screenshotPhone(page, "team");

  // Its findings: the findings page filtered to the team, every row the team's.
  await page.getByRole("link", { name: "Findings", exact: true }).last().click();
  await expect(page).toHaveURL(new RegExp(`/findings\\?team=${encodeURIComponent(name)}`));
  const rows = page.getByRole("table", { name: /^Findings/ }).locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  for (const text of await rows.locator("td:nth-of-type(3)").allTextContents()) expect(text).toBe(name);
});
