import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  addCounters,
  bucketQuantile,
  type CounterReading,
  type Counters,
  counterGrowth,
  pullBucketsOf,
  pullRequestsOf,
} from "./kubelet-counters.ts";
import { KUBELET_PULL_BUCKETS } from "./kubelet-metrics.ts";

const KEYS = ["ensure/Always/pulled", "ensure/IfNotPresent/cached", "gc/space"] as const;

/** One node's life: counters grow, the kubelet restarts, the collector reads. */
type Op = { inc: (typeof KEYS)[number]; n: number } | { restart: true } | { read: true };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ inc: fc.constantFrom(...KEYS), n: fc.integer({ min: 1, max: 50 }) }) },
  { weight: 1, arbitrary: fc.constant({ restart: true as const }) },
  { weight: 2, arbitrary: fc.constant({ read: true as const }) },
);

/**
 * Replays the ops against the reference: the kubelet's live counters, and per reading what truly
 * happened since the previous one (`truth`) and what of it a restart erased before it was read
 * (`lost`). Readings say when the kubelet started only with `withStartTime`.
 */
function replay(ops: readonly Op[], withStartTime: boolean) {
  let live: Counters = {};
  let started = 1;
  let truth: Counters = {};
  let lost: Counters = {};
  let restarted = false;
  const reads: Array<{ reading: CounterReading; truth: Counters; lost: Counters; restarted: boolean }> = [];
  for (const o of ops) {
    if ("inc" in o) {
      live = addCounters(live, { [o.inc]: o.n });
      truth = addCounters(truth, { [o.inc]: o.n });
    } else if ("restart" in o) {
      lost = addCounters(lost, truth);
      truth = {};
      live = {};
      started += 1;
      restarted = true;
    } else {
      const reading = { startTime: withStartTime ? started : null, counters: { ...live } };
      reads.push({ reading, truth, lost, restarted });
      truth = {};
      lost = {};
      restarted = false;
    }
  }
  return reads;
}

describe("counterGrowth", () => {
  it("is the first reading's baseline: nothing is attributed to it", () => {
    assert.equal(counterGrowth(null, { startTime: 5, counters: { "gc/age": 3 } }), null);
  });

  it("counts exactly what happened between readings, less only what a restart erased unread (property)", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const reads = replay(ops, true);
        for (let i = 1; i < reads.length; i++) {
          const { reading, truth, restarted } = reads[i] as (typeof reads)[number];
          const got = counterGrowth(reads[i - 1]?.reading ?? null, reading);
          assert.ok(got);
          assert.equal(got.reset, restarted);
          // After a restart only its own life is counted: `truth` then holds exactly that.
          for (const k of KEYS) assert.equal(got.growth[k] ?? 0, truth[k] ?? 0, k);
        }
      }),
    );
  });

  it("without the kubelet's start time never counts more than happened, and exactly that without a restart (property)", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const reads = replay(ops, false);
        for (let i = 1; i < reads.length; i++) {
          const { reading, truth, lost, restarted } = reads[i] as (typeof reads)[number];
          const got = counterGrowth(reads[i - 1]?.reading ?? null, reading);
          assert.ok(got);
          for (const k of KEYS) {
            const happened = (truth[k] ?? 0) + (lost[k] ?? 0);
            assert.ok((got.growth[k] ?? 0) <= happened, `${k}: ${got.growth[k]} > ${happened}`);
            if (!restarted) assert.equal(got.growth[k] ?? 0, happened, k);
          }
        }
      }),
    );
  });

  it("takes a counter that goes down without a restart as no growth, never negative", () => {
    const got = counterGrowth(
      { startTime: 1, counters: { "gc/age": 9, "gc/space": 2 } },
      { startTime: 1, counters: { "gc/age": 4, "gc/space": 5 } },
    );
    assert.deepEqual(got, { growth: { "gc/space": 3 }, reset: false });
  });
});

describe("pullRequestsOf", () => {
  it("separates what the cache answered from registry pulls, by policy", () => {
    assert.deepEqual(
      pullRequestsOf({
        "ensure/Always/pulled": 7,
        "ensure/Always/other": 1,
        "ensure/IfNotPresent/pulled": 3,
        "ensure/IfNotPresent/cached": 20,
        "pulls/count": 9,
      }),
      { cached: 20, pulled: 10, pulledByAlways: 7, pulledByIfNotPresent: 3, unverified: 0, known: true },
    );
    assert.equal(pullRequestsOf({ "pulls/count": 3 }).known, false);
  });
});

describe("bucketQuantile", () => {
  it("names the kubelet bucket of the nearest-rank percentile (property against sorted samples)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 5000, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(0.5, 0.9, 0.95, 0.99, 1),
        (samples, q) => {
          const counters: Counters = { "pulls/count": samples.length };
          for (const le of KUBELET_PULL_BUCKETS)
            counters[`pulls/le/${le}`] = samples.filter((s) => s <= le).length;
          const h = pullBucketsOf(counters);
          assert.ok(h);
          const sorted = [...samples].sort((a, b) => a - b);
          const x = sorted[Math.max(1, Math.ceil(q * samples.length)) - 1] as number;
          const got = bucketQuantile(h, q);
          assert.ok(got);
          assert.ok(x > got.lower || (got.lower === 0 && x >= 0), `${x} ≤ ${got.lower}`);
          if (got.upper === null) assert.ok(x > (KUBELET_PULL_BUCKETS.at(-1) as number));
          else assert.ok(x <= got.upper, `${x} > ${got.upper}`);
        },
      ),
    );
  });

  it("is null for an empty histogram", () => {
    const h = pullBucketsOf({ "pulls/count": 0 });
    assert.ok(h);
    assert.equal(bucketQuantile(h, 0.95), null);
    assert.equal(pullBucketsOf({}), null);
  });
});
