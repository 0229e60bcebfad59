// How far the collector's JavaScript heap may grow past what the last full garbage collection kept.
// V8 lets a heap grow up to 4× its live size between full collections when it judges collection
// expensive against the mutator; a snapshot allocates much more than it keeps (every page of every
// list is parsed, projected and dropped), so a collector's resident memory was mostly garbage
// waiting for a collection. Bounding the growth trades some collection time for memory that
// follows what the collector holds (README, Benchmarks, figure 1).
import v8 from "node:v8";

/** Heap growth past the live size after a full collection, in percent (V8's --heap-growing-percent). */
export const HEAP_GROWING_PERCENT = 40;

/**
 * Sets V8's heap growth for this process: `setting` (PULLSIGHT_HEAP_GROWING_PERCENT; 0: V8's own
 * heuristics) or HEAP_GROWING_PERCENT; a --heap-growing-percent among node's own flags is left
 * alone. V8 reads the flag at every heap limit it computes, so setting it after start-up takes
 * effect at the next collection. Returns the percent in force, or null for V8's own.
 */
export function boundHeapGrowth(raw: string | undefined, nodeFlags: readonly string[]): number | null {
  const given = nodeFlags.find((f) => /^--heap[-_]growing[-_]percent(=|$)/.test(f));
  if (given) return Number(given.split("=")[1]) || null;
  const percent = raw === undefined || raw === "" ? HEAP_GROWING_PERCENT : Number(raw);
  if (!Number.isInteger(percent) || percent < 0)
    throw new Error(`PULLSIGHT_HEAP_GROWING_PERCENT must be a whole number ≥ 0, not "${raw}"`);
  if (percent === 0) return null;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
