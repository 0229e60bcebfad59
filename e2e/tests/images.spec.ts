// The image inventory: a drifting tag is found with its filter, its digests name the nodes that
// run them (as the stored running images say), and the CSV is the page's rows.
import { parse } from "csv-parse/sync";
import { expect, expectAccessible, screenshot, screenshotPhone, test } from "../support/fixtures.ts";

test("images: the drift filter finds a tag running as several digests, with the nodes running each, and the CSV agrees", async ({
  page,
  request,
  db,
}) => {
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Images" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Images");
  const form = page.getByRole("form", { name: "Filter images" });
  await form.getByLabel("running as several digests").check();
  await form.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/drift=yes/);

  const table = page.getByRole("table", { name: /^Images/ });
  const rows = table.locator("tbody tr");
  // The filtered rows stream in after the URL changes: wait for them rather than count at once.
  await expect(rows.first(), "the demo story drifts").toBeVisible();
  const first = rows.first();
  const image = ((await first.locator("th .font-mono").textContent()) ?? "").trim();
  // Its digests and nodes, as the stored running images have them (live workloads).
  const running = await db.$queryRaw<Array<{ digest: string; nodes: string[] }>>`
    SELECT ri.digest, array_agg(DISTINCT ri."nodeName" ORDER BY ri."nodeName") AS nodes
    FROM "RunningImage" ri JOIN "Workload" w ON w.id = ri."workloadId"
    WHERE ri."validTo" IS NULL AND w."deletedAt" IS NULL AND ri.image = ${image} AND ri.digest IS NOT NULL
    GROUP BY ri.digest`;
  expect(running.length, `${image} runs as several digests`).toBeGreaterThan(1);
  const digests = first.locator("td").nth(2).locator("li");
  await expect(digests.filter({ hasText: /^sha256:/ })).toHaveCount(running.length);
  for (const d of running) {
    const item = digests.filter({ has: page.locator(`[title="${d.digest}"]`) });
    for (const node of d.nodes.slice(0, 3)) await expect(item).toContainText(node);
  }
  await expectAccessible(page);
  await screenshot(page, "images");
  await screenshotPhone(page, "images");

  const res = await request.get("/api/export/images.csv?drift=yes");
  expect(res.status()).toBe(200);
  const records = parse(await res.body(), { columns: true }) as Array<Record<string, string>>;
  const shown = await rows.locator("th .font-mono").allTextContents();
  expect([...new Set(records.map((r) => r.image))]).toEqual(shown.map((s) => s.trim()));
  for (const d of running) {
    const rec = records.find((r) => r.image === image && r.digest === d.digest);
    expect(rec?.node_names?.split(" "), `${d.digest} nodes`).toEqual(d.nodes);
  }
});
