// The words query results are made of, as zod schemas: each query module declares its result
// schema from these, derives its TypeScript type from it, and the API declares that schema as
// its output (adapting only what travels differently, such as labels).
import { FINDING_STATUSES, SEVERITIES } from "@pullsight/core";
import { z } from "zod";

export const SNAPSHOT_STATUSES = ["running", "complete", "partial", "failed"] as const;
export type SnapshotStatusName = (typeof SNAPSHOT_STATUSES)[number];

export const severity = z.enum(SEVERITIES);
export const grade = z.enum(["A", "B", "C", "D", "F"]);
export const snapshotStatus = z.enum(SNAPSHOT_STATUSES);
export const findingStatus = z.enum(FINDING_STATUSES);
/** Kubernetes labels as stored. */
export const labelMap = z.record(z.string(), z.string());
/** Counts by a key (policy, tag kind, cause…). */
export const counts = z.record(z.string(), z.number());
export const bySeverity = z.object({
  critical: z.number(),
  high: z.number(),
  medium: z.number(),
  low: z.number(),
  info: z.number(),
});

export const findingCounts = z.object({
  /** Open findings by severity, waived ones excluded. */
  bySeverity,
  open: z.number().int(),
  waived: z.number().int(),
  /** Of `open`, findings of rules shown grouped (they fire on most containers: PS005). */
  grouped: z.number().int(),
});
export type FindingCounts = z.infer<typeof findingCounts>;

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;
/** A row with its snake_case column names in camelCase. */
export type Camelized<T> = { [K in keyof T as CamelCase<K & string>]: T[K] };

/** An SQL row under the API's names: the export keeps its columns, the API its conventions. */
export function camelized<T extends object>(row: T): Camelized<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row))
    out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out as Camelized<T>;
}
