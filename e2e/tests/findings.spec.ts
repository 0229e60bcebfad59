// Findings: the CSV a reviewer downloads is exactly the table's rows; a reviewer waives a finding
// from the table and it is counted as waived at once.

import { FINDING_COLUMNS } from "@pullsight/db";
import { parse } from "csv-parse/sync";
import { asRole, expect, expectAccessible, test } from "../support/fixtures.ts";

test("the findings CSV download has the table's rows and columns", async ({ page }) => {
  await page.goto("/findings?severity=high");
  const subtitle = await page.getByText(/findings match$/).textContent();
  const total = Number((subtitle ?? "").replace(/[^\d]/g, ""));
  expect(total).toBeGreaterThan(0);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^pullsight-findings-fleet-\d{8}T\d{6}Z\.csv$/);
  const rows = parse(await streamToBuffer(await file.createReadStream())) as string[][];
  expect(rows[0]).toEqual([...FINDING_COLUMNS]);
  expect(rows.length - 1).toBe(total);
  const severity = rows[0]?.indexOf("severity") ?? -1;
  expect(new Set(rows.slice(1).map((r) => r[severity]))).toEqual(new Set(["high"]));
  // The file is in id order; the table, one severity here, newest first: its first row is the file's last.
  const firstRule = await page
    .getByRole("table", { name: /^Findings/ })
    .locator("tbody tr th")
    .first()
    .textContent();
  const id = rows[0]?.indexOf("finding_id") ?? -1;
  const newest = rows.slice(1).reduce((a, b) => (BigInt(b[id] ?? 0) > BigInt(a[id] ?? 0) ? b : a));
  expect(firstRule).toContain(newest[rows[0]?.indexOf("rule_id") ?? -1] ?? "missing");
});

test("findings sort by severity first, and by any sortable column from its header", async ({ page }) => {
  await page.goto("/findings");
  const table = page.getByRole("table", { name: /^Findings/ });
  await expect(table.getByRole("columnheader", { name: /Severity/ })).toHaveAttribute(
    "aria-sort",
    "descending",
  );
  const order = ["critical", "high", "medium", "low", "info"];
  const severities = async () =>
    (await table.locator("tbody tr td:first-child").allTextContents()).map((t) => order.indexOf(t.trim()));
  const shown = await severities();
  expect(shown.length).toBeGreaterThan(1);
  expect(shown).toEqual([...shown].sort((a, b) => a - b));
  await table.getByRole("link", { name: /Opened/ }).click();
  await expect(page).toHaveURL(/sort=opened&order=asc/);
  await expect(table.getByRole("columnheader", { name: /Opened/ })).toHaveAttribute("aria-sort", "ascending");
  const headers = await table.locator("thead th").allTextContents();
  const column = headers.findIndex((h) => h.startsWith("Opened")) + 1;
  const opened = (await table.locator(`tbody tr > :nth-child(${column})`).allTextContents()).map((t) =>
    Date.parse(t.replace(/from .*/, "").trim()),
  );
  expect(opened.length).toBeGreaterThan(1);
  expect(opened.every((t) => !Number.isNaN(t))).toBe(true);
  expect(opened).toEqual([...opened].sort((a, b) => a - b));
  // The header stays in view while the list scrolls inside its box.
  const box = table.locator("xpath=..");
  await box.evaluate((el) => el.scrollBy(0, 600));
  const [head, wrap] = await Promise.all([table.locator("thead").boundingBox(), box.boundingBox()]);
  expect(Math.abs((head?.y ?? -1) - (wrap?.y ?? 0))).toBeLessThan(2);
});

test("the workloads CSV download has one row per workload the table counts", async ({ page }) => {
  await page.goto("/workloads?kind=Deployment");
  const total = Number(
    ((await page.getByText(/workloads match$/).textContent()) ?? "").replace(/[^\d]/g, ""),
  );
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV", exact: true }).click();
  const rows = parse(await streamToBuffer(await (await download).createReadStream())) as string[][];
  expect(rows.length - 1).toBe(total);
  const kind = rows[0]?.indexOf("workload_kind") ?? -1;
  expect(new Set(rows.slice(1).map((r) => r[kind]))).toEqual(new Set(["Deployment"]));
});

test("the fleet's latency table and its CSV download agree registry by registry", async ({ page }) => {
  await page.goto("/");
  const table = page.getByRole("table", { name: "Pull latency per registry this ISO week" });
  const shown = await table
    .locator("tbody tr")
    .evaluateAll((trs) =>
      trs.map((tr) => [
        tr.querySelector("th")?.textContent?.trim(),
        tr.querySelectorAll("td")[0]?.textContent?.trim(),
      ]),
    );
  expect(shown.length).toBeGreaterThan(0);
  const download = page.waitForEvent("download");
  await page
    .getByRole("region", { name: "Pull latency this week" })
    .getByRole("link", { name: "Export CSV" })
    .click();
  const [header = [], ...rows] = parse(
    await streamToBuffer(await (await download).createReadStream()),
  ) as string[][];
  const registry = header.indexOf("registry");
  const pulls = header.indexOf("pulls");
  const failures = header.indexOf("failures");
  const csv = rows
    .filter((r) => Number(r[pulls]) + Number(r[failures]) > 0)
    .map((r): [string, string] => [r[registry] ?? "", Number(r[pulls]).toLocaleString("en")]);
  expect(new Map(csv)).toEqual(new Map(shown as Array<[string, string]>));
});

test("a reviewer waives an open finding from the findings table", async ({ page, db }) => {
  await asRole(page, "reviewer");
  await page.goto("/findings?severity=medium");
  const table = page.getByRole("table", { name: /^Findings/ });
  const first = table
    .locator("tbody tr")
    .filter({ has: page.getByRole("button", { name: "Waive…" }) })
    .first();
  const rule = ((await first.locator("th").textContent()) ?? "").slice(0, 5);
  const workload = ((await first.locator("td").nth(1).getByRole("link").textContent()) ?? "").trim();
  await first.getByRole("button", { name: "Waive…" }).click();
  const form = page.getByRole("form", { name: `Waive ${rule}` });
  await form.getByLabel("this workload").check();
  await form.getByLabel("Reason").fill("Vendor image; fixed in their next release.");
  await form.getByRole("button", { name: "Waive", exact: true }).click();

  // The page refreshes from the server: that finding is now waived, and the waiver is listed.
  const same = table.locator("tbody tr").filter({ hasText: rule }).filter({ hasText: workload });
  await expect(same.first().locator("td").nth(4)).toHaveText(/waived/);
  await expect(page.getByRole("table", { name: "Waivers in force" })).toContainText("Vendor image");
  const waiver = await db.waiver.findFirstOrThrow({ where: { ruleId: rule }, orderBy: { id: "desc" } });
  expect(waiver.createdBy).toBe("demo@pullsight.local");
  expect(waiver.workloadName).toBe(workload);
  const waived = await db.$queryRaw<Array<{ n: number }>>`
    SELECT COUNT(*)::int AS n FROM "Finding" f JOIN "Workload" w ON w.id = f."workloadId"
    JOIN "Cluster" c ON c.id = w."clusterId"
    WHERE f."resolvedAt" IS NULL AND f."ruleId" = ${rule} AND w.name = ${workload}
      AND w.namespace = ${waiver.namespace} AND c.name = ${waiver.cluster} AND w.kind = ${waiver.workloadKind}`;
  await page.goto(`/findings?status=waived&ruleId=${rule}`);
  await expect(page.getByText(/findings match$/)).toContainText(`${waived[0]?.n} waived`);
  await expectAccessible(page);
});

test("a viewer sees no waive action", async ({ page }) => {
  await asRole(page, "viewer");
  await page.goto("/findings");
  await expect(page.getByRole("button", { name: "Waive…" })).toHaveCount(0);
});

async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test("a rule that fires on most containers is one line per namespace, its rows on demand", async ({
  page,
}) => {
  await page.goto("/findings?severity=low");
  const summary = page.locator("details summary", { hasText: "PS005" });
  await expect(summary).toBeVisible();
  // The table lists the other rules' rows; PS005's are counted, not listed.
  await expect(
    page.getByRole("table", { name: /^Findings/ }).locator("tbody th", { hasText: "PS005" }),
  ).toHaveCount(0);
  await summary.click();
  const line = page
    .getByRole("list", { name: "Grouped findings by namespace" })
    .getByRole("listitem")
    .first();
  const count = Number(
    ((await line.textContent()) ?? "").match(/PS005: ([\d,]+) finding/)?.[1]?.replace(/,/g, ""),
  );
  expect(count).toBeGreaterThan(0);
  await line.getByRole("link").click();
  await expect(page).toHaveURL(/ruleId=PS005/);
  const subtitle = await page.getByText(/findings match$/).textContent();
  expect(Number((subtitle ?? "").replace(/[^\d]/g, ""))).toBe(count);
  const rules = await page
    .getByRole("table", { name: /^Findings/ })
    .locator("tbody th")
    .allTextContents();
  expect(rules.length).toBeGreaterThan(0);
  for (const r of rules) expect(r).toContain("PS005");
});
