// What happened on the days a trend moved, from stored history, for marks on the fleet's and a
// cluster's trends: rollouts (workloads whose images changed: RolloutDay, and ImageChange for
// examples), tags that moved (PS010 drift and PS020 registry moves first seen), incidents (days
// whose failed pulls spiked, by cause), waivers created and reviews signed. Each mark carries what its evidence page needs to be found.
import { TAG_MOVE_RULES } from "@pullsight/core";
import { z } from "zod";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";

export const TREND_MARK_KINDS = ["rollout", "tag-moved", "incident", "waiver", "sign-off"] as const;
export type TrendMarkKind = (typeof TREND_MARK_KINDS)[number];

export const trendMark = z.object({
  /** The UTC day. */
  day: z.date(),
  kind: z.enum(TREND_MARK_KINDS),
  /** Workloads rolled out, findings opened, failed pulls, waivers created, reviews signed. */
  count: z.number().int(),
  /** A few of what it counts, in words (workloads, images, causes, rules, weeks). */
  examples: z.array(z.string()),
  /** For a sign-off: the ISO week and scope signed; for an incident: its main cause. */
  ref: z.string().nullable(),
});
export type TrendMark = z.infer<typeof trendMark>;

/** Days of each busy kind marked: the heaviest, so that marks stay readable on eight weeks. */
export const MARKS_PER_KIND = 5;
/** A day's failed pulls are an incident from this many, and from three times the range's median day. */
export const INCIDENT_MIN_FAILURES = 10;

type Row = { day: Date; count: number; examples: string[] | null; ref: string | null };

/**
 * The first snapshot of a mark's cluster (`x`). What it finds was there before history began: a
 * drift it opens did not happen that day, and the failed pulls of its day include events counted
 * before collection started, so neither is marked.
 */
const FIRST_SNAPSHOT = Prisma.sql`(SELECT s0.id FROM "Snapshot" s0 WHERE s0."clusterId" = x."clusterId" ORDER BY s0."startedAt" LIMIT 1)`;

export async function getTrendMarks(
  db: Db,
  opts: { cluster?: string; from: Date; to: Date },
): Promise<TrendMark[]> {
  const { from, to } = opts;
  const cluster = opts.cluster
    ? Prisma.sql`AND x."clusterId" = (SELECT id FROM "Cluster" WHERE name = ${opts.cluster})`
    : Prisma.empty;
  const day = (col: Prisma.Sql) =>
    Prisma.sql`date_trunc('day', ${col} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
  const [rollouts, moved, failures, waivers, reviews] = await Promise.all([
    // The busiest days from the daily counts (a day in the range counts whole); the changes and
    // workloads are looked up for the examples of the days marked only.
    db.$queryRaw<Row[]>`
      WITH d AS (
        SELECT x.day::timestamp AT TIME ZONE 'UTC' AS day, SUM(x.workloads)::int AS count
        FROM "RolloutDay" x
        WHERE x.day >= (${from}::timestamptz AT TIME ZONE 'UTC')::date
          AND x.day::timestamp AT TIME ZONE 'UTC' < ${to} ${cluster}
        GROUP BY 1 ORDER BY count DESC, day LIMIT ${MARKS_PER_KIND})
      SELECT d.day, d.count, NULL AS ref, ARRAY(
          SELECT w.namespace || '/' || w.name FROM "Workload" w WHERE w.id IN (
            SELECT x."workloadId" FROM "ImageChange" x
            WHERE x.at >= d.day AND x.at < d.day + interval '1 day' ${cluster} LIMIT 3)
          ORDER BY 1) AS examples
      FROM d ORDER BY d.count DESC, d.day`,
    db.$queryRaw<Row[]>`
      SELECT ${day(Prisma.sql`COALESCE(x."firstSeenAt", x."openedAt")`)} AS day, COUNT(*)::int AS count,
        (array_agg(DISTINCT x.image))[1:3] AS examples, NULL AS ref
      FROM "Finding" x
      WHERE x."ruleId" = ANY(${[...TAG_MOVE_RULES]}::text[]) AND x."openedSnapshotId" <> ${FIRST_SNAPSHOT}
        AND COALESCE(x."firstSeenAt", x."openedAt") >= ${from} AND COALESCE(x."firstSeenAt", x."openedAt") < ${to} ${cluster}
      GROUP BY 1 ORDER BY count DESC, day LIMIT ${MARKS_PER_KIND}`,
    db.$queryRaw<Array<{ day: Date; cause: string; n: number }>>`
      SELECT x.day::timestamp AT TIME ZONE 'UTC' AS day, c.key AS cause, SUM(c.value::int)::int AS n
      FROM "PullLatencyDaily" x CROSS JOIN LATERAL jsonb_each_text(x."failuresByCause") AS c(key, value)
      WHERE x.day >= ${from}::date AND x.day < ${to}::date ${cluster}
        AND x.day > (SELECT (s."startedAt" AT TIME ZONE 'UTC')::date FROM "Snapshot" s WHERE s.id = ${FIRST_SNAPSHOT})
      GROUP BY 1, 2`,
    db.$queryRaw<Row[]>`
      SELECT ${day(Prisma.sql`x."createdAt"`)} AS day, COUNT(*)::int AS count,
        (array_agg(DISTINCT x."ruleId"))[1:3] AS examples, NULL AS ref
      FROM "Waiver" x
      WHERE x."createdAt" >= ${from} AND x."createdAt" < ${to}
        ${opts.cluster ? Prisma.sql`AND (x.cluster IS NULL OR x.cluster = ${opts.cluster})` : Prisma.empty}
      GROUP BY 1`,
    db.$queryRaw<Row[]>`
      SELECT ${day(Prisma.sql`x."signedAt"`)} AS day, 1 AS count, ARRAY[x.reviewer] AS examples,
        x."isoWeek" || ' ' || x.scope AS ref
      FROM "Review" x
      WHERE x."signedAt" >= ${from} AND x."signedAt" < ${to}
        AND x.scope = ${opts.cluster ? `cluster:${opts.cluster}` : "fleet"}`,
  ]);
  const marks = (kind: TrendMarkKind, rows: Row[]): TrendMark[] =>
    rows.map((r) => ({ day: r.day, kind, count: r.count, examples: r.examples ?? [], ref: r.ref }));
  return [
    ...marks("rollout", rollouts),
    ...marks("tag-moved", moved),
    ...incidents(failures),
    ...marks("waiver", waivers),
    ...marks("sign-off", reviews),
  ].sort((a, b) => a.day.getTime() - b.day.getTime() || a.kind.localeCompare(b.kind));
}

/** Days whose failed pulls reach INCIDENT_MIN_FAILURES and three times the median day, heaviest first. */
export function incidents(rows: ReadonlyArray<{ day: Date; cause: string; n: number }>): TrendMark[] {
  const byDay = new Map<number, Map<string, number>>();
  for (const r of rows) {
    const causes = byDay.get(r.day.getTime()) ?? new Map<string, number>();
    causes.set(r.cause, (causes.get(r.cause) ?? 0) + r.n);
    byDay.set(r.day.getTime(), causes);
  }
  const totals = [...byDay].map(([t, causes]) => ({
    t,
    total: [...causes.values()].reduce((a, b) => a + b, 0),
    causes: [...causes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  }));
  const sorted = totals.map((d) => d.total).sort((a, b) => a - b);
  const median = sorted.length ? (sorted[Math.floor((sorted.length - 1) / 2)] as number) : 0;
  return totals
    .filter((d) => d.total >= INCIDENT_MIN_FAILURES && d.total >= 3 * median)
    .sort((a, b) => b.total - a.total || a.t - b.t)
    .slice(0, MARKS_PER_KIND)
    .map((d) => ({
      day: new Date(d.t),
      kind: "incident" as const,
      count: d.total,
      examples: d.causes.slice(0, 3).map(([c, n]) => `${c} ${n}`),
      ref: d.causes[0]?.[0] ?? null,
    }));
}
