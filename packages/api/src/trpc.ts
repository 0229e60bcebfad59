// The one tRPC bootstrap: context, router factory, procedures by role.
import type { Db } from "@pullsight/db";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { type Identity, type Role, roleRank } from "./identity.ts";
import type { ReadCache } from "./read-cache.ts";

export interface Context {
  db: Db;
  /** Null when the request carries no identity (proxy mode without the proxy's headers). */
  user: Identity | null;
  /** The clock (tests fix it). */
  now: () => Date;
  /** Answers of queries kept until the data changes (read-cache.ts); none: every query runs. */
  cache: ReadCache | null;
}

/** Builds the per-request context. The caller owns the database client's (and cache's) lifetime. */
export function createContext(opts: {
  db: Db;
  user?: Identity | null;
  now?: () => Date;
  cache?: ReadCache | null;
}): Context {
  return {
    db: opts.db,
    user: opts.user === undefined ? null : opts.user,
    now: opts.now ?? (() => new Date()),
    cache: opts.cache ?? null,
  };
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        // Input validation failures come back as a readable reason, not a stack.
        zodError: error.cause instanceof ZodError ? z.prettifyError(error.cause) : null,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Queries are answered from the read cache when the context has one, per user, procedure and
 * input; a mutation empties it when it returns (the writer reads its own write at once).
 */
const cached = t.middleware(async ({ ctx, type, path, getRawInput, next }) => {
  const cache = ctx.cache;
  if (!cache) return next();
  if (type !== "query") {
    try {
      return await next();
    } finally {
      cache.invalidate();
    }
  }
  // superjson, not JSON: server components pass inputs as they are (a workload id is a bigint).
  const key = superjson.stringify([ctx.user?.name, ctx.user?.role, path, (await getRawInput()) ?? null]);
  return cache.read(
    key,
    () => next(),
    (result) => result.ok,
  );
});

/** Anyone the server can identify (every role). */
export const publicProcedure = t.procedure
  .use(({ ctx, next }) => {
    if (!ctx.user)
      throw new TRPCError({ code: "UNAUTHORIZED", message: "no identity: sign in through the proxy" });
    return next({ ctx: { ...ctx, user: ctx.user } });
  })
  .use(cached);

const atLeast = (role: Role) =>
  publicProcedure.use(({ ctx, next }) => {
    if (roleRank(ctx.user.role) < roleRank(role))
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `${ctx.user.name} is a ${ctx.user.role}; this needs the ${role} role`,
      });
    return next();
  });

/** Reviewers and admins: sign-offs and waivers. */
export const reviewerProcedure = atLeast("reviewer");
/** Admins only. */
export const adminProcedure = atLeast("admin");
