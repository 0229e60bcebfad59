// Who is asking, and what they may do. Identity comes from a trusted reverse proxy's headers
// (oauth2-proxy sets X-Forwarded-User, -Email and -Groups) when PULLSIGHT_AUTH=proxy, or from a
// configured local user in demo mode. Roles: viewer < reviewer < admin, from configured lists of
// users and groups. Only trust proxy headers when every request passes through that proxy.
import { z } from "zod";

export const ROLES = ["viewer", "reviewer", "admin"] as const;
export type Role = (typeof ROLES)[number];

export interface Identity {
  name: string;
  role: Role;
  source: "proxy" | "demo";
}

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );

export const authConfigSchema = z.object({
  PULLSIGHT_AUTH: z.enum(["demo", "proxy"]).default("demo"),
  PULLSIGHT_AUTH_USER_HEADER: z.string().default("x-forwarded-user"),
  PULLSIGHT_AUTH_EMAIL_HEADER: z.string().default("x-forwarded-email"),
  PULLSIGHT_AUTH_GROUPS_HEADER: z.string().default("x-forwarded-groups"),
  /** Users or groups (comma-separated) with the admin role. */
  PULLSIGHT_ADMINS: list,
  /** Users or groups (comma-separated) with the reviewer role. */
  PULLSIGHT_REVIEWERS: list,
  PULLSIGHT_DEFAULT_ROLE: z.enum(ROLES).default("viewer"),
  PULLSIGHT_DEMO_USER: z.string().min(1).default("demo@pullsight.local"),
  PULLSIGHT_DEMO_ROLE: z.enum(ROLES).default("admin"),
});
export type AuthConfig = z.infer<typeof authConfigSchema>;

export function readAuthConfig(env: Record<string, string | undefined>): AuthConfig {
  const parsed = authConfigSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid auth settings: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The cookie that lets a demo user look at the product as another role (demo mode only). */
export const DEMO_ROLE_COOKIE = "pullsight_role";

function cookie(headers: Headers, name: string): string | null {
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return null;
}

/** The request's identity, or null when proxy mode is on and the proxy named nobody. */
export function resolveIdentity(headers: Headers, config: AuthConfig): Identity | null {
  if (config.PULLSIGHT_AUTH === "demo") {
    const asked = cookie(headers, DEMO_ROLE_COOKIE);
    const role = (ROLES as readonly string[]).includes(asked ?? "")
      ? (asked as Role)
      : config.PULLSIGHT_DEMO_ROLE;
    return { name: config.PULLSIGHT_DEMO_USER, role, source: "demo" };
  }
  const user = headers.get(config.PULLSIGHT_AUTH_USER_HEADER)?.trim();
  const email = headers.get(config.PULLSIGHT_AUTH_EMAIL_HEADER)?.trim();
  const name = email || user;
  if (!name) return null;
  const groups = (headers.get(config.PULLSIGHT_AUTH_GROUPS_HEADER) ?? "")
    .split(",")
    .map((g) => g.trim().toLowerCase())
    .filter(Boolean);
  const principals = new Set([name.toLowerCase(), (user ?? "").toLowerCase(), ...groups].filter(Boolean));
  const inList = (l: string[]) => l.some((p) => principals.has(p));
  const role: Role = inList(config.PULLSIGHT_ADMINS)
    ? "admin"
    : inList(config.PULLSIGHT_REVIEWERS)
      ? "reviewer"
      : config.PULLSIGHT_DEFAULT_ROLE;
  return { name, role, source: "proxy" };
}

export const roleRank = (r: Role) => ROLES.indexOf(r);
