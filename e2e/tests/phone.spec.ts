// At a phone's width (390 px) no page scrolls sideways: tables become rows of labelled values (each
// cell names its column), charts' number tables scroll inside their own box, and nothing placed
// absolutely inside them widens the page.
import { expect, screenshotPhone, test } from "../support/fixtures.ts";

test("at 390 px no main page is wider than the screen", async ({ page, db }) => {
  // Each page is also photographed, light and dark, at full length.
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 390, height: 844 });
  const cluster = await db.cluster.findFirstOrThrow({ orderBy: { name: "asc" } });
  const workload = await db.workload.findFirstOrThrow({ where: { deletedAt: null }, orderBy: { id: "asc" } });
  const owned = await db.namespace.findFirstOrThrow({
    where: { owner: { not: null } },
    orderBy: { name: "asc" },
  });
  const pages = [
    "/",
    "/clusters",
    `/clusters/${encodeURIComponent(cluster.name)}`,
    "/teams",
    `/teams/${encodeURIComponent(owned.owner ?? "")}`,
    "/workloads",
    `/workloads/${workload.id}`,
    "/findings",
    "/failing",
    "/images",
    "/will-it-pull",
    "/review",
    "/rules",
    "/collector",
  ];
  const widths: Record<string, number> = {};
  const tables: Record<string, TableCheck[]> = {};
  for (const path of pages) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    widths[path] = await page.evaluate(() => document.documentElement.scrollWidth);
    tables[path] = await page.evaluate(checkTables);
    await screenshotPhone(page, `page${path.replace(/[^a-z0-9]+/gi, "-").replace(/-$/, "") || "-fleet"}`);
  }
  expect(widths).toEqual(Object.fromEntries(pages.map((p) => [p, 390])));
  // Every table is rows or a chart's numbers; rows fit their box and label each cell with its column.
  const listed = Object.values(tables).flat();
  expect(listed.filter((t) => t.kind === "rows").length).toBeGreaterThan(10);
  const wrong = Object.entries(tables).flatMap(([path, ts]) =>
    ts
      .filter(
        (t) =>
          t.kind === "other" ||
          (t.kind === "rows" && (t.overflow > 0 || t.labels.join() !== t.headers.join())),
      )
      .map((t) => ({ path, ...t })),
  );
  expect(wrong).toEqual([]);
});

interface TableCheck {
  kind: "rows" | "numbers" | "other";
  caption: string;
  /** How far the table reaches past the box it sits in (px). */
  overflow: number;
  /** The header's column names, and what the first row's cells say they are. */
  headers: string[];
  labels: string[];
}

/** Runs in the page: each table's kind, overflow, and first row's cell labels against its header. */
function checkTables(): TableCheck[] {
  const text = (el: Element) => (el.textContent ?? "").replace(/[▲▼↕]/g, "").trim();
  // React's streaming parks table rows it has not placed yet in hidden tables of its own.
  return Array.from(document.querySelectorAll<HTMLTableElement>("table:not([hidden])")).map((t) => {
    const kind = t.classList.contains("rows-table")
      ? "rows"
      : t.classList.contains("numbers-table")
        ? "numbers"
        : "other";
    const box = t.parentElement as HTMLElement;
    const cells = Array.from(t.tBodies[0]?.rows[0]?.cells ?? []);
    const headers = Array.from(t.tHead?.rows[0]?.cells ?? []).map(text);
    const labels = cells.map((c) => {
      const content = getComputedStyle(c, "::before").content;
      return content === "none" || content === "normal" ? "" : JSON.parse(content);
    });
    return {
      kind,
      caption: t.caption ? text(t.caption) : "",
      overflow: kind === "rows" && t.getClientRects().length > 0 ? box.scrollWidth - box.clientWidth : 0,
      // A column without a name leaves its cells unlabelled; an empty table has no row to check.
      headers: cells.length === 0 ? [] : headers,
      labels,
    };
  });
}
