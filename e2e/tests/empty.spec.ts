import { expect, expectAccessible, screenshot, test } from "../support/fixtures.ts";

test.describe.configure({ mode: "serial" });

test("an empty fleet says so and how to start the collector", async ({ page, db }) => {
  await db.cluster.deleteMany();
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "No cluster has been collected yet" })).toBeVisible();
  await expect(page.getByText("collect --once")).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, "fleet-empty");
});

test("the fleet page reads clusters and snapshots from PostgreSQL", async ({ page, db }) => {
  const startedAt = new Date(Date.now() - 10 * 60_000); // fresh: not stale
  const prod = await db.cluster.create({ data: { name: "prod-eu-1", kubernetesVersion: "v1.31.4" } });
  const dev = await db.cluster.create({ data: { name: "dev-us-2", kubernetesVersion: "v1.29.10" } });
  const ok = await db.snapshot.create({
    data: {
      clusterId: prod.id,
      startedAt,
      finishedAt: new Date(startedAt.getTime() + 4000),
      status: "complete",
      collectorVersion: "test",
      rulesVersion: "test",
    },
  });
  const partial = await db.snapshot.create({
    data: {
      clusterId: dev.id,
      startedAt,
      finishedAt: new Date(startedAt.getTime() + 9000),
      status: "partial",
      failures: [{ kind: "secrets", status: 403, reason: "Forbidden" }],
      collectorVersion: "test",
      rulesVersion: "test",
    },
  });
  await db.cluster.update({
    where: { id: prod.id },
    data: { lastSnapshotId: ok.id, lastSnapshotAt: ok.finishedAt },
  });
  await db.cluster.update({
    where: { id: dev.id },
    data: { lastSnapshotId: partial.id, lastSnapshotAt: partial.finishedAt },
  });
  for (const [i, name] of ["api", "worker", "web"].entries()) {
    await db.workload.create({
      data: {
        clusterId: i < 2 ? prod.id : dev.id,
        namespace: "shop",
        kind: "Deployment",
        name,
        firstSeenAt: startedAt,
        lastSeenAt: startedAt,
      },
    });
  }

  await page.goto("/");
  const table = page.getByRole("table", { name: "Clusters and their last snapshot" });
  await expect(table.getByRole("row", { name: /prod-eu-1/ })).toContainText("complete");
  await expect(table.getByRole("row", { name: /prod-eu-1/ })).toContainText("v1.31.4");
  await expect(table.getByRole("row", { name: /dev-us-2/ })).toContainText("partial");
  await expect(table.getByRole("row", { name: /dev-us-2/ })).toContainText("1 failed read");
  await expect(page.getByRole("alert").filter({ hasText: "Data is incomplete" })).toContainText(
    "dev-us-2 (partial)",
  );
  const workloads = page
    .getByRole("term")
    .filter({ hasText: /^Workloads$/ })
    .locator("xpath=following-sibling::dd[1]");
  await expect(workloads).toHaveText("3");
  await expectAccessible(page);
  await screenshot(page, "fleet-partial");
});
