// The whole fleet's posture per whole UTC day or ISO week, already added up by the triggers of
// migrations 20261204070000_fleet_posture and 20261204220000_fleet_posture_carried (FleetPosture):
// each cluster's last rollup taken before the bucket's end, in it or carried from before it. A
// trend's range rarely starts or ends on a bucket's edge: the partial buckets at either end are left
// to the per-cluster rollups, which answer the same for the part of the bucket inside the range.
import { type Db, poolOf } from "../client.ts";

const DAY_MS = 86_400_000;
/** 1970-01-05, the first Monday of the epoch: ISO weeks start on Mondays. */
const FIRST_MONDAY_MS = 4 * DAY_MS;

export type PostureBucket = "day" | "week";

/** What a trend adds up per bucket, from a cluster's rollup or the fleet's bucket. */
export interface PostureCounts {
  bucket: Date;
  workloads: number;
  containers: number;
  compliant: number;
  byPolicy: unknown;
  byPolicySource: unknown;
  byTagKind: unknown;
  findingsBySeverity: unknown;
}

/** The fleet's bucket: how many clusters it adds up (`carried`: of them, not collected in it), and their counts. */
export interface FleetPostureRow extends PostureCounts {
  clusters: number;
  carried: number;
}

/** The start of the UTC day or ISO week `t` falls in (as PostgreSQL's date_trunc in UTC). */
export function bucketStart(kind: PostureBucket, t: number): number {
  if (kind === "day") return Math.floor(t / DAY_MS) * DAY_MS;
  const week = 7 * DAY_MS;
  return Math.floor((t - FIRST_MONDAY_MS) / week) * week + FIRST_MONDAY_MS;
}

const bucketLength = (kind: PostureBucket) => (kind === "day" ? DAY_MS : 7 * DAY_MS);

export interface FleetRanges {
  /** Whole buckets: their start in [from, to). */
  whole: { from: Date; to: Date };
  /** What of [from, to) lies outside the whole buckets (none, one or two ranges). */
  partial: Array<{ from: Date; to: Date }>;
}

/** How [from, to) splits into whole buckets and the partial ones at its ends; null without a whole bucket. */
export function fleetRanges(kind: PostureBucket, from: Date, to: Date): FleetRanges | null {
  const first = bucketStart(kind, from.getTime());
  const wholeFrom = first === from.getTime() ? first : first + bucketLength(kind);
  const wholeTo = bucketStart(kind, to.getTime());
  if (wholeFrom >= wholeTo) return null;
  const partial: FleetRanges["partial"] = [];
  if (wholeFrom > from.getTime()) partial.push({ from, to: new Date(wholeFrom) });
  if (wholeTo < to.getTime()) partial.push({ from: new Date(wholeTo), to });
  return { whole: { from: new Date(wholeFrom), to: new Date(wholeTo) }, partial };
}

/** The fleet's buckets starting in the range, read through the pg pool (four jsonb maps a row). */
export async function fleetPostureRows(
  db: Db,
  kind: PostureBucket,
  range: { from: Date; to: Date },
): Promise<FleetPostureRow[]> {
  const result = await poolOf(db).query<FleetPostureRow>(
    `SELECT start AS bucket, clusters, carried, workloads, containers, compliant,
       "byPolicy", "byPolicySource", "byTagKind", "findingsBySeverity"
     FROM "FleetPosture" WHERE bucket = $1 AND start >= $2 AND start < $3 ORDER BY start`,
    [kind, range.from, range.to],
  );
  return result.rows;
}
