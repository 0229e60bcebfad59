// The one tRPC bootstrap: context, router factory, procedures by role.
import type { Db } from "@pullsight/db";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { type Identity, type Role, roleRank } from "./identity.ts";

export interface Context {
  db: Db;
  /** Null when the request carries no identity (proxy mode without the proxy's headers). */
  user: Identity | null;
  /** The clock (tests fix it). */
  now: () => Date;
}

/** Builds the per-request context. The caller owns the database client's lifetime. */
export function createContext(opts: { db: Db; user?: Identity | null; now?: () => Date }): Context {
  return {
    db: opts.db,
    user: opts.user === undefined ? null : opts.user,
    now: opts.now ?? (() => new Date()),
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

/** Anyone the server can identify (every role). */
export const publicProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user)
    throw new TRPCError({ code: "UNAUTHORIZED", message: "no identity: sign in through the proxy" });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

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
