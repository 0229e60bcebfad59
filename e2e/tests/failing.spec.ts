// An on-call engineer asks what is stuck pulling right now: one click from the fleet page to every
// container waiting on a failed pull, with its pod, node, cause and since when, the commands to
// look at it filled in with real names, and a CSV that is the table.
import { parse } from "csv-parse/sync";
import { expect, expectAccessible, screenshot, screenshotPhone, test } from "../support/fixtures.ts";

test("failing now: one click from the fleet, pods and nodes named, kubectl filled in, the CSV is the table", async ({
  page,
  request,
  db,
}) => {
  const expected = await db.finding.count({
    where: { ruleId: "PS009", resolvedAt: null, clearingSince: null },
  });
  expect(expected, "the seeded fleet has containers failing to pull").toBeGreaterThan(0);

  await page.goto("/");
  await page.getByRole("link", { name: "See which, why and since when" }).click();
  await expect(page).toHaveURL(/\/failing$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Failing now");

  const table = page.getByRole("table", { name: /Containers failing to pull now/ });
  const rows = table.locator("tbody tr");
  const count = await rows.count();
  expect(count).toBeGreaterThanOrEqual(expected); // a finding names each of its failing pods
  const subtitle = (await page.locator("h1 + p").textContent()) ?? "";
  expect(subtitle).toContain(`${count} container`);

  // The first row's commands name its namespace and pod; no placeholder is left.
  const first = rows.first();
  const pod = ((await first.locator("td").first().locator("div").first().textContent()) ?? "").trim();
  expect(await first.locator("td").first().textContent()).toContain(" on "); // and its node
  expect(pod).not.toBe("");
  await first.getByText("kubectl", { exact: true }).click();
  const commands = (await first.locator("pre").textContent()) ?? "";
  expect(commands).toContain(`describe pod ${pod}`);
  expect(commands).toMatch(/kubectl -n [a-z0-9-]+ describe pod/);
  expect(commands).not.toMatch(/<pod>|<namespace>/);
  await expectAccessible(page);
  await screenshot(page, "failing");
  await screenshotPhone(page, "failing");

  // The CSV has exactly the table's pods.
  const res = await request.get("/api/export/failing.csv");
  expect(res.status()).toBe(200);
  const records = parse(await res.body(), { columns: true }) as Array<Record<string, string>>;
  expect(records.length).toBe(count);
  const shown = await table.locator("tbody tr td:first-of-type div:first-child").allTextContents();
  expect(records.map((r) => r.pod).sort()).toEqual(shown.map((s) => s.trim()).sort());
  for (const r of records) {
    expect(r.node, `${r.pod} runs on a node`).not.toBe("");
    expect(r.confirmed_snapshot_id, `${r.pod} names its snapshot`).not.toBe("");
  }

  // Filtered by one cluster, every row is that cluster's, and the cluster page leads here too.
  const cluster = records[0]?.cluster as string;
  await page.getByLabel("Cluster").selectOption(cluster);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(new RegExp(`cluster=${cluster}`));
  const inCluster = records.filter((r) => r.cluster === cluster).length;
  await expect(table.locator("tbody tr")).toHaveCount(inCluster);
  await page.goto(`/clusters/${encodeURIComponent(cluster)}`);
  await page.getByRole("link", { name: "See which, why and since when" }).click();
  await expect(table.locator("tbody tr")).toHaveCount(inCluster);

  // And a team's page leads to its own.
  const team = records[0]?.owner as string;
  await page.goto(`/teams/${encodeURIComponent(team)}`);
  await page.getByRole("link", { name: "See which, why and since when" }).click();
  await expect(page).toHaveURL(/[?&]team=/);
  await expect(table.locator("tbody tr")).toHaveCount(records.filter((r) => r.owner === team).length);
});

test("failing now sorts by its headers, both ways, rows without a value last, and keeps the sort when filtered", async ({
  page,
}) => {
  await page.goto("/failing");
  const table = page.getByRole("table", { name: /Containers failing to pull now/ });
  // "Failing since" shows how long ago, with the instant in its title; "not known" has none.
  const since = async () =>
    table.locator("tbody tr td:nth-of-type(3)").evaluateAll((tds) =>
      tds.map((td) => {
        const title = td.querySelector("span[title]")?.getAttribute("title");
        return title ? Date.parse(title) : null;
      }),
    );
  const inOrder = (xs: Array<number | null>, order: "asc" | "desc") => {
    const firstNull = xs.indexOf(null);
    if (firstNull !== -1 && xs.slice(firstNull).some((x) => x !== null)) return false;
    const known = (firstNull === -1 ? xs : xs.slice(0, firstNull)) as number[];
    return known.every(
      (x, i) => i === 0 || (order === "asc" ? (known[i - 1] as number) <= x : (known[i - 1] as number) >= x),
    );
  };
  const header = table.getByRole("columnheader", { name: /Failing since/ });
  // Longest failing first is the default; its header turns it around.
  await expect(header).toHaveAttribute("aria-sort", "ascending");
  const asc = await since();
  expect(
    asc.every((t) => t === null || Number.isFinite(t)),
    "every instant parses",
  ).toBe(true);
  expect(
    new Set(asc.filter((t) => t !== null)).size,
    "the seeded failures began at different times",
  ).toBeGreaterThan(1);
  expect(inOrder(asc, "asc"), asc.join()).toBe(true);
  await header.getByRole("link").click();
  await expect(page).toHaveURL(/sort=since&order=desc/);
  await expect(header).toHaveAttribute("aria-sort", "descending");
  const desc = await since();
  expect(inOrder(desc, "desc"), desc.join()).toBe(true);
  expect([...desc].sort().join()).toBe([...asc].sort().join());
  // Filtering keeps the sort.
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/sort=since&order=desc/);
  await expect(header).toHaveAttribute("aria-sort", "descending");
});
