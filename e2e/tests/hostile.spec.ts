// Hand-edited and hostile URLs against the real server: a page drops what it cannot use and still
// renders (never the error page), a path that does not decode is a 400 with the reason, and a
// malformed role cookie is ignored. The API's own hostile input is fuzzed in packages/api.
import { expect, test } from "../support/fixtures.ts";

const PAGES = [
  "/findings?asOf=0000-01-01",
  "/findings?asOf=%2B275760-01-01",
  "/findings?namespace=a%00b",
  "/findings?clusters=a,%00",
  "/findings?cursor=99999999999999999999999",
  "/workloads?q=%00",
  "/workloads?clusterLabel=%00=x",
  "/workloads?cursor=eyJ2IjoiYWJjIiwiaWQiOiIxIn0&sort=findings",
  "/workloads?limit=99999",
  "/clusters?label=%00=x",
  "/review?week=2026-W99",
  "/review?scope=cluster:%00",
];

test("hostile query parameters: every page still renders, without the error page", async ({ page }) => {
  for (const url of PAGES) {
    const res = await page.goto(url);
    expect(res?.status(), url).toBeLessThan(500);
    await expect(page.getByRole("heading", { level: 1 }), url).toBeVisible();
    await expect(page.getByText("This page could not be loaded"), url).toHaveCount(0);
  }
});

test("paths that do not decode are a 400 with the reason; a malformed role cookie is ignored", async ({
  request,
}) => {
  for (const path of ["/clusters/%ZZ", "/workloads/%ED%A0%80", "/api/trpc/%E0%A4%A", "/api/export/%ZZ"]) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(400);
    expect(await res.json(), path).toEqual({ error: "the path is not valid percent-encoded UTF-8" });
  }
  for (const path of ["/", "/api/trpc/identity.me", "/api/export/clusters.csv"]) {
    const res = await request.get(path, { headers: { cookie: "pullsight_role=%ZZ" } });
    expect(res.status(), path).toBe(200);
  }
});
