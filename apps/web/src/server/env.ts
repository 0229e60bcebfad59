import "server-only";
import { type AuthConfig, readAuthConfig, readLimits } from "@pullsight/api";
import { z } from "zod";

// The web server's environment, validated once (the one module of the app that reads it). The
// launcher (scripts/launcher.ts) always sets
// DATABASE_URL: to the embedded database it started, or to the operator's own.
const schema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "DATABASE_URL must be a postgres:// URL" }),
});

let cached: z.infer<typeof schema> | undefined;
let auth: AuthConfig | undefined;

/** Validated on first use, not at import, so `next build` needs no database. */
export function serverEnv(): z.infer<typeof schema> {
  cached ??= schema.parse({ DATABASE_URL: process.env.DATABASE_URL });
  return cached;
}

/** Identity settings (PULLSIGHT_AUTH=demo|proxy, role lists): see packages/api/src/identity.ts. */
export function authConfig(): AuthConfig {
  auth ??= readAuthConfig(process.env);
  return auth;
}

let limitsRead: ReturnType<typeof readLimits> | undefined;

/** Request and export limits (PULLSIGHT_MAX_*, PULLSIGHT_EXPORT_*): see packages/api/src/limits.ts. */
export function limits(): ReturnType<typeof readLimits> {
  limitsRead ??= readLimits(process.env);
  return limitsRead;
}

/** PULLSIGHT_READ_CACHE=off runs every query instead of keeping answers until the data changes. */
export function readCacheEnabled(): boolean {
  return process.env.PULLSIGHT_READ_CACHE !== "off";
}

/** Reads every setting the server needs, so that a wrong one stops it at start, with the reason. */
export function validateServerEnv(): void {
  authConfig();
  limits();
}
