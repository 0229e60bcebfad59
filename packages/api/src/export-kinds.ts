// The CSV exports as one registry: for each kind, the filters it accepts (the UI's own), its
// columns, and where its rows come from: a cursor over a large table's SQL (the query and its
// columns live together in packages/db) or a small table read whole (export-rows.ts).
import {
  AT_RISK_COLUMNS,
  atRiskQuery,
  type Db,
  FAILING_NOW_COLUMNS,
  FINDING_COLUMNS,
  failingNowQuery,
  findingsQuery,
  IMAGE_COLUMNS,
  INVENTORY_COLUMNS,
  imagesQuery,
  inventoryQuery,
  PULL_EVENT_COLUMNS,
  pullEventsQuery,
  readWithCursor,
  SNAPSHOT_COLUMNS,
  snapshotsQuery,
  WORKLOAD_COLUMNS,
  workloadsQuery,
} from "@pullsight/db";
import type pg from "pg";
import type { z } from "zod";
import {
  clustersExport,
  latencyExport,
  namespacesExport,
  reviewExport,
  type SmallExport,
  snapshotFilters,
  waiversExport,
} from "./export-rows.ts";
import {
  atRiskFilter,
  failingFilter,
  findingFilter,
  imageFilter,
  inventoryFilter,
  pullEventFilter,
  workloadFilter,
} from "./schemas.ts";

export type Batches = AsyncGenerator<Record<string, unknown>[], void, undefined>;

/** Where an export reads from. */
export interface ExportSource {
  db: Db;
  pool: pg.Pool;
  /** Rows a fetch when reading through a cursor. */
  batchSize?: number;
}

interface ExportKindDef<S extends z.ZodType> {
  filters: S;
  columns: readonly string[];
  batches: (source: ExportSource, filters: z.infer<S>, now: Date) => Batches;
}

// Small batches keep memory flat: a batch that lives across a young-generation collection is
// promoted, and old space grows until a full collection (bench figure 4 compares batch sizes).
const DEFAULT_BATCH = 250;

/** A large table read through a cursor over its SQL. */
function cursorExport<S extends z.ZodType>(
  filters: S,
  columns: readonly string[],
  query: (filters: z.infer<S>, now: Date) => Parameters<typeof readWithCursor>[1],
): ExportKindDef<S> {
  return {
    filters,
    columns,
    batches: (s, f, now) =>
      readWithCursor<Record<string, unknown>>(s.pool, query(f, now), s.batchSize ?? DEFAULT_BATCH),
  };
}

/** A small table read whole. */
function wholeExport<S extends z.ZodType>(e: SmallExport<S>): ExportKindDef<S> {
  return { filters: e.filters, columns: e.columns, batches: (s, f, now) => e.rows(s.db, f, now) };
}

export const EXPORTS = {
  inventory: cursorExport(inventoryFilter, INVENTORY_COLUMNS, inventoryQuery),
  workloads: cursorExport(workloadFilter, WORKLOAD_COLUMNS, workloadsQuery),
  findings: cursorExport(findingFilter, FINDING_COLUMNS, findingsQuery),
  "pull-events": cursorExport(pullEventFilter, PULL_EVENT_COLUMNS, (f) => pullEventsQuery(f)),
  failing: cursorExport(failingFilter, FAILING_NOW_COLUMNS, failingNowQuery),
  "at-risk": cursorExport(atRiskFilter, AT_RISK_COLUMNS, atRiskQuery),
  images: cursorExport(imageFilter, IMAGE_COLUMNS, ({ drift, ...f }) =>
    imagesQuery({ ...f, ...(drift ? { drift: true } : {}) }),
  ),
  review: wholeExport(reviewExport),
  clusters: wholeExport(clustersExport),
  namespaces: wholeExport(namespacesExport),
  snapshots: cursorExport(snapshotFilters, SNAPSHOT_COLUMNS, (f) => snapshotsQuery(f)),
  waivers: wholeExport(waiversExport),
  latency: wholeExport(latencyExport),
};

export type ExportKind = keyof typeof EXPORTS;
export const EXPORT_KINDS = Object.keys(EXPORTS) as ExportKind[];

/** The filters each export accepts. */
export const exportFilters = Object.fromEntries(EXPORT_KINDS.map((k) => [k, EXPORTS[k].filters])) as {
  [K in ExportKind]: (typeof EXPORTS)[K]["filters"];
};
export const EXPORT_COLUMNS = Object.fromEntries(EXPORT_KINDS.map((k) => [k, EXPORTS[k].columns])) as Record<
  ExportKind,
  readonly string[]
>;

/** An export's rows in batches, for filters its schema has parsed. */
export function exportBatches(kind: ExportKind, source: ExportSource, filters: unknown, now: Date): Batches {
  const def = EXPORTS[kind] as ExportKindDef<z.ZodType>;
  return def.batches(source, filters, now);
}
