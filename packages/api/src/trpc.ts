// The one tRPC bootstrap: context, router factory, procedures by role.
import type { Db, Table } from "@pullsight/db";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { type Identity, type Role, roleRank } from "./identity.ts";
import { DEFAULT_LIMITS, type RequestLimits, unsafeInput } from "./limits.ts";
import { apiMetrics } from "./metrics.ts";
import type { ReadCache } from "./read-cache.ts";

export interface Context {
  db: Db;
  /** Null when the request carries no identity (proxy mode without the proxy's headers). */
  user: Identity | null;
  /** The clock (tests fix it). */
  now: () => Date;
  /** Answers of queries kept until the data changes (read-cache.ts); none: every query runs. */
  cache: ReadCache | null;
  /** What an input may be (limits.ts). */
  limits: RequestLimits;
}

/** Builds the per-request context. The caller owns the database client's (and cache's) lifetime. */
export function createContext(opts: {
  db: Db;
  user?: Identity | null;
  now?: () => Date;
  cache?: ReadCache | null;
  limits?: RequestLimits;
}): Context {
  return {
    db: opts.db,
    user: opts.user === undefined ? null : opts.user,
    now: opts.now ?? (() => new Date()),
    cache: opts.cache ?? null,
    limits: opts.limits ?? DEFAULT_LIMITS,
  };
}

/** What a procedure says of itself: the tables its answer reads (its cached answers are forgotten
 * when one of them changes; a procedure that does not say depends on every table) and, when an
 * answer is about some clusters only, which (changes to other clusters' rows keep it). */
export interface Meta {
  reads?: readonly Table[];
  /** The clusters an answer read; absent or null: every cluster. */
  clusters?: (answer: never) => readonly number[] | null;
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      // A failure of ours says so and no more: its message may carry SQL or a driver's internals
      // (the server's onError logs it whole).
      const internal = error.code === "INTERNAL_SERVER_ERROR";
      const { stack: _stack, ...data } = shape.data;
      return {
        ...shape,
        message: internal ? "internal error: the server could not answer; it is logged" : shape.message,
        data: {
          ...data,
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
const cached = t.middleware(async ({ ctx, type, path, meta, getRawInput, next }) => {
  const cache = ctx.cache;
  if (!cache) return next();
  if (type !== "query") {
    try {
      return await next();
    } finally {
      cache.invalidate();
    }
  }
  const key = cacheKey([ctx.user?.name, ctx.user?.role, path, (await getRawInput()) ?? null]);
  return cache.read(
    key,
    () => next(),
    (result) => result.ok,
    meta?.reads ?? null,
    (result) => (result.ok && meta?.clusters ? meta.clusters(result.data as never) : null),
  );
});

/** Input that no procedure could take (text PostgreSQL cannot store, nesting beyond the limit). */
const storableInput = t.middleware(async ({ ctx, getRawInput, next }) => {
  const why = unsafeInput(await getRawInput(), ctx.limits);
  if (why) throw new TRPCError({ code: "BAD_REQUEST", message: why });
  return next();
});

/**
 * An input as a cache key. Not superjson: it refuses objects with keys such as "constructor",
 * which are valid Kubernetes label keys. Bigints (server components pass a workload id as one)
 * are tagged so that 5n and "5" differ.
 */
export const cacheKey = (value: unknown) =>
  JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? { $bigint: v.toString() } : v));

/** Every procedure's time and outcome, refusals included (metrics.ts). */
const timed = t.middleware(async ({ path, type, next }) => {
  const started = performance.now();
  const result = await next();
  const outcome = result.ok ? "ok" : result.error.code.toLowerCase();
  apiMetrics().observeProcedure(path, type, outcome, (performance.now() - started) / 1000);
  return result;
});

/** Anyone the server can identify (every role). */
export const publicProcedure = t.procedure
  .use(timed)
  .use(storableInput)
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
