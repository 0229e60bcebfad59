// The one tRPC bootstrap: context, router factory, procedures.
import type { Db } from "@pullsight/db";
import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";

export interface Context {
  db: Db;
}

/** Builds the per-request context. The caller owns the database client's lifetime. */
export function createContext(opts: { db: Db }): Context {
  return { db: opts.db };
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
export const publicProcedure = t.procedure;
export const createCallerFactory = t.createCallerFactory;
