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

/** Who a role list names: users and groups are separate namespaces (`user:alice`, `group:sre`). */
export interface Principals {
  users: string[];
  groups: string[];
}

const principalList = z
  .string()
  .optional()
  .transform((v, ctx): Principals => {
    const out: Principals = { users: [], groups: [] };
    for (const raw of (v ?? "").split(",")) {
      const entry = raw.trim().toLowerCase();
      if (!entry) continue;
      const m = /^(user|group):(.+)$/.exec(entry);
      if (!m) {
        ctx.addIssue({
          code: "custom",
          message: `"${entry}" must say what it is: user:${entry} or group:${entry}`,
        });
        continue;
      }
      (m[1] === "user" ? out.users : out.groups).push((m[2] as string).trim());
    }
    return out;
  });

export const authConfigSchema = z.object({
  PULLSIGHT_AUTH: z.enum(["demo", "proxy"], {
    error: "PULLSIGHT_AUTH must be demo or proxy (see the README, Identity)",
  }),
  PULLSIGHT_AUTH_USER_HEADER: z.string().default("x-forwarded-user"),
  PULLSIGHT_AUTH_EMAIL_HEADER: z.string().default("x-forwarded-email"),
  PULLSIGHT_AUTH_GROUPS_HEADER: z.string().default("x-forwarded-groups"),
  /** Users and groups with the admin role: `user:NAME` or `group:NAME`, comma-separated. */
  PULLSIGHT_ADMINS: principalList,
  /** Users and groups with the reviewer role, as PULLSIGHT_ADMINS. */
  PULLSIGHT_REVIEWERS: principalList,
  PULLSIGHT_DEFAULT_ROLE: z.enum(ROLES).default("viewer"),
  PULLSIGHT_DEMO_USER: z.string().min(1).default("demo@pullsight.local"),
  PULLSIGHT_DEMO_ROLE: z.enum(ROLES).default("admin"),
});
export type AuthConfig = z.infer<typeof authConfigSchema>;

export function readAuthConfig(env: Record<string, string | undefined>): AuthConfig {
  const parsed = authConfigSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid identity settings: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\]|::ffff:127(\.\d{1,3}){3})$/i;

/** True when a listen address only accepts connections from this machine. */
export const isLoopback = (host: string) => LOOPBACK.test(host.trim());

/**
 * The identity mode a server starts with. Demo identity makes everyone an admin, so it is only
 * chosen by itself for the demo listening on loopback; anywhere else the operator must say
 * PULLSIGHT_AUTH=proxy, or force PULLSIGHT_AUTH=demo (which then warns when reachable from outside).
 */
export function chooseIdentityMode(opts: {
  requested: string | undefined;
  demoLaunch: boolean;
  host: string;
}): { mode: "demo" | "proxy"; warning: string | null } {
  const requested = opts.requested?.trim() || undefined;
  if (requested === "proxy") return { mode: "proxy", warning: null };
  if (requested === "demo")
    return {
      mode: "demo",
      warning: isLoopback(opts.host)
        ? null
        : `PULLSIGHT_AUTH=demo while listening on ${opts.host}: everyone who can reach this port acts as the demo user with its role; use PULLSIGHT_AUTH=proxy behind an authenticating proxy`,
    };
  if (requested !== undefined)
    throw new Error(`PULLSIGHT_AUTH=${requested} is not an identity mode: say demo or proxy`);
  if (opts.demoLaunch && isLoopback(opts.host)) return { mode: "demo", warning: null };
  throw new Error(
    opts.demoLaunch
      ? `the demo listens on ${opts.host}, beyond this machine, and demo identity makes every visitor an admin: set PULLSIGHT_AUTH=proxy (behind an authenticating proxy) or PULLSIGHT_AUTH=demo to accept that`
      : "no identity mode: set PULLSIGHT_AUTH=proxy (behind an authenticating proxy such as oauth2-proxy) or PULLSIGHT_AUTH=demo (one local user, for trials only); see the README, Identity",
  );
}

/** The cookie that lets a demo user look at the product as another role (demo mode only). */
export const DEMO_ROLE_COOKIE = "pullsight_role";

/** A cookie's value; a malformed one (bad percent-encoding) is as if absent. */
function cookie(headers: Headers, name: string): string | null {
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join("="));
    } catch {
      return null;
    }
  }
  return null;
}

const commaList = (v: string | null) =>
  (v ?? "")
    .split(",")
    .map((g) => g.trim().toLowerCase())
    .filter(Boolean);

/**
 * The request's identity, or null when proxy mode is on and the proxy named nobody. In proxy
 * mode the user header names the person; the email header only when the proxy sends no user.
 * `user:` entries match either value (both are the proxy's word for the same person).
 */
export function resolveIdentity(headers: Headers, config: AuthConfig): Identity | null {
  if (config.PULLSIGHT_AUTH === "demo") {
    const asked = cookie(headers, DEMO_ROLE_COOKIE);
    const role = (ROLES as readonly string[]).includes(asked ?? "")
      ? (asked as Role)
      : config.PULLSIGHT_DEMO_ROLE;
    return { name: config.PULLSIGHT_DEMO_USER, role, source: "demo" };
  }
  const user = headers.get(config.PULLSIGHT_AUTH_USER_HEADER)?.trim() || undefined;
  const email = headers.get(config.PULLSIGHT_AUTH_EMAIL_HEADER)?.trim() || undefined;
  const name = user ?? email;
  if (!name) return null;
  const users = new Set([user, email].filter((u): u is string => !!u).map((u) => u.toLowerCase()));
  const groups = new Set(commaList(headers.get(config.PULLSIGHT_AUTH_GROUPS_HEADER)));
  const named = (p: Principals) => p.users.some((u) => users.has(u)) || p.groups.some((g) => groups.has(g));
  const role: Role = named(config.PULLSIGHT_ADMINS)
    ? "admin"
    : named(config.PULLSIGHT_REVIEWERS)
      ? "reviewer"
      : config.PULLSIGHT_DEFAULT_ROLE;
  return { name, role, source: "proxy" };
}

export const roleRank = (r: Role) => ROLES.indexOf(r);
