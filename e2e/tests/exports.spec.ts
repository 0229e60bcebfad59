import { parse } from "csv-parse/sync";
import { expect, test } from "../support/fixtures.ts";

test("the findings export streams a CSV with the documented columns and logs it", async ({ request, db }) => {
  const res = await request.get("/api/export/findings.csv?status=open&sort=severity");
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toBe("text/csv; charset=utf-8");
  expect(res.headers()["content-disposition"]).toMatch(
    /^attachment; filename="pullsight-findings-fleet-\d{8}T\d{6}Z\.csv"$/,
  );
  const [header] = parse(await res.body()) as string[][];
  expect(header?.slice(0, 3)).toEqual(["finding_id", "cluster", "namespace"]);
  const logId = BigInt(res.headers()["x-pullsight-export-id"] ?? "0");
  await expect
    .poll(async () => (await db.exportLog.findUnique({ where: { id: logId } }))?.completed)
    .toBe(true);
});

test("an export with a filter it does not know is a 400 with the reason", async ({ request }) => {
  const res = await request.get("/api/export/findings.csv?severity=urgent");
  expect(res.status()).toBe(400);
  expect((await res.json()).error).toMatch(/severity/);
  expect((await request.get("/api/export/secrets.csv")).status()).toBe(404);
});
