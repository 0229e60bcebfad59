// Pull durations as mergeable histograms: fixed log buckets, so that the latency of any set of
// days, clusters and registries is computed from the sum of their histograms instead of being
// averaged from their percentiles. 16 buckets per doubling from 1 ms to 2^27 ms (37 h): a
// percentile read from a merged histogram is within one bucket, 4.4 %, of the exact one.

/** Buckets per doubling of the duration. */
export const BUCKETS_PER_DOUBLING = 16;
const DOUBLINGS = 27;

/**
 * The bucket bounds in milliseconds, rounded to six significant digits so that PostgreSQL's
 * width_bucket and this module read the same doubles (the database is given this very array).
 */
export const LATENCY_BUCKET_BOUNDS_MS: readonly number[] = Array.from(
  { length: BUCKETS_PER_DOUBLING * DOUBLINGS + 1 },
  (_, i) => Number((2 ** (i / BUCKETS_PER_DOUBLING)).toPrecision(6)),
);

/** Relative width of a bucket: the most a percentile from a histogram can be off. */
export const BUCKET_RESOLUTION = 2 ** (1 / BUCKETS_PER_DOUBLING) - 1;

/** Bucket index → count. Bucket i holds [bounds[i-1], bounds[i]); 0 is below 1 ms, the last is open. */
export type Histogram = Record<string, number>;

/** PostgreSQL's width_bucket(ms, bounds): how many bounds are at or below `ms`. */
export function bucketOf(ms: number): number {
  const b = LATENCY_BUCKET_BOUNDS_MS;
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((b[mid] as number) <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function histogramOf(samples: Iterable<number>): Histogram {
  const h: Histogram = {};
  for (const ms of samples) {
    const k = String(bucketOf(ms));
    h[k] = (h[k] ?? 0) + 1;
  }
  return h;
}

export function mergeHistograms(histograms: Iterable<Histogram | null | undefined>): Histogram {
  const out: Histogram = {};
  for (const h of histograms)
    for (const [k, n] of Object.entries(h ?? {}))
      if (/^\d{1,4}$/.test(k) && Number.isFinite(n) && n > 0) out[k] = (out[k] ?? 0) + n;
  return out;
}

export const histogramCount = (h: Histogram) => Object.values(h).reduce((n, c) => n + c, 0);

/**
 * The q-quantile (0 ≤ q ≤ 1) of what a histogram counts, or null when it is empty: as
 * percentile_cont, interpolated between the samples at ranks ⌊q·(n−1)⌋ and ⌈q·(n−1)⌉, each
 * placed within its bucket (a bucket's n samples spread evenly over it).
 */
export function histogramQuantile(h: Histogram, q: number): number | null {
  const buckets = Object.entries(h)
    .map(([k, n]) => [Number(k), n] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((n, [, c]) => n + c, 0);
  if (total === 0) return null;
  const rank = Math.min(Math.max(q, 0), 1) * (total - 1);
  const at = (k: number): number => {
    let before = 0;
    for (const [i, n] of buckets) {
      if (k < before + n) {
        const lower = i === 0 ? 0 : (LATENCY_BUCKET_BOUNDS_MS[i - 1] as number);
        const upper = LATENCY_BUCKET_BOUNDS_MS[i] ?? lower * (1 + BUCKET_RESOLUTION);
        return lower + (upper - lower) * ((k - before + 0.5) / n);
      }
      before += n;
    }
    return Number.NaN;
  };
  const lo = at(Math.floor(rank));
  return lo + (at(Math.ceil(rank)) - lo) * (rank - Math.floor(rank));
}
