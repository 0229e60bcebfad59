import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { boundHeapGrowth, HEAP_GROWING_PERCENT } from "./heap.ts";

const heapModule = fileURLToPath(new URL("./heap.ts", import.meta.url));

/**
 * A process that keeps ~60 MB alive while allocating objects that live long enough to be promoted
 * (as a snapshot's parsed pages do): the most heap it reserved, in MB.
 */
function churnPeakMb(env: Record<string, string>): number {
  const script = `
    import { boundHeapGrowth } from ${JSON.stringify(heapModule)};
    boundHeapGrowth(process.env.PULLSIGHT_HEAP_GROWING_PERCENT, []);
    const live = [];
    for (let i = 0; i < 400_000; i++) live.push({ a: "k" + i, b: i, c: [i, i + 1] });
    let recent = [];
    let peak = 0;
    for (let round = 0; round < 60; round++) {
      for (let i = 0; i < 100_000; i++) recent.push({ x: "v" + round + "-" + i, y: [i] });
      if (recent.length > 400_000) recent = recent.slice(-200_000);
      peak = Math.max(peak, process.memoryUsage().heapTotal);
    }
    console.log(Math.round(peak / 2 ** 20), live.length);`;
  const out = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "", ...env },
  });
  assert.equal(out.status, 0, out.stderr);
  return Number(out.stdout.trim().split(" ")[0]);
}

describe("heap growth", () => {
  it("is bounded by default, as configured, or as node was told; a bad value is refused", () => {
    assert.equal(boundHeapGrowth(undefined, []), HEAP_GROWING_PERCENT);
    assert.equal(boundHeapGrowth("", []), HEAP_GROWING_PERCENT);
    assert.equal(boundHeapGrowth("80", []), 80);
    assert.equal(boundHeapGrowth("0", []), null);
    assert.equal(boundHeapGrowth("9", ["--max-old-space-size=900", "--heap-growing-percent=30"]), 30);
    assert.throws(() => boundHeapGrowth("lots", []), /whole number/);
    assert.throws(() => boundHeapGrowth("-5", []), /whole number/);
  });

  it("keeps a churning process's heap near what it holds, where V8's own growth lets it double", () => {
    const bounded = churnPeakMb({});
    const unbounded = churnPeakMb({ PULLSIGHT_HEAP_GROWING_PERCENT: "0" });
    assert.ok(bounded < 0.75 * unbounded, `bounded ${bounded} MB, V8's own ${unbounded} MB`);
  });
});
