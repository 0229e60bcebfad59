// Every chart draws exactly what its numbers table says. For each chart on the fleet, cluster and
// workload pages, the values in its "Show the numbers" table are mapped through the chart's own
// y-axis (its tick labels and where they are drawn) and compared with what is drawn: each line
// point, the top edge of each area (stacked areas at their running total, or share of the total
// when stacked to 100 %), the top and the bottom of each bar (bars stand on the axis, side by side).
import type { Locator, Page } from "@playwright/test";
import { expect, expectAccessible, test } from "../support/fixtures.ts";

interface Drawn {
  kind: "line" | "area" | "bar";
  /** Per series, in legend order: the drawn y of each point, or each bar's top and bottom. */
  series: Array<Array<{ y: number; bottom?: number }>>;
  ticks: Array<{ text: string; y: number }>;
}

/** A value as the charts write it: "1.2 s", "340 ms", "61.3%", "1,204", "288 (28.8%)". */
export function parseValue(text: string): { value: number; tolerance: number } | null {
  const t = text.trim().replace(/\s*\(.*\)$/, "");
  const m = /^(-?[\d,]*\.?\d+)\s*(s|ms|%)?$/.exec(t);
  if (!m?.[1]) return null;
  const digits = m[1].replace(/,/g, "");
  const decimals = digits.includes(".") ? (digits.split(".")[1]?.length ?? 0) : 0;
  const scale = m[2] === "s" ? 1000 : 1;
  // Half of the last written digit: what the rounding may have taken away.
  return { value: Number(digits) * scale, tolerance: (0.5 * scale) / 10 ** decimals };
}

/** The share a value is of its row, as written after it: "288 (28.8%)" → 28.8. */
const parseShare = (text: string) => {
  const m = /\(([\d.]+)%\)\s*$/.exec(text.trim());
  return m?.[1] ? { value: Number(m[1]), tolerance: 0.05 } : null;
};

async function numbersOf(figure: Locator) {
  await figure.getByText("Show the numbers").click();
  const table = figure.locator("table");
  const head = (await table.locator("thead th").allTextContents()).slice(1);
  const rows = await table
    .locator("tbody tr")
    .evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent ?? "")),
    );
  return { head, rows };
}

async function drawnOf(figure: Locator): Promise<Drawn> {
  // Recharts measures its container first, then draws.
  await figure.locator(".recharts-yAxis-tick-labels text").first().waitFor();
  return figure.evaluate((el) => {
    const num = (v: string | null) => Number(v ?? Number.NaN);
    // Tick labels are drawn at their tick's y.
    const ticks = Array.from(
      el.querySelectorAll(".recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value"),
    ).map((t) => ({ text: t.textContent ?? "", y: num(t.getAttribute("y")) }));
    const points = (d: string) =>
      Array.from(d.matchAll(/[ML]\s*(-?[\d.]+)[ ,](-?[\d.]+)/g)).map((m) => ({ y: Number(m[2]) }));
    const bars = el.querySelectorAll(".recharts-bar");
    if (bars.length)
      return {
        kind: "bar" as const,
        ticks,
        series: Array.from(bars).map((b) =>
          Array.from(b.querySelectorAll(".recharts-rectangle")).map((r) => {
            // Recharts draws a bar as "M x,y h width v height h -width Z".
            const m = /M\s*(-?[\d.]+)[ ,](-?[\d.]+)\s*h\s*(-?[\d.]+)\s*v\s*(-?[\d.]+)/.exec(
              r.getAttribute("d") ?? "",
            );
            const y = num(m?.[2] ?? null);
            const height = num(m?.[4] ?? null);
            return { y: Math.min(y, y + height), bottom: Math.max(y, y + height) };
          }),
        ),
      };
    // One group per series; a series with nothing to draw has no curve in its group.
    const curves = (group: string, curve: string) =>
      Array.from(el.querySelectorAll(group)).map((g) =>
        points(g.querySelector(curve)?.getAttribute("d") ?? ""),
      );
    const areas = curves(".recharts-area", ".recharts-area-curve");
    if (areas.length) return { kind: "area" as const, ticks, series: areas };
    return { kind: "line" as const, ticks, series: curves(".recharts-line", ".recharts-line-curve") };
  });
}

/** The axis as a line through its ticks: value → y. */
function axisOf(ticks: Drawn["ticks"], share: boolean) {
  const known = ticks
    .map((t) => ({
      v: share ? (parseValue(t.text)?.value ?? Number.NaN) / 100 : parseValue(t.text)?.value,
      y: t.y,
    }))
    .filter(
      (t): t is { v: number; y: number } =>
        typeof t.v === "number" && Number.isFinite(t.v) && Number.isFinite(t.y),
    );
  expect(known.length, "the y-axis has at least two labelled ticks").toBeGreaterThanOrEqual(2);
  const first = known[0] as { v: number; y: number };
  const last = known[known.length - 1] as { v: number; y: number };
  const slope = (last.y - first.y) / (last.v - first.v);
  return { y: (v: number) => first.y + (v - first.v) * slope, pxPerUnit: Math.abs(slope) };
}

type Expected = { value: number; tolerance: number };
type Stacking = "none" | "sum" | "expand";

/** What series `s` should draw for each row: its value, its running total, or its running share. */
function expectedValues(rows: string[][], s: number, stacking: Stacking): Expected[] {
  return rows
    .map((cells): Expected | null => {
      if (stacking === "expand") {
        const share = parseShare(cells[s] ?? "");
        const below = cells.slice(0, s).reduce((n, c) => n + (parseShare(c)?.value ?? 0), 0);
        return share ? { value: (below + share.value) / 100, tolerance: ((s + 1) * 0.05) / 100 } : null;
      }
      const own = parseValue(cells[s] ?? "");
      if (!own || stacking === "none") return own;
      const below = cells.slice(0, s).map((c) => parseValue(c));
      return {
        value: below.reduce((n, v) => n + (v?.value ?? 0), own.value),
        tolerance: below.reduce((n, v) => n + (v?.tolerance ?? 0), own.tolerance),
      };
    })
    .filter((v): v is Expected => v !== null);
}

const SLACK_PX = 1.5;

async function checkChart(page: Page, title: string) {
  const figure = page
    .locator("figure")
    .filter({ has: page.getByRole("img", { name: new RegExp(`^${title}:`) }) });
  const { head, rows } = await numbersOf(figure);
  const drawn = await drawnOf(figure);
  const caption = (await figure.locator("figcaption").textContent()) ?? "";
  const stacking: Stacking = caption.includes("Stacked to 100 %")
    ? "expand"
    : caption.includes("Stacked:")
      ? "sum"
      : "none";
  expect(drawn.series.length, `${title}: one drawn series per column`).toBe(head.length);
  const axis = axisOf(drawn.ticks, stacking === "expand");
  // A value beyond the axis's last tick is drawn off its top (the chart labels it there): placing it
  // exactly would extrapolate the ticks' rounding, so it is checked to be above the top instead.
  const top = Math.max(...drawn.ticks.map((t) => parseValue(t.text)?.value ?? 0));
  const near = (px: number, value: Expected, what: string) =>
    value.value - value.tolerance > top && stacking !== "expand"
      ? expect(px, `${what} (off the top)`).toBeLessThan(axis.y(top))
      : expect(Math.abs(px - axis.y(value.value)), what).toBeLessThanOrEqual(
          SLACK_PX + value.tolerance * axis.pxPerUnit,
        );
  for (let s = 0; s < head.length; s++) {
    const expected = expectedValues(rows, s, stacking);
    const marks = drawn.series[s] ?? [];
    const name = `${title} / ${head[s]}`;
    // A bar of zero may be drawn flat or not at all; a line skips gaps, as its values do.
    const shown =
      drawn.kind === "bar" && marks.length !== expected.length
        ? expected.filter((v) => v.value !== 0)
        : expected;
    expect(marks.length, `${name}: one mark per value`).toBe(shown.length);
    shown.forEach((v, i) => {
      const mark = marks[i] as { y: number; bottom?: number };
      near(mark.y, v, `${name} ${i}: drawn at its value`);
      if (drawn.kind === "bar")
        near(mark.bottom ?? Number.NaN, { value: 0, tolerance: 0 }, `${name} ${i}: stands on zero`);
    });
  }
}

test("every chart on the fleet, a cluster and a workload draws exactly what its numbers table says", async ({
  page,
  db,
}) => {
  await page.goto("/");
  const fleetCharts = await page.locator("figure figcaption > span.font-medium").allTextContents();
  expect(fleetCharts.length).toBeGreaterThanOrEqual(5);
  for (const title of fleetCharts) await checkChart(page, title);

  const cluster = await db.cluster.findFirstOrThrow({ orderBy: { name: "asc" } });
  await page.goto(`/clusters/${encodeURIComponent(cluster.name)}`);
  for (const title of await page.locator("figure figcaption > span.font-medium").allTextContents())
    await checkChart(page, title);

  // A workload with pulls in the last week, so its latency bars have something to draw.
  const pulled = await db.pullEvent.findFirstOrThrow({
    where: {
      reason: "Pulled",
      alreadyPresent: false,
      pullDurationMs: { not: null },
      workloadId: { not: null },
    },
    orderBy: { lastTimestamp: "desc" },
  });
  await page.goto(`/workloads/${pulled.workloadId}`);
  const latency = "Pull latency by image, last 7 days";
  await expect(page.getByRole("img", { name: new RegExp(`^${latency}:`) })).toBeVisible();
  await checkChart(page, latency);
});

test("the score trends mark what happened on their days, as stored history says, each linking to its evidence", async ({
  page,
  request,
  db,
}) => {
  await page.goto("/");
  const figure = page
    .locator("figure")
    .filter({ has: page.getByRole("img", { name: /^Compliance score:/ }) });
  const list = figure.getByRole("list", { name: "Marked on the chart" });
  const items = list.getByRole("listitem");
  expect(await items.count(), "three weeks of the demo story leave marks").toBeGreaterThan(0);
  // Rollout days: the busiest five, each counting the workloads whose image changed that day.
  const days = await db.$queryRaw<Array<{ day: string; n: number }>>`
    SELECT to_char(date_trunc('day', at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, COUNT(DISTINCT "workloadId")::int AS n
    FROM "ImageChange" WHERE at >= now() - interval '56 days' GROUP BY 1 ORDER BY n DESC, day LIMIT 5`;
  expect(days.length, "the story rolls out images").toBeGreaterThan(0);
  for (const d of days) {
    const text = `${d.day}: ${d.n.toLocaleString("en")} workload${d.n === 1 ? "" : "s"} changed image`;
    await expect(items.filter({ hasText: text })).toHaveCount(1);
  }
  // Each mark's line is drawn on the chart, and each link answers.
  const lines = await figure.locator(".recharts-reference-line").count();
  const markedDays = new Set(
    (await items.allTextContents()).map((t) => t.slice(t.search(/\d{4}-/), t.search(/\d{4}-/) + 10)),
  );
  expect(lines).toBe(markedDays.size);
  for (const href of await list
    .getByRole("link")
    .evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? "")))
    expect((await request.get(href)).status(), href).toBe(200);
  await expectAccessible(page);
});

test("an exceptional day does not flatten the failure chart: the axis stops short of it, and the chart names it with its value", async ({
  page,
  db,
}) => {
  // A first day of collection that counted every failure already under way: ten times the
  // busiest seeded day, the day before the seeded history begins.
  const first = await db.pullLatencyDaily.findFirstOrThrow({ orderBy: { day: "asc" } });
  const [busiest] = await db.$queryRaw<Array<{ n: number }>>`
    SELECT COALESCE(MAX(n), 0)::int AS n FROM (SELECT SUM(failures) AS n FROM "PullLatencyDaily" GROUP BY day) d`;
  const spike = 10 * (busiest?.n ?? 0) + 10;
  const key = {
    clusterId: first.clusterId,
    day: new Date(first.day.getTime() - 86_400_000),
    registry: "docker.io",
  };
  await db.pullLatencyDaily.create({
    data: {
      ...key,
      pulls: 0,
      alreadyPresent: 0,
      failures: spike,
      failuresByCause: { "not-found": spike },
      updatedAt: new Date(),
    },
  });
  try {
    const title = "Pull failures by cause";
    const figure = page
      .locator("figure")
      .filter({ has: page.getByRole("img", { name: new RegExp(`^${title}:`) }) });
    // The replicas forget what the new row changes within moments (their cache listens for it).
    await expect(async () => {
      await page.goto("/");
      expect(await figure.locator("figcaption").textContent()).toContain("Off the scale:");
    }).toPass({ timeout: 10_000 });
    const caption = (await figure.locator("figcaption").textContent()) ?? "";
    const { rows } = await numbersOf(figure);
    const days = await figure.locator("table tbody th").allTextContents();
    const totals = rows.map((cells) => cells.reduce((n, c) => n + (parseValue(c)?.value ?? 0), 0));
    const drawn = await drawnOf(figure);
    const top = Math.max(...drawn.ticks.map((t) => parseValue(t.text)?.value ?? 0));
    const above = days.filter((_, i) => (totals[i] ?? 0) > top);
    expect(above, "only the exceptional day is off the scale").toEqual([key.day.toISOString().slice(0, 10)]);
    expect(top, "the axis ends within reach of the other days").toBeLessThanOrEqual(
      2 * Math.max(...totals.filter((v) => v !== spike), 1) + 10,
    );
    const label = key.day.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
    expect(caption).toContain(`${label} (${spike.toLocaleString("en")})`);
    // Marked at the top of the axis with its value.
    await expect(
      figure.locator("svg").getByText(`↑ ${spike.toLocaleString("en")}`, { exact: true }),
    ).toHaveCount(1);
    // Every day, the exceptional one included, is drawn at its value on the axis's scale.
    await checkChart(page, title);
  } finally {
    await db.pullLatencyDaily.delete({ where: { clusterId_day_registry: key } });
  }
});
