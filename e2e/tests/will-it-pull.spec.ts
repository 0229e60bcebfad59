// A platform lead asks which running workloads would not pull as they run now: one click from the
// fleet page to every container whose image its registry no longer serves or whose tag moved, with
// counts that filter, each registry's health, a CSV that is the table, and the registry's answer in
// the workload's image anatomy.
import { parse } from "csv-parse/sync";
import { expect, expectAccessible, screenshot, screenshotPhone, test } from "../support/fixtures.ts";

test("will it pull: one click from the fleet, causes that filter, registries' health, the CSV is the table", async ({
  page,
  request,
  db,
}) => {
  const open = await db.finding.findMany({
    where: { ruleId: { in: ["PS019", "PS020"] }, resolvedAt: null, clearingSince: null },
    select: { ruleId: true },
  });
  expect(open.length, "the seeded fleet has references at risk").toBeGreaterThan(0);
  const registries = await db.registryProbeRound.groupBy({ by: ["registry"] });

  await page.goto("/");
  await page.getByRole("link", { name: "See which images, why, and where they run" }).click();
  await expect(page).toHaveURL(/\/will-it-pull$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Will it pull?");
  await expect(page.locator("h1 + p")).toContainText(`${open.length} container`);

  const table = page.getByRole("table", { name: /References at risk/ });
  const rows = table.locator("tbody tr");
  await expect(rows).toHaveCount(open.length);
  const health = page.getByRole("table", { name: /Registries, those answering worst first/ });
  await expect(health.locator("tbody tr")).toHaveCount(registries.length);
  await expectAccessible(page);
  await screenshot(page, "will-it-pull");
  await screenshotPhone(page, "will-it-pull");

  // The CSV has exactly the table's rows, each with its cause and the snapshot that confirmed it.
  const res = await request.get("/api/export/at-risk.csv");
  expect(res.status()).toBe(200);
  const records = parse(await res.body(), { columns: true }) as Array<Record<string, string>>;
  expect(records.length).toBe(open.length);
  const shownImages = await table.locator("tbody tr th .font-mono").allTextContents();
  expect(records.map((r) => r.image).sort()).toEqual(shownImages.map((s) => s.trim()).sort());
  for (const r of records) {
    expect(["not-found", "refused", "unauthorized", "tag-moved"]).toContain(r.cause);
    expect(r.confirmed_snapshot_id, `${r.workload} names its snapshot`).not.toBe("");
    if (r.cause === "tag-moved") expect(r.registry_digest).toMatch(/^sha256:/);
    // The nodes that keep the image running are named, as many as the count says.
    expect(r.node_names ? r.node_names.split(" ").length : 0).toBe(Number(r.nodes));
  }

  // A cause's count is a filter: every row shown then has that cause.
  const cause = records[0]?.cause as string;
  const counts = page.getByRole("region", { name: "Counts" });
  await counts.getByRole("link").first().click();
  await expect(page).toHaveURL(/[?&]cause=/);
  const chosen = new URL(page.url()).searchParams.get("cause") as string;
  await expect(table.locator("tbody tr")).toHaveCount(records.filter((r) => r.cause === chosen).length);

  // The workload's image anatomy says what the registry says of its reference.
  const first = table.locator("tbody tr").first();
  const image = ((await first.locator("th .font-mono").textContent()) ?? "").trim();
  await first.getByRole("link").first().click();
  await expect(page).toHaveURL(/\/workloads\/\d+/);
  const card = page
    .locator("article")
    .filter({ has: page.getByText(image, { exact: true }) })
    .first();
  const says = card.locator("dt", { hasText: "Registry says" }).locator("xpath=following-sibling::dd[1]");
  await expect(says).toContainText(chosen === "tag-moved" ? "≠ what runs" : /not-found|refused|unauthorized/);
  expect(cause).not.toBe("");
});

test("registry health beside the fleet's pull latency, and per cluster: its own references, the prober's latency", async ({
  page,
  db,
}) => {
  const atRiskWhere = { ruleId: { in: ["PS019", "PS020"] }, resolvedAt: null, clearingSince: null };
  const [most] = await db.finding.groupBy({
    by: ["clusterId"],
    where: atRiskWhere,
    _count: { _all: true },
    orderBy: { _count: { clusterId: "desc" } },
  });
  expect(most, "some cluster runs references at risk").toBeTruthy();
  const cluster = await db.cluster.findUniqueOrThrow({ where: { id: most?.clusterId as number } });
  const ownRefs = await db.containerFact.findMany({
    where: { validTo: null, workload: { deletedAt: null, clusterId: cluster.id } },
    select: { image: true },
    distinct: ["image"],
  });
  const answers = await db.registryAnswer.findMany({ where: { image: { in: ownRefs.map((r) => r.image) } } });
  expect(answers.length, "the cluster's images were probed").toBeGreaterThan(0);
  const perRegistry = new Map<string, number>();
  for (const a of answers) perRegistry.set(a.registry, (perRegistry.get(a.registry) ?? 0) + 1);

  // Fleet: the week's pull latency per registry carries the prober's latest answers beside it.
  await page.goto("/");
  const week = page.getByRole("table", { name: "Pull latency per registry this ISO week" });
  await expect(week.getByRole("columnheader", { name: "Prober: answered" })).toBeVisible();
  await expect(week.getByRole("columnheader", { name: "Prober: p95" })).toBeVisible();

  // Cluster: only the registries it pulls from, each with the number of its own references.
  await page.goto(`/clusters/${encodeURIComponent(cluster.name)}`);
  const section = page.getByRole("region", { name: "Registries it pulls from" });
  const health = section.getByRole("table", { name: /Registries, those answering worst first/ });
  await expect(health.locator("tbody tr")).toHaveCount(perRegistry.size);
  for (const [registry, n] of perRegistry) {
    const row = health.locator("tbody tr").filter({ hasText: registry });
    await expect(row.locator("td").first()).toHaveText(String(n));
  }
  await expectAccessible(page);

  // Its at-risk count leads to its own rows only.
  await page.getByRole("link", { name: "See which images, why, and where they run" }).click();
  await expect(page).toHaveURL(/\/will-it-pull\?cluster=/);
  await expect(page.getByRole("table", { name: /References at risk/ }).locator("tbody tr")).toHaveCount(
    most?._count._all ?? -1,
  );
});
