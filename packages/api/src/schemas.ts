// Shared zod schemas: the inputs routers validate. Outputs are the result schemas each db query
// declares beside it; only what travels differently (labels as pairs) is adapted here.
import {
  AT_RISK_CAUSES,
  FAILURE_CAUSES,
  FINDING_STATUSES,
  scopeKey as formatScopeKey,
  isoWeekRange,
  parseScopeKey,
  REGISTRY_VISIBILITIES,
  teamOfScope,
} from "@pullsight/core";
import { clusterSummary, labelMap, NOT_DIGEST, severity, snapshotStatus } from "@pullsight/db";
import { z } from "zod";

export { NOT_DIGEST };

export const name = z.string().trim().min(1).max(253);
export { severity, snapshotStatus };
export const labels = labelMap;
/**
 * Kubernetes labels in an answer: [key, value] pairs sorted by key. Not an object, because any
 * valid label key must travel and superjson refuses objects with keys such as "constructor".
 */
export const labelPairs = labels.transform((r) =>
  Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
);
export const ruleId = z.string().regex(/^PS\d{3}$/, "a rule id like PS001");
export const isoWeek = z
  .string()
  .regex(/^\d{4}-W\d{2}$/, "an ISO week like 2026-W47")
  .superRefine((week, ctx) => {
    try {
      const { start } = isoWeekRange(week);
      if (start.getUTCFullYear() < 1970) ctx.addIssue({ code: "custom", message: "a week from 1970 on" });
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
    }
  });

/** An instant within what PostgreSQL and people can mean: 1970 to 9999. */
export const instant = z.coerce
  .date()
  .refine((d) => d.getTime() >= 0 && d.getUTCFullYear() <= 9999, { message: "a date between 1970 and 9999" });

/** A row id of a 32-bit integer column (waivers). */
export const rowId = z.number().int().positive().max(2_147_483_647);
/** A row id of a 64-bit column (workloads, findings, snapshots): a number or its decimal text. */
export const bigId = z.coerce
  .bigint({ error: "an id: a whole number" })
  .positive()
  .max(2n ** 63n - 1n);
/** A review scope's key, normalised (core parseScopeKey): one scope has one key. */
export const scopeKey = z
  .string()
  .max(600)
  .transform((key, ctx) => {
    const scope = parseScopeKey(key);
    if (scope) return formatScopeKey(scope);
    ctx.addIssue({
      code: "custom",
      message: 'a scope: "fleet", "cluster:NAME", "namespace:CLUSTER/NAME" or "team:NAME"',
    });
    return z.NEVER;
  });

/** A cluster as the fleet and cluster pages show it, with its labels as pairs. */
export const clusterSummaryOut = clusterSummary.extend({ labels: labelPairs });

/** Cluster labels that must all match, "key=value" joined by commas. */
export const labelSelector = z
  .string()
  .max(1000)
  .regex(/^[^=,]+=[^,]*(,[^=,]+=[^,]*)*$/, "labels as key=value,key=value");

/** Several cluster names: an array, or one string of names joined by commas (a URL parameter). */
export const clusterList = z.preprocess(
  (v) =>
    typeof v === "string"
      ? v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : v,
  z.array(name).min(1).max(200),
);

/** How a container is stored, whatever the profiles: the auditor's filters. */
const factFilter = {
  policy: z.enum(["Always", "IfNotPresent", "Never"]).optional(),
  policySource: z.enum(["explicit", "defaulted", "unknown"]).optional(),
  /** A stored tag kind, or "not-digest" for every kind but digest-pinned. */
  tagKind: z.string().max(32).optional(),
  registry: z.string().max(253).optional(),
  visibility: z.enum(REGISTRY_VISIBILITIES).optional(),
};

const clusterScope = {
  cluster: name.optional(),
  clusters: clusterList.optional(),
  clusterLabel: labelSelector.optional(),
};

/** A team owning namespaces ("(unowned)": namespaces nobody owns), normalised like every team name. */
export const team = z
  .string()
  .max(253)
  .transform((v, ctx) => {
    const t = teamOfScope(v);
    if (t) return t;
    ctx.addIssue({ code: "custom", message: "a team name" });
    return z.NEVER;
  });

export const workloadFilter = z
  .object({
    ...clusterScope,
    namespace: name.optional(),
    team: team.optional(),
    kind: z.string().max(64).optional(),
    ruleId: ruleId.optional(),
    severity: severity.optional(),
    ...factFilter,
    q: z.string().max(200).optional(),
  })
  .strict();

/** The inventory: the workloads' filters, per container, optionally as of a past instant. */
export const inventoryFilter = workloadFilter.extend({ asOf: instant.optional() }).strict();

export const findingFilter = z
  .object({
    ...clusterScope,
    namespace: name.optional(),
    team: team.optional(),
    ruleId: ruleId.optional(),
    severity: severity.optional(),
    status: z.enum(FINDING_STATUSES).optional(),
    ...factFilter,
    asOf: instant.optional(),
  })
  .strict();

export const pullEventFilter = z
  .object({
    cluster: name.optional(),
    namespace: name.optional(),
    team: team.optional(),
    reason: z.string().max(64).optional(),
    registry: z.string().max(253).optional(),
    from: instant.optional(),
    to: instant.optional(),
  })
  .strict();

/** Failing now: the containers waiting on a failed pull, by cluster, namespace, team and cause. */
export const failingFilter = z
  .object({
    cluster: name.optional(),
    namespace: name.optional(),
    team: team.optional(),
    cause: z
      .string()
      .refine((v) => (FAILURE_CAUSES as readonly string[]).includes(v), {
        message: `a cause: ${FAILURE_CAUSES.join(", ")}`,
      })
      .optional(),
  })
  .strict();

/** The image inventory: by cluster, registry, part of the reference, and drift (more than one digest running). */
export const imageFilter = z
  .object({
    cluster: name.optional(),
    registry: z.string().max(253).optional(),
    q: z.string().trim().min(1).max(200).optional(),
    drift: z.enum(["yes"]).optional(),
  })
  .strict();

/** Will it pull: references at risk, by cluster, namespace, team, registry and cause. */
export const atRiskFilter = z
  .object({
    cluster: name.optional(),
    namespace: name.optional(),
    team: team.optional(),
    registry: z.string().max(253).optional(),
    cause: z
      .string()
      .refine((v) => (AT_RISK_CAUSES as readonly string[]).includes(v), {
        message: `a cause: ${AT_RISK_CAUSES.join(", ")}`,
      })
      .optional(),
  })
  .strict();

const trendScopeFields = { cluster: name.optional(), namespace: name.optional(), labels: labels.optional() };
const namespaceNeedsCluster = { message: "a namespace needs its cluster" };
export const trendScope = z
  .object(trendScopeFields)
  .strict()
  .refine((s) => !s.namespace || s.cluster, namespaceNeedsCluster);
/** The posture trend's scope: a team's namespaces too (latency and coverage are kept per cluster). */
export const postureScope = z
  .object({ ...trendScopeFields, team: team.optional() })
  .strict()
  .refine((s) => !s.namespace || s.cluster, namespaceNeedsCluster)
  .refine((s) => !(s.team && s.namespace), { message: "a team or a namespace, not both" });

/** A time range: explicit, or the last `days` days (default 90, at most two years). */
export const range = z
  .object({
    days: z.number().int().min(1).max(731).optional(),
    from: instant.optional(),
    to: instant.optional(),
  })
  .strict()
  .refine((r) => !(r.from && r.to) || r.from < r.to, { message: "from must be before to" });

export function resolveRange(r: z.infer<typeof range> | undefined, now: Date): { from: Date; to: Date } {
  const to = r?.to ?? now;
  const from = r?.from ?? new Date(to.getTime() - (r?.days ?? 90) * 86_400_000);
  return { from, to };
}
