import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { unstorableText } from "./text.ts";

describe("unstorableText", () => {
  it("refuses NUL and lone surrogates, accepts every other string", () => {
    assert.match(unstorableText("a\0b") ?? "", /NUL/);
    assert.match(unstorableText("\ud800") ?? "", /surrogate/);
    assert.match(unstorableText("x\udc00y") ?? "", /surrogate/);
    assert.equal(unstorableText("😀 ＝ 名前"), null, "pairs and wide forms are fine");
    // The reference: what survives a UTF-8 round trip and has no NUL.
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const storable = !s.includes("\0") && Buffer.from(s, "utf8").toString("utf8") === s;
        assert.equal(unstorableText(s) === null, storable);
      }),
      { numRuns: 2000 },
    );
  });
});
