// Trend marks as a chart draws them: a glyph and colour per kind, a sentence, and the page or
// export that holds the evidence (scoped to the cluster when the trend is one cluster's).
import { TAG_MOVE_RULES } from "@pullsight/core";
import type { ChartMark } from "~/components/charts.tsx";
import type { Outputs } from "~/server/outputs.ts";

type Mark = Outputs["trends"]["marks"][number];

const DAY = 86_400_000;

const LOOK: Record<Mark["kind"], { glyph: string; color: string }> = {
  rollout: { glyph: "R", color: "#7c3aed" },
  "tag-moved": { glyph: "T", color: "#d97706" },
  incident: { glyph: "!", color: "#dc2626" },
  waiver: { glyph: "W", color: "#64748b" },
  "sign-off": { glyph: "✓", color: "#059669" },
};

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
const listed = (xs: string[]) => (xs.length ? ` (${xs.join(", ")}${xs.length === 3 ? ", …" : ""})` : "");

function textOf(m: Mark): string {
  switch (m.kind) {
    case "rollout":
      return `${plural(m.count, "workload")} changed image${listed(m.examples)}`;
    case "tag-moved":
      return `${plural(m.count, "tag")} moved under running pods${listed(m.examples)}`;
    case "incident":
      return `${plural(m.count, "failed pull")}: ${m.examples.join(", ")}`;
    case "waiver":
      return `${plural(m.count, "waiver")} created${listed(m.examples)}`;
    case "sign-off":
      return `review ${m.ref?.split(" ")[0] ?? ""} signed off by ${m.examples[0] ?? "a reviewer"}`;
  }
}

function hrefOf(m: Mark, cluster: string | undefined): string {
  const q = (params: Record<string, string | undefined>) => {
    const s = new URLSearchParams(
      Object.entries({ cluster, ...params }).filter(([, v]) => v) as Array<[string, string]>,
    ).toString();
    return s ? `?${s}` : "";
  };
  const day = { from: m.day.toISOString(), to: new Date(m.day.getTime() + DAY).toISOString() };
  switch (m.kind) {
    case "rollout":
      return `/api/export/pull-events.csv${q({ ...day, reason: "Pulled" })}`;
    case "tag-moved":
      return `/findings${q({ ruleId: TAG_MOVE_RULES[0] })}`;
    case "incident":
      return `/api/export/pull-events.csv${q(day)}`;
    case "waiver":
      return `/findings${q({ status: "waived" })}`;
    case "sign-off": {
      const [week, scope] = (m.ref ?? "").split(" ");
      return `/review?week=${encodeURIComponent(week ?? "")}&scope=${encodeURIComponent(scope ?? "fleet")}`;
    }
  }
}

export function chartMarks(marks: readonly Mark[], cluster?: string): ChartMark[] {
  return marks.map((m) => ({
    t: m.day.getTime(),
    ...LOOK[m.kind],
    text: textOf(m),
    href: hrefOf(m, cluster),
  }));
}
