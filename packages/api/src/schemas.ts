// Shared zod schemas: inputs every router validates and the output shapes they declare.
import { z } from "zod";

export const name = z.string().trim().min(1).max(253);
export const severity = z.enum(["info", "low", "medium", "high", "critical"]);
export const grade = z.enum(["A", "B", "C", "D", "F"]);
export const snapshotStatus = z.enum(["running", "complete", "partial", "failed"]);
export const labels = z.record(z.string(), z.string());
export const counts = z.record(z.string(), z.number());
export const ruleId = z.string().regex(/^PS\d{3}$/, "a rule id like PS001");
export const isoWeek = z.string().regex(/^\d{4}-W\d{2}$/, "an ISO week like 2026-W47");
export const scopeKey = z
  .string()
  .regex(
    /^(fleet|cluster:[^/]+|namespace:[^/]+\/.+)$/,
    'a scope: "fleet", "cluster:NAME" or "namespace:CLUSTER/NAME"',
  );

export const findingCounts = z.object({
  bySeverity: z.object({
    critical: z.number(),
    high: z.number(),
    medium: z.number(),
    low: z.number(),
    info: z.number(),
  }),
  open: z.number().int(),
  waived: z.number().int(),
});

export const clusterSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  labels,
  kubernetesVersion: z.string().nullable(),
  lastSnapshotId: z.bigint().nullable(),
  lastSnapshotAt: z.date().nullable(),
  lastSnapshotStatus: snapshotStatus.nullable(),
  lastSnapshotFailures: z.number().int(),
  failures: z.array(z.object({ kind: z.string(), reason: z.string() })),
  stale: z.boolean(),
  workloads: z.number().int(),
  containers: z.number().int(),
  compliant: z.number().int(),
  score: z.number().nullable(),
  grade: grade.nullable(),
  scoredAt: z.date().nullable(),
  findings: findingCounts,
});

export const workloadFilter = z
  .object({
    cluster: name.optional(),
    namespace: name.optional(),
    kind: z.string().max(64).optional(),
    ruleId: ruleId.optional(),
    severity: severity.optional(),
    policy: z.enum(["Always", "IfNotPresent", "Never"]).optional(),
    policySource: z.enum(["explicit", "defaulted", "unknown"]).optional(),
    tagKind: z.string().max(32).optional(),
    registry: z.string().max(253).optional(),
    q: z.string().max(200).optional(),
  })
  .strict();

export const findingFilter = z
  .object({
    cluster: name.optional(),
    namespace: name.optional(),
    ruleId: ruleId.optional(),
    severity: severity.optional(),
    status: z.enum(["open", "waived", "resolved"]).optional(),
  })
  .strict();

export const pullEventFilter = z
  .object({
    cluster: name.optional(),
    namespace: name.optional(),
    reason: z.string().max(64).optional(),
    registry: z.string().max(253).optional(),
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
  })
  .strict();

export const trendScope = z
  .object({ cluster: name.optional(), namespace: name.optional(), labels: labels.optional() })
  .strict()
  .refine((s) => !s.namespace || s.cluster, { message: "a namespace needs its cluster" });

/** A time range: explicit, or the last `days` days (default 90, at most two years). */
export const range = z
  .object({
    days: z.number().int().min(1).max(731).optional(),
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
  })
  .strict()
  .refine((r) => !(r.from && r.to) || r.from < r.to, { message: "from must be before to" });

export function resolveRange(r: z.infer<typeof range> | undefined, now: Date): { from: Date; to: Date } {
  const to = r?.to ?? now;
  const from = r?.from ?? new Date(to.getTime() - (r?.days ?? 90) * 86_400_000);
  return { from, to };
}
