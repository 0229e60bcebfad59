// The path a platform engineer takes on a Monday: fleet → the worst cluster → a namespace → a
// workload → a finding and how to fix it. The numbers on the way are checked against the database
// the collector filled (not against constants).
import type { Page } from "@playwright/test";
import { imageVolumeName, PULL_CREDENTIAL_SOURCE_WORDS, type PullCredentialSource } from "@pullsight/core";
import { expect, expectAccessible, screenshot, screenshotPhone, test } from "../support/fixtures.ts";

/** The fleet trend's "now" is the score card's: both count every cluster at its last snapshot. */
async function expectTrendNowIsTheCard(page: Page) {
  const card = await page
    .getByRole("term")
    .filter({ hasText: /^Compliance score$/ })
    .locator("xpath=following-sibling::dd[1]")
    .textContent();
  const trend = await page.getByRole("img", { name: /^Compliance score:/ }).getAttribute("aria-label");
  const now = trend?.match(/([\d.]+)% now\./)?.[1];
  expect(now, `the trend's summary: ${trend}`).toMatch(/^\d/);
  expect(now).toBe(card?.match(/([\d.]+)%/)?.[1]);
}

test("fleet → cluster → workload → finding with its fix", async ({ page, db }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Fleet", level: 1 })).toBeVisible();
  const clusters = await db.cluster.count();
  await expect(
    page
      .getByRole("term")
      .filter({ hasText: /^Clusters$/ })
      .locator("xpath=following-sibling::dd[1]"),
  ).toHaveText(String(clusters));
  // Charts render, each with its numbers for those who cannot see them.
  for (const title of ["Compliance score", "Pull policy mix", "Pull failures by cause"])
    await expect(page.getByRole("img", { name: new RegExp(`^${title}:`) })).toBeVisible();
  await expectTrendNowIsTheCard(page);
  // Registries' latency: one small chart per registry, the most slowed first.
  const slowed = page.getByRole("region", { name: "Pull latency p95 by registry, most slowed first" });
  await expect(slowed.getByRole("img", { name: / p95: Median daily p95 / }).first()).toBeVisible();
  // Event coverage under pull latency: the stored days' totals (the last 7 complete UTC days).
  const today = new Date(new Date().toISOString().slice(0, 10));
  const days = await db.eventCoverageDaily.findMany({
    where: { day: { gte: new Date(today.getTime() - 7 * 86_400_000), lt: today } },
  });
  const starts = days.reduce((n, d) => n + d.containerStarts, 0);
  const coverage = page.locator("summary", { hasText: "Event coverage:" });
  await expect(coverage).toContainText(`of ${starts.toLocaleString("en-US")} container starts`);
  // Failing containers of the newest day whose events no longer come through are called out.
  const newest = Math.max(...days.map((d) => d.day.getTime()));
  const silent = days
    .filter((d) => d.day.getTime() === newest)
    .reduce((n, d) => n + d.failingContainers - d.failingWithEvent, 0);
  if (silent > 0) await expect(coverage).toContainText(`${silent} failing container`);
  else await expect(coverage).not.toContainText("failing container");
  await coverage.click();
  // One row per day, the fleet's clusters summed.
  await expect(page.getByRole("table", { name: "Event coverage per day" }).locator("tbody tr")).toHaveCount(
    new Set(days.map((d) => d.day.getTime())).size,
  );
  await expectAccessible(page);
  await screenshot(page, "fleet");
  await screenshotPhone(page, "fleet");

  // The worst cluster first.
  const worst = page.getByRole("region", { name: "Worst clusters" }).getByRole("link").first();
  const clusterName = (await worst.textContent())?.trim() ?? "";
  await worst.click();
  await expect(page.getByRole("heading", { name: clusterName, level: 1 })).toBeVisible();
  const namespaces = page.getByRole("table", { name: /^Namespaces of/ });
  // Ground truth: the namespaces that hold live workloads of this cluster.
  const expectedNamespaces = await db.workload.findMany({
    where: { cluster: { name: clusterName }, deletedAt: null },
    distinct: ["namespace"],
    select: { namespace: true },
  });
  await expect(namespaces.locator("tbody tr")).toHaveCount(expectedNamespaces.length);
  await expectAccessible(page);
  await screenshot(page, "cluster");

  // Into the namespace with the most open findings: its workloads, worst first.
  await page.goto(`/workloads?cluster=${encodeURIComponent(clusterName)}&sort=findings&order=desc`);
  const firstWorkload = page
    .getByRole("table", { name: /^Workloads/ })
    .locator("tbody tr")
    .first()
    .getByRole("link");
  const workloadName = (await firstWorkload.textContent())?.trim() ?? "";
  await firstWorkload.click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(workloadName);
  const workload = await db.workload.findFirstOrThrow({
    where: { name: workloadName, cluster: { name: clusterName }, deletedAt: null },
  });
  const openFindings = await db.finding.count({ where: { workloadId: workload.id, resolvedAt: null } });
  expect(openFindings).toBeGreaterThan(0);
  await expect(page.getByRole("heading", { name: `Open findings (${openFindings})` })).toBeVisible();

  // The first finding shows why and how to fix it; a spec finding's fix is YAML to copy (a runtime
  // finding's, such as a registry failure, is the commands that show the cause).
  const open = page.getByRole("region", { name: /^Open findings/ });
  const finding = open.getByRole("article").first();
  await expect(finding.getByRole("heading", { name: "How to fix" })).toBeVisible();
  await expect(finding.locator("pre code").first()).not.toBeEmpty();
  const withYaml = page.locator("pre code", { hasText: "image:" });
  const specFinding = open.getByRole("article").filter({ has: withYaml }).first();
  const yaml = specFinding.locator("pre code", { hasText: "image:" }).first();
  // Only the first finding opens with its fix shown; when that one is a runtime finding (a pull
  // failing), the reader opens the spec finding's.
  if (!(await yaml.isVisible())) await specFinding.getByText("Why it matters and how to fix it").click();
  await expect(yaml).toBeVisible();
  await expect(specFinding.getByRole("button", { name: "Copy YAML" })).toBeVisible();
  // The snippet is made concrete: it names one of this workload's containers.
  const containers = await db.containerFact.findMany({
    where: { workloadId: workload.id, validTo: null },
    select: { containerName: true, credentialSources: true },
  });
  // Each container card says where its pulls get credentials, as its stored facts do.
  for (const c of containers) {
    const shownName = imageVolumeName(c.containerName) ?? c.containerName;
    const card = page.getByRole("article", { name: new RegExp(`^${shownName}(\\s|$)`) });
    const shown = card
      .locator("dt", { hasText: "Credentials from" })
      .locator("xpath=following-sibling::dd[1]");
    expect(c.credentialSources.length, `${c.containerName}: recorded`).toBeGreaterThan(0);
    await expect(shown.locator("li")).toHaveCount(c.credentialSources.length);
    await expect(shown.locator("li")).toContainText(
      c.credentialSources.map((s) => PULL_CREDENTIAL_SOURCE_WORDS[s as PullCredentialSource]),
    );
  }
  const text = (await yaml.textContent()) ?? "";
  expect(containers.some((c) => text.includes(`name: ${c.containerName}`)) || !text.includes("- name:")).toBe(
    true,
  );
  await expectAccessible(page);
  await screenshot(page, "workload");
});

test("every main page passes axe and is saved in both themes", async ({ page }) => {
  for (const [path, name] of [
    ["/clusters?a=prod-eu-1&b=prod-us-1", "clusters"],
    ["/findings", "findings"],
    ["/rules", "rules"],
    ["/collector", "collector"],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectAccessible(page);
    await screenshot(page, name);
  }
  await page.goto("/workloads");
  await screenshotPhone(page, "workloads");
});

test("an image volume is its own entry: its reference, pull policy, findings and why no digest is known", async ({
  page,
  db,
}) => {
  // The demo's staging cluster runs 1.36, where workloads mount image volumes (on by default from 1.35).
  const volume = await db.containerFact.findFirstOrThrow({
    where: { validTo: null, containerType: "volume", workload: { deletedAt: null } },
    include: { workload: { include: { cluster: true } } },
    orderBy: { id: "asc" },
  });
  expect(volume.workload.cluster.kubernetesVersion).toMatch(/^v1\.3[5-9]/);
  await page.goto(`/workloads/${volume.workloadId}`);
  await expect(page.getByRole("heading", { name: "Containers and image volumes" })).toBeVisible();
  const name = imageVolumeName(volume.containerName) as string;
  const card = page.getByRole("article", { name: new RegExp(`^${name}\\s+image volume$`) });
  await expect(card).toContainText(volume.image);
  const policy = card.locator("dt", { hasText: "Pull policy" }).locator("xpath=following-sibling::dd[1]");
  await expect(policy).toContainText(`${volume.imagePullPolicy} (${volume.policySource})`);
  await expect(policy).toContainText(volume.policyEvidence);
  // No kubelet of the demo has ImageVolumeWithDigest on: the page says why no digest is known
  // wherever the registry was asked.
  const running = await db.runningImage.count({
    where: { workloadId: volume.workloadId, containerName: volume.containerName },
  });
  expect(running).toBe(0);
  const findings = await db.finding.count({
    where: { workloadId: volume.workloadId, containerName: volume.containerName, resolvedAt: null },
  });
  // Its findings name it as an image volume, and their fix is a volumes[].image snippet.
  if (findings > 0) {
    const open = page.getByRole("region", { name: /^Open findings/ });
    const mine = open.getByRole("article").filter({ hasText: `Image volume ${name} ·` });
    await expect(mine).toHaveCount(findings);
    const yaml = mine.first().locator("pre code");
    if (await yaml.count()) await expect(yaml.first()).toContainText(`volumes:\n  - name: ${name}`);
  }
  await expectAccessible(page);
  await screenshot(page, "workload-image-volume");
  await screenshotPhone(page, "workload-image-volume");
});

test("a cluster page says what its kubelets count of image pulls, node by node, as the last snapshot read it", async ({
  page,
  db,
}) => {
  // The demo's collector holds the opt-in nodes/proxy permission; stage-eu-1 runs 1.36, whose
  // kubelets count ensure-image requests.
  const snapshot = await db.snapshot.findFirstOrThrow({
    where: { cluster: { name: "stage-eu-1" } },
    orderBy: { startedAt: "desc" },
  });
  type Node = {
    node: string;
    ensure: { requests: number; pulled: number } | null;
    pulls: { count: number } | null;
  };
  const stats = (snapshot.stats as { kubeletMetrics: { read: number; perNode: Node[] } }).kubeletMetrics;
  expect(stats.read).toBeGreaterThan(0);
  await page.goto("/clusters/stage-eu-1");
  const section = page.getByRole("region", { name: "Image pulls on the nodes (kubelet metrics)" });
  await expect(section).toContainText("of those were caused by imagePullPolicy Always");
  const table = section.getByRole("table");
  await expect(table.locator("tbody tr")).toHaveCount(stats.perNode.length);
  for (const n of stats.perNode.slice(0, 3)) {
    const row = table.getByRole("row", { name: new RegExp(`^${n.node}\\b`) });
    await expect(row.getByRole("cell").nth(0)).toHaveText(n.ensure?.requests.toLocaleString("en") ?? "–");
    await expect(row.getByRole("cell").nth(2)).toHaveText(n.ensure?.pulled.toLocaleString("en") ?? "–");
    await expect(row.getByRole("cell").nth(4)).toHaveText(n.pulls?.count.toLocaleString("en") ?? "–");
  }
  // Daily figures: the growth of the nodes' counters between readings, summed per day.
  const since = new Date(
    Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() - 29),
  );
  const days = await db.kubeletClusterDay.findMany({
    where: { cluster: { name: "stage-eu-1" }, day: { gte: since } },
  });
  const counted = (pattern: RegExp) =>
    days.reduce(
      (n, d) =>
        n +
        Object.entries(d.counters as Record<string, number>)
          .filter(([k]) => pattern.test(k))
          .reduce((a, [, v]) => a + v, 0),
      0,
    );
  const pulled = counted(/^ensure\/[^/]+\/pulled$/);
  expect(days.length).toBeGreaterThan(1);
  expect(pulled).toBeGreaterThan(0);
  const share = Math.round((counted(/^ensure\/Always\/pulled$/) / pulled) * 100);
  await expect(section).toContainText(
    `Over ${days.length} days: ${pulled.toLocaleString("en")} registry pulls, ${share}% caused by Always`,
  );
  await expect(section.getByRole("figure", { name: /Ensure-image requests per day/ })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, "cluster-kubelet-metrics");
  await screenshotPhone(page, "cluster-kubelet-metrics");
});
