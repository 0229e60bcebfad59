// What a weekly review counts from findings (open at the week's end, what got worse, the groups of
// its three sections, the actions), and the figures of a week that has ended kept once computed.
// An ended week's figures change only through late evidence (a finding first seen, resolved or
// changed with a time inside it), a namespace's owner or profile, a cluster's name or a waiver: the
// triggers of migration 20261204020000_review_week_figures forget the weeks such a change touches,
// so a kept week always equals what computing it again would give (review-figures.test.ts).
import { isoWeekOf, type ReviewScope, scopeKey } from "@pullsight/core";
import type { Db } from "../client.ts";
import {
  type ReviewAction,
  type ReviewWindow,
  reviewActions,
  reviewGroups,
  reviewWindow,
  type SevereGroup,
  scopeSql,
  sectionFrom,
  severeGroups,
  type TeamGroup,
} from "./review-groups.ts";
import { listTeams } from "./team-scores.ts";

export interface FindingFigures {
  openAtEnd: number;
  severe: SevereGroup[];
  /** New critical and high findings, in production namespaces and in the others. */
  severeByProfile: Array<{ production: boolean; n: number }>;
  groups: { new: TeamGroup[]; resolved: TeamGroup[]; ageing: TeamGroup[] };
  actions: ReviewAction[];
}

/**
 * The shape and meaning of kept figures: a kept row of another version is computed again. Raise
 * it when what `computeFigures` returns, or how it counts, changes.
 */
const FIGURES_VERSION = 1;

/**
 * How long after its end a week's figures may be kept: a margin for the web's clock against the
 * database's, whose idea of the current week decides which changes can touch an ended one.
 */
const KEEP_AFTER_MS = 10 * 60_000;

async function computeFigures(db: Db, w: ReviewWindow, scope: ReviewScope): Promise<FindingFigures> {
  const [open, severe, severeByProfile, groupsNew, groupsResolved, groupsAgeing, actions] = await Promise.all(
    [
      db.$queryRaw<Array<{ n: number }>>`
      SELECT COUNT(*)::int AS n FROM ${sectionFrom("open", w, scope)} WHERE true ${scopeSql(scope)}`,
      severeGroups(db, w, scope),
      db.$queryRaw<Array<{ production: boolean; n: number }>>`
      SELECT COALESCE(n.profile = 'production', false) AS production, COUNT(*)::int AS n
      FROM ${sectionFrom("new", w, scope)}
      WHERE f.severity::text IN ('critical', 'high') ${scopeSql(scope)}
      GROUP BY 1`,
      reviewGroups(db, "new", w, scope),
      reviewGroups(db, "resolved", w, scope),
      reviewGroups(db, "ageing", w, scope),
      reviewActions(db, w, scope),
    ],
  );
  return {
    openAtEnd: open[0]?.n ?? 0,
    severe,
    severeByProfile,
    groups: { new: groupsNew, resolved: groupsResolved, ageing: groupsAgeing },
    actions,
  };
}

/** Whether a week's figures may be kept: it ended, for the caller and for the wall clock. */
export function keepable(w: ReviewWindow, now: Date): boolean {
  return w.end.getTime() <= Math.min(now.getTime(), Date.now()) - KEEP_AFTER_MS;
}

/**
 * A week's figures for a scope: kept ones for an ended week, else computed (and kept, unless a
 * change that could touch the week committed, or was in flight, while they were computed).
 */
export async function weekFigures(
  db: Db,
  week: string,
  w: ReviewWindow,
  scope: ReviewScope,
  now: Date,
): Promise<FindingFigures> {
  if (!keepable(w, now)) return computeFigures(db, w, scope);
  const key = scopeKey(scope);
  const [kept] = await db.$queryRaw<Array<{ figures: { v: number; f: FindingFigures } }>>`
    SELECT figures FROM "ReviewWeekFigures" WHERE week = ${week} AND scope = ${key}`;
  if (kept?.figures.v === FIGURES_VERSION) return kept.figures.f;
  const before = await epoch(db);
  const figures = await computeFigures(db, w, scope);
  if (before !== null) await keep(db, { week, scope: key, w, before, figures });
  return figures;
}

/**
 * Writers that forget kept weeks hold this lock shared until they commit (migration
 * 20261204130000_review_figures_writers_share); keeping figures takes it exclusively.
 */
const FORGETTING_LOCK = "pullsight:review-figures";

/**
 * How many forgetting changes have been made, when none is in flight; null while one is (its
 * number is taken but its change is not visible yet). Read in a transaction that holds the
 * forgetting lock, without waiting for it.
 */
async function epochIn(tx: Db): Promise<string | null> {
  const [row] = await tx.$queryRaw<Array<{ free: boolean }>>`
    SELECT pg_try_advisory_xact_lock(hashtext(${FORGETTING_LOCK})) AS free`;
  if (!row?.free) return null;
  const [seq] = await tx.$queryRaw<Array<{ n: string }>>`
    SELECT last_value::text || '/' || is_called::text AS n FROM pullsight_review_figures_epoch`;
  return seq?.n ?? null;
}

const epoch = (db: Db) => db.$transaction((tx) => epochIn(tx as Db));

/**
 * Keeps computed figures if no change that forgets kept weeks was made, or in flight, since
 * `before` was read. A writer that comes after waits for this insert to commit and then deletes
 * it. Never waits for a writer: figures not kept are computed again on a later read.
 */
async function keep(
  db: Db,
  k: { week: string; scope: string; w: ReviewWindow; before: string; figures: FindingFigures },
) {
  const figures = JSON.stringify({ v: FIGURES_VERSION, f: k.figures });
  await db.$transaction(async (tx) => {
    if ((await epochIn(tx as Db)) !== k.before) return;
    await tx.$executeRaw`
      INSERT INTO "ReviewWeekFigures" (week, scope, "weekStart", "weekEnd", figures)
      VALUES (${k.week}, ${k.scope}, ${k.w.start}, ${k.w.end}, ${figures}::jsonb)
      ON CONFLICT (week, scope) DO UPDATE SET figures = EXCLUDED.figures, "computedAt" = now()`;
  });
}

/**
 * Keeps last week's figures for the fleet, these clusters and every team, computed where they are
 * not kept yet: the collector does this once the week has ended, so that the first review read
 * on Monday does not wait for them. Returns how many scopes it computed and how many it kept.
 */
export async function keepLastWeek(
  db: Db,
  now: Date,
  clusters: readonly string[],
): Promise<{ computed: number; kept: number }> {
  const week = isoWeekOf(new Date(now.getTime() - 7 * 86_400_000));
  const w = reviewWindow(week, now);
  if (!keepable(w, now)) return { computed: 0, kept: 0 };
  const scopes: ReviewScope[] = [
    { kind: "fleet" },
    ...clusters.map((cluster) => ({ kind: "cluster" as const, cluster })),
    ...(await listTeams(db)).map((team) => ({ kind: "team" as const, team })),
  ];
  const keptScopes = async () =>
    new Set(
      (
        await db.$queryRaw<
          Array<{ scope: string }>
        >`SELECT scope FROM "ReviewWeekFigures" WHERE week = ${week}`
      ).map((r) => r.scope),
    );
  const before = await keptScopes();
  const missing = scopes.filter((s) => !before.has(scopeKey(s)));
  if (!missing.length) return { computed: 0, kept: 0 };
  for (const scope of missing) await weekFigures(db, week, w, scope, now);
  // Figures computed while a forgetting change was in flight are not kept: the next round tries again.
  const after = await keptScopes();
  return { computed: missing.length, kept: missing.filter((s) => after.has(scopeKey(s))).length };
}
