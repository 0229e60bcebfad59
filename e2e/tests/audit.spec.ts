// The auditor's questions: every production container not pinned by digest (from the facts, not
// from findings whose rules depend on profiles), and the findings as they stood on a past date.

import { parse } from "csv-parse/sync";
import { expect, expectAccessible, screenshot, screenshotPhone, test } from "../support/fixtures.ts";

async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

test("production containers not pinned by digest: the inventory CSV equals what the facts say", async ({
  page,
  db,
}) => {
  await page.goto("/workloads?clusterLabel=env%3Dproduction&tagKind=not-digest");
  await expect(page.getByLabel("Tag kind")).toHaveValue("not-digest");
  await expect(page.getByLabel("Cluster labels")).toHaveValue("env=production");
  await screenshot(page, "workloads-audit");
  await screenshotPhone(page, "workloads-audit");
  await expectAccessible(page);

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export containers (CSV)" }).click();
  const rows = parse(await streamToBuffer(await (await download).createReadStream())) as string[][];
  const [header = [], ...records] = rows;
  const col = (name: string) => header.indexOf(name);
  const truth = await db.containerFact.findMany({
    where: {
      validTo: null,
      tagKind: { not: "digest" },
      workload: { deletedAt: null, cluster: { labels: { path: ["env"], equals: "production" } } },
    },
    select: { containerName: true, workload: { select: { name: true, namespace: true } } },
  });
  expect(truth.length).toBeGreaterThan(0);
  expect(records.length).toBe(truth.length);
  expect(records.every((r) => r[col("tag_kind")] !== "digest")).toBe(true);
  expect(new Set(records.map((r) => r[col("cluster")]?.slice(0, 5)))).toEqual(new Set(["prod-"]));
  // Every row names the snapshot that confirmed it and when that was collected.
  expect(records.every((r) => /^\d+$/.test(r[col("snapshot_id")] ?? "") && r[col("collected_at")])).toBe(
    true,
  );
});

test("findings as of a past date: the page and its CSV say so", async ({ page, db }) => {
  const newest = await db.snapshot.findFirstOrThrow({
    orderBy: { finishedAt: "desc" },
    select: { finishedAt: true },
  });
  const day = new Date((newest.finishedAt as Date).getTime() - 5 * 86_400_000).toISOString().slice(0, 10);
  await page.goto("/findings");
  await page.getByLabel("As of").fill(day);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(new RegExp(`asOf=${day}`));
  await expect(page.getByText(/as they stood on/)).toBeVisible();
  await screenshot(page, "findings-as-of");
  await screenshotPhone(page, "findings-as-of");
  await expectAccessible(page);

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/-asof-\d{8}T000000Z-/);
  const [header = [], ...records] = parse(await streamToBuffer(await file.createReadStream())) as string[][];
  expect(records.length).toBeGreaterThan(0);
  const at = Date.parse(`${day}T00:00:00Z`);
  for (const r of records) {
    expect(Date.parse(r[header.indexOf("first_seen_at")] ?? "")).toBeLessThanOrEqual(at);
    expect(Date.parse(r[header.indexOf("collected_at")] ?? "")).toBeLessThanOrEqual(at);
  }
});
