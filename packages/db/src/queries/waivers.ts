// Waivers: create, revoke, list, and the ones in force, for the collector's scores and for the
// queries that report findings as waived. Matching is core's waiverMatches; in SQL it is
// `waivedSql` below, kept equal to it by waivers.test.ts.
import { globToLike, type WaiverScope } from "@pullsight/core";
import { z } from "zod";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";

export interface WaiverInput extends WaiverScope {
  reason: string;
  owner: string;
  expiresAt: Date;
}

export const WAIVER_STATES = ["active", "expired", "revoked"] as const;

export const waiverRow = z.object({
  id: z.number().int(),
  ruleId: z.string(),
  cluster: z.string().nullable(),
  namespace: z.string().nullable(),
  workloadKind: z.string().nullable(),
  workloadName: z.string().nullable(),
  imagePattern: z.string().nullable(),
  reason: z.string(),
  owner: z.string(),
  expiresAt: z.date(),
  createdBy: z.string(),
  createdAt: z.date(),
  revokedAt: z.date().nullable(),
  revokedBy: z.string().nullable(),
  revokeReason: z.string().nullable(),
  state: z.enum(WAIVER_STATES),
});
export type WaiverRow = z.infer<typeof waiverRow>;

const SELECT = {
  id: true,
  ruleId: true,
  cluster: true,
  namespace: true,
  workloadKind: true,
  workloadName: true,
  imagePattern: true,
  reason: true,
  owner: true,
  expiresAt: true,
  createdBy: true,
  createdAt: true,
  revokedAt: true,
  revokedBy: true,
  revokeReason: true,
} as const;

const withState = <T extends { expiresAt: Date; revokedAt: Date | null }>(w: T, now: Date) => ({
  ...w,
  state: (w.revokedAt ? "revoked" : w.expiresAt > now ? "active" : "expired") as WaiverRow["state"],
});

/** Waivers in force at `at` (optionally only those that can match `cluster`), as core scopes. */
export async function getActiveWaivers(db: Db, at: Date, cluster?: string): Promise<WaiverScope[]> {
  return db.waiver.findMany({
    where: {
      expiresAt: { gt: at },
      OR: [{ revokedAt: null }, { revokedAt: { gt: at } }],
      ...(cluster ? { AND: [{ OR: [{ cluster: null }, { cluster }] }] } : {}),
    },
    select: {
      ruleId: true,
      cluster: true,
      namespace: true,
      workloadKind: true,
      workloadName: true,
      imagePattern: true,
    },
  });
}

export async function createWaiver(
  db: Db,
  input: WaiverInput,
  actor: string,
  now = new Date(),
): Promise<WaiverRow> {
  if (input.expiresAt <= now) throw new RangeError("a waiver must expire in the future");
  const row = await db.waiver.create({
    data: {
      ruleId: input.ruleId,
      cluster: input.cluster ?? null,
      namespace: input.namespace ?? null,
      workloadKind: input.workloadKind ?? null,
      workloadName: input.workloadName ?? null,
      imagePattern: input.imagePattern ?? null,
      imageLike: input.imagePattern ? globToLike(input.imagePattern) : null,
      reason: input.reason,
      owner: input.owner,
      expiresAt: input.expiresAt,
      createdBy: actor,
    },
    select: SELECT,
  });
  return withState(row, now);
}

/** Revokes a waiver in force; returns null when there is none by that id (or it already ended). */
export async function revokeWaiver(
  db: Db,
  id: number,
  actor: string,
  reason: string,
  now = new Date(),
): Promise<WaiverRow | null> {
  const updated = await db.waiver.updateManyAndReturn({
    where: { id, revokedAt: null, expiresAt: { gt: now } },
    data: { revokedAt: now, revokedBy: actor, revokeReason: reason },
    select: SELECT,
  });
  const row = updated[0];
  return row ? withState(row, now) : null;
}

export async function getWaiver(db: Db, id: number, now = new Date()): Promise<WaiverRow | null> {
  const row = await db.waiver.findUnique({ where: { id }, select: SELECT });
  return row ? withState(row, now) : null;
}

export async function listWaivers(
  db: Db,
  filter: { state?: "active" | "expired" | "revoked" | "all"; ruleId?: string; cluster?: string } = {},
  now = new Date(),
): Promise<WaiverRow[]> {
  const state = filter.state ?? "active";
  const rows = await db.waiver.findMany({
    where: {
      ...(filter.ruleId ? { ruleId: filter.ruleId } : {}),
      ...(filter.cluster ? { OR: [{ cluster: null }, { cluster: filter.cluster }] } : {}),
      ...(state === "active" ? { revokedAt: null, expiresAt: { gt: now } } : {}),
      ...(state === "expired" ? { revokedAt: null, expiresAt: { lte: now } } : {}),
      ...(state === "revoked" ? { revokedAt: { not: null } } : {}),
    },
    orderBy: [{ expiresAt: "asc" }, { id: "asc" }],
    select: SELECT,
    take: 1000,
  });
  return rows.map((r) => withState(r, now));
}

/**
 * SQL: whether an open finding is waived at `at`. Expects the finding as `f`, its cluster as `c`
 * and its workload (nullable, LEFT JOIN) as `wl`. Mirrors core's waiverMatches.
 */
/**
 * The rules an active waiver names at `at`, as a subquery of one column "ruleId": counting from
 * maintained totals, only the findings of these rules need matching against waivers.
 */
export function activeWaiverRules(at: Date): Prisma.Sql {
  return Prisma.sql`SELECT DISTINCT "ruleId" FROM "Waiver" WHERE "expiresAt" > ${at} AND ("revokedAt" IS NULL OR "revokedAt" > ${at})`;
}

/** The rules with a waiver in force at `at`. */
export async function waiverRuleIds(db: Db, at: Date): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ ruleId: string }>>(activeWaiverRules(at));
  return rows.map((r) => r.ruleId);
}

export function waivedSql(at: Date, opts: { asOf?: boolean } = {}): Prisma.Sql {
  // As of a past instant, a waiver created later did not exist yet.
  const created = opts.asOf ? Prisma.sql`AND wv."createdAt" <= ${at}` : Prisma.empty;
  return Prisma.sql`EXISTS (
    SELECT 1 FROM "Waiver" wv
    WHERE wv."ruleId" = f."ruleId" ${created}
      AND wv."expiresAt" > ${at} AND (wv."revokedAt" IS NULL OR wv."revokedAt" > ${at})
      AND (wv.cluster IS NULL OR wv.cluster = c.name)
      AND (wv.namespace IS NULL OR wv.namespace = f.namespace)
      AND (wv."workloadKind" IS NULL OR wv."workloadKind" = wl.kind)
      AND (wv."workloadName" IS NULL OR wv."workloadName" = wl.name)
      AND (wv."imageLike" IS NULL OR f.image LIKE wv."imageLike"))`;
}
