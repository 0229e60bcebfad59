// The weekly review read in groups: a section's findings (new, resolved, ageing, or open at the
// week's end) counted team → rule, and a rule's images when it is opened, with exact workload and
// container counts at every level, the changes that would resolve the most weighted open
// findings, and the rows of one group on demand. Every query reads findings through one FROM clause, so a team is the same set of
// namespaces everywhere.
import {
  DIGEST_PIN,
  DIGEST_PIN_RULE_IDS,
  isoWeekRange,
  type ReviewScope,
  ruleAction,
  SEVERITIES_MOST_SEVERE_FIRST,
  SEVERITY_WEIGHTS,
  type Severity,
  UNOWNED,
} from "@pullsight/core";
import { addDays } from "date-fns";
import { z } from "zod";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { bySeverity, severity } from "./results.ts";
import { waivedSql, waiverRuleIds } from "./waivers.ts";

export const AGEING_DAYS = 30;

export const REVIEW_SECTIONS = ["new", "resolved", "ageing", "open"] as const;
export type ReviewSection = (typeof REVIEW_SECTIONS)[number];

/** A review's week: its bounds, and the instant its figures stand at (its end, or now while it runs). */
export interface ReviewWindow {
  start: Date;
  end: Date;
  at: Date;
}

/** A week's bounds and the instant its figures stand at. */
export function reviewWindow(week: string, now: Date): ReviewWindow {
  const { start, end } = isoWeekRange(week);
  return { start, end, at: end < now ? end : now };
}

/** Findings with their cluster, namespace owner and workload. */
export const REVIEW_FROM = Prisma.sql`"Finding" f JOIN "Cluster" c ON c.id = f."clusterId"
  LEFT JOIN "Namespace" n ON n."clusterId" = f."clusterId" AND n.name = f.namespace
  LEFT JOIN "Workload" wl ON wl.id = f."workloadId"`;
/**
 * The owning team as shown: unowned namespaces are a team of their own. A literal rather than a
 * parameter, so that GROUP BY recognises the expression the SELECT list names.
 */
export const OWNER_SQL = Prisma.raw(`COALESCE(n.owner, '${UNOWNED.replaceAll("'", "''")}')`);

export function scopeSql(s: ReviewScope): Prisma.Sql {
  if (s.kind === "fleet") return Prisma.empty;
  if (s.kind === "cluster") return Prisma.sql`AND c.name = ${s.cluster}`;
  if (s.kind === "team") return Prisma.sql`AND ${OWNER_SQL} = ${s.team}`;
  return Prisma.sql`AND c.name = ${s.cluster} AND f.namespace = ${s.namespace}`;
}

/** New in a week means first seen that week (a signed week never changes afterwards); age counts from when the condition began. */
const FIRST_SEEN = Prisma.sql`COALESCE(f."firstSeenAt", f."openedAt")`;

/** The columns of a finding the review reads. */
const SECTION_COLUMNS = Prisma.raw(
  `f.id, f."clusterId", f.namespace, f."workloadId", f."containerName", f."ruleId", f.severity, f.image, f."openedAt", f."firstSeenAt"`,
);

/**
 * A section's findings in a scope as a relation (name it `f`) with the columns the review reads.
 * Open at an instant is read as the open findings first seen before it (the partial index on open
 * findings covers what the review reads of them) plus those resolved since: two index reads where
 * one `OR` read every finding of the history. A scope's cluster and namespace are applied inside
 * each part, where the indexes can use them; callers still apply the whole scope (`scopeSql`).
 */
export function sectionFindings(section: ReviewSection, w: ReviewWindow, scope: ReviewScope): Prisma.Sql {
  const within =
    scope.kind === "cluster" || scope.kind === "namespace"
      ? Prisma.sql`AND f."clusterId" = (SELECT id FROM "Cluster" WHERE name = ${scope.cluster})
          ${scope.kind === "namespace" ? Prisma.sql`AND f.namespace = ${scope.namespace}` : Prisma.empty}`
      : Prisma.empty;
  if (section === "new" || section === "resolved")
    return Prisma.sql`(SELECT ${SECTION_COLUMNS}, f."resolvedAt" FROM "Finding" f WHERE ${sectionSql(section, w)} ${within})`;
  const ageing =
    section === "ageing" ? Prisma.sql`AND f."openedAt" < ${addDays(w.at, -AGEING_DAYS)}` : Prisma.empty;
  return Prisma.sql`(
    SELECT ${SECTION_COLUMNS}, NULL::timestamptz(3) AS "resolvedAt" FROM "Finding" f
    WHERE f."resolvedAt" IS NULL AND ${FIRST_SEEN} < ${w.at} ${ageing} ${within}
    UNION ALL
    SELECT ${SECTION_COLUMNS}, f."resolvedAt" FROM "Finding" f
    WHERE f."resolvedAt" >= ${w.at} AND ${FIRST_SEEN} < ${w.at} ${ageing} ${within})`;
}

/** A section's findings in a scope with their cluster and namespace (and workload, when asked for). */
export function sectionFrom(
  section: ReviewSection,
  w: ReviewWindow,
  scope: ReviewScope,
  o: { workload?: boolean } = {},
) {
  return Prisma.sql`${sectionFindings(section, w, scope)} f JOIN "Cluster" c ON c.id = f."clusterId"
  LEFT JOIN "Namespace" n ON n."clusterId" = f."clusterId" AND n.name = f.namespace
  ${o.workload ? Prisma.sql`LEFT JOIN "Workload" wl ON wl.id = f."workloadId"` : Prisma.empty}`;
}

/** The predicate of a section on "Finding" f: the definition `sectionFindings` reads by index. */
export function sectionSql(section: ReviewSection, w: ReviewWindow): Prisma.Sql {
  const openAtEnd = Prisma.sql`${FIRST_SEEN} < ${w.at} AND (f."resolvedAt" IS NULL OR f."resolvedAt" >= ${w.at})`;
  switch (section) {
    case "new":
      return Prisma.sql`${FIRST_SEEN} >= ${w.start} AND ${FIRST_SEEN} < ${w.end}`;
    case "resolved":
      return Prisma.sql`f."resolvedAt" >= ${w.start} AND f."resolvedAt" < ${w.end}`;
    case "ageing":
      return Prisma.sql`${openAtEnd} AND f."openedAt" < ${addDays(w.at, -AGEING_DAYS)}`;
    case "open":
      return openAtEnd;
  }
}

const counts = {
  findings: z.number().int(),
  workloads: z.number().int(),
  containers: z.number().int(),
  bySeverity,
  /** Findings weighted by severity (core SEVERITY_WEIGHTS): the order groups are read in. */
  weight: z.number().int(),
};
export const imageGroup = z.object({ image: z.string().nullable(), ...counts });
export const ruleGroup = z.object({ ruleId: z.string(), ...counts });
export const teamGroup = z.object({ team: z.string(), ...counts, rules: z.array(ruleGroup) });
export type TeamGroup = z.infer<typeof teamGroup>;
/** A rule's images in a section's team group: the heaviest, and how many more with how many findings. */
export const imageGroups = z.object({
  images: z.array(imageGroup),
  /** Images beyond the ones listed (the lightest), with their findings. */
  moreImages: z.object({ images: z.number().int(), findings: z.number().int() }),
});
export type ImageGroups = z.infer<typeof imageGroups>;
type Counts = Omit<z.infer<typeof imageGroup>, "image">;

/** Images listed per rule of a team; the rest are counted. */
export const IMAGES_PER_RULE = 8;

interface GroupRow {
  level: number;
  team: string;
  ruleId: string | null;
  image: string | null;
  findings: number;
  workloads: number;
  containers: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
}

function countsOf(r: GroupRow): Counts {
  const by = { critical: r.critical, high: r.high, medium: r.medium, low: r.low, info: r.info };
  const weight = SEVERITIES_MOST_SEVERE_FIRST.reduce((n, s) => n + by[s] * SEVERITY_WEIGHTS[s], 0);
  return { findings: r.findings, workloads: r.workloads, containers: r.containers, bySeverity: by, weight };
}

const heaviest = (a: Counts, b: Counts) => b.weight - a.weight || b.findings - a.findings;

/** What every group counts: findings, distinct workloads and containers, findings by severity. */
function groupCounts(): Prisma.Sql {
  const by = (s: Severity) => Prisma.sql`(COUNT(*) FILTER (WHERE f.severity = ${s}::"FindingSeverity"))::int`;
  return Prisma.sql`COUNT(*)::int AS findings, COUNT(DISTINCT f."workloadId")::int AS workloads,
      COUNT(DISTINCT (f."workloadId", f."containerName"))::int AS containers,
      ${by("critical")} AS critical, ${by("high")} AS high, ${by("medium")} AS medium, ${by("low")} AS low, ${by("info")} AS info`;
}

/**
 * A section's findings as team → rule, heaviest first. A rule's images are read when it is opened
 * (`reviewImageGroups`): a fleet's ageing findings make thousands of image groups, which no page
 * shows at once.
 */
export async function reviewGroups(
  db: Db,
  section: ReviewSection,
  w: ReviewWindow,
  scope: ReviewScope,
  /** Only this team's group. */
  team?: string,
): Promise<TeamGroup[]> {
  const ofTeam = team === undefined ? Prisma.empty : Prisma.sql`AND ${OWNER_SQL} = ${team}`;
  // GROUPING() is 0 for a column grouped by: level 0 is a rule, 1 a team.
  const rows = await db.$queryRaw<GroupRow[]>`
    SELECT GROUPING(f."ruleId")::int AS level, ${OWNER_SQL} AS team, f."ruleId", ${groupCounts()}
    FROM ${sectionFrom(section, w, scope)}
    WHERE true ${scopeSql(scope)} ${ofTeam}
    GROUP BY GROUPING SETS ((${OWNER_SQL}), (${OWNER_SQL}, f."ruleId"))`;
  const teams = new Map<string, TeamGroup>();
  for (const r of rows.filter((r) => r.level === 1))
    teams.set(r.team, { team: r.team, ...countsOf(r), rules: [] });
  for (const r of rows.filter((r) => r.level === 0))
    teams.get(r.team)?.rules.push({ ruleId: r.ruleId as string, ...countsOf(r) });
  for (const team of teams.values())
    team.rules.sort((a, b) => heaviest(a, b) || a.ruleId.localeCompare(b.ruleId));
  return [...teams.values()].sort((a, b) => heaviest(a, b) || a.team.localeCompare(b.team));
}

/**
 * The rules of one team's group in a section, heaviest first: what a page shows when the team is
 * opened (a fleet's review has hundreds of rule groups across its teams; a page lists teams).
 */
export async function reviewTeamRules(
  db: Db,
  section: ReviewSection,
  w: ReviewWindow,
  scope: ReviewScope,
  team: string,
): Promise<TeamGroup["rules"]> {
  return (await reviewGroups(db, section, w, scope, team))[0]?.rules ?? [];
}

/** One rule's images in a team's group of a section, heaviest first (IMAGES_PER_RULE, the rest counted). */
export async function reviewImageGroups(
  db: Db,
  section: ReviewSection,
  w: ReviewWindow,
  scope: ReviewScope,
  group: { team: string; ruleId: string },
): Promise<ImageGroups> {
  const rows = await db.$queryRaw<GroupRow[]>`
    SELECT 0 AS level, ${OWNER_SQL} AS team, f."ruleId", f.image, ${groupCounts()}
    FROM ${sectionFrom(section, w, scope)}
    WHERE ${OWNER_SQL} = ${group.team} AND f."ruleId" = ${group.ruleId} ${scopeSql(scope)}
    GROUP BY ${OWNER_SQL}, f."ruleId", f.image`;
  const images = rows
    .map((r) => ({ image: r.image, ...countsOf(r) }))
    .sort((a, b) => heaviest(a, b) || String(a.image).localeCompare(String(b.image)));
  const rest = images.splice(IMAGES_PER_RULE);
  return { images, moreImages: { images: rest.length, findings: rest.reduce((n, i) => n + i.findings, 0) } };
}

export const reviewAction = z.object({
  team: z.string(),
  /** A rule id, or core DIGEST_PIN: one change that resolves every digest-pin rule's findings. */
  remedy: z.string(),
  /** The rules whose findings it resolves. */
  ruleIds: z.array(z.string()),
  image: z.string().nullable(),
  /** The change, in words (core ruleAction). */
  text: z.string(),
  severity,
  findings: z.number().int(),
  workloads: z.number().int(),
  weight: z.number().int(),
});
export type ReviewAction = z.infer<typeof reviewAction>;

/** Actions a review lists. */
export const ACTIONS_SHOWN = 8;

/**
 * The changes that would resolve the most weighted open, unwaived findings at the week's end: one
 * per team, image and remedy, where pinning the image by digest is one remedy for every rule it
 * resolves (a mutable tag fires PS001, PS002 and PS010 at once; one pin clears them all).
 */
export async function reviewActions(db: Db, w: ReviewWindow, scope: ReviewScope): Promise<ReviewAction[]> {
  const weights = Prisma.join(
    SEVERITIES_MOST_SEVERE_FIRST.map((s) => Prisma.sql`WHEN ${s} THEN ${SEVERITY_WEIGHTS[s]}`),
    " ",
  );
  const weight = Prisma.sql`SUM(CASE f.severity::text ${weights} ELSE 0 END)`;
  // Only rules with a waiver in force can have waived findings: the rest skip the check and the
  // workload lookup it needs.
  const waived = await waiverRuleIds(db, w.at);
  const unwaived =
    waived.length === 0
      ? Prisma.empty
      : Prisma.sql`AND NOT (f."ruleId" = ANY(${waived}::text[]) AND ${waivedSql(w.at)})`;
  const rows = await db.$queryRaw<Array<Omit<ReviewAction, "text">>>`
    SELECT ${OWNER_SQL} AS team,
      CASE WHEN f."ruleId" = ANY(${[...DIGEST_PIN_RULE_IDS]}::text[]) THEN ${DIGEST_PIN} ELSE f."ruleId" END AS remedy,
      f.image, array_agg(DISTINCT f."ruleId" ORDER BY f."ruleId") AS "ruleIds",
      (array_agg(f.severity::text ORDER BY f.severity DESC))[1] AS severity,
      COUNT(*)::int AS findings, COUNT(DISTINCT f."workloadId")::int AS workloads, ${weight}::int AS weight
    FROM ${sectionFrom("open", w, scope, { workload: waived.length > 0 })}
    WHERE true ${scopeSql(scope)} ${unwaived}
    GROUP BY 1, 2, 3
    HAVING ${weight} > 0
    ORDER BY weight DESC, findings DESC, 1, 2, 3
    LIMIT ${ACTIONS_SHOWN}`;
  return rows.map((r) => ({ ...r, text: ruleAction(r.remedy, r.image) }));
}

export const severeGroup = z.object({
  ruleId: z.string(),
  image: z.string().nullable(),
  severity,
  findings: z.number().int(),
  workloads: z.number().int(),
  teams: z.array(z.string()),
});
export type SevereGroup = z.infer<typeof severeGroup>;

/** Groups of new critical and high findings listed first on a review. */
export const SEVERE_GROUPS_SHOWN = 10;

/** New critical and high findings in production namespaces, by rule and image, most severe and most first. */
export async function severeGroups(db: Db, w: ReviewWindow, scope: ReviewScope): Promise<SevereGroup[]> {
  return db.$queryRaw<SevereGroup[]>`
    SELECT f."ruleId", f.image, f.severity::text AS severity, COUNT(*)::int AS findings,
      COUNT(DISTINCT f."workloadId")::int AS workloads, array_agg(DISTINCT ${OWNER_SQL} ORDER BY ${OWNER_SQL}) AS teams
    FROM ${sectionFrom("new", w, scope)}
    WHERE f.severity::text IN ('critical', 'high') AND n.profile = 'production' ${scopeSql(scope)}
    GROUP BY f."ruleId", f.image, f.severity
    ORDER BY f.severity DESC, findings DESC, 1, 2
    LIMIT ${SEVERE_GROUPS_SHOWN}`;
}
