import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  classifyImage,
  classifyTag,
  DEFAULT_MUTABLE_TAGS,
  DEFAULT_TAG_VOCABULARY,
  DEFAULT_VARIANT_TAGS,
} from "./tag-kind.ts";

describe("tag kinds", () => {
  const cases: Array<[string, string]> = [
    ["nginx", "untagged"],
    ["nginx:latest", "mutable"],
    ["nginx:LATEST", "mutable"],
    ["app:main", "mutable"],
    ["app:stable", "mutable"],
    ["app:nightly", "mutable"],
    ["nginx:1.27.3", "full-version"],
    ["nginx:v1.27.3", "full-version"],
    ["nginx:1.27.3-alpine3.20", "full-version"],
    ["postgres:16.4.1_1", "full-version"],
    ["app:1.2.3.4", "full-version"],
    ["app:3.0.0-beta.1", "full-version"],
    ["nginx:1.27", "floating-version"],
    ["node:20", "floating-version"],
    ["node:20-alpine", "floating-version"],
    ["python:3.12-slim-bookworm", "floating-version"],
    ["app:20240115", "other"],
    ["app:a1b2c3d", "other"],
    ["app:feature-x", "other"],
    ["app:pr-123", "other"],
    ["app:main-4f2a9c1", "other"],
    ["app:nightly-2024-01-15", "other"],
    ["alpine:edge", "mutable"],
    // Variants without a version follow the newest release.
    ["redis:alpine", "mutable"],
    ["python:slim", "mutable"],
    ["debian:bookworm-slim", "mutable"],
    ["gcr.io/distroless/static:nonroot", "mutable"],
    ["php:fpm-alpine", "mutable"],
    ["nginx:stable-alpine", "mutable"],
    ["node:lts-alpine", "mutable"],
    // A mutable word as one component of a tag without a build number.
    ["app:master-head", "mutable"],
    ["app:main-latest", "mutable"],
    ["app:latest_release", "mutable"],
    ["app:Main.Latest", "mutable"],
    [`nginx:latest@sha256:${"b".repeat(64)}`, "digest"],
    [`nginx@sha256:${"b".repeat(64)}`, "digest"],
    ["NGINX", "invalid"],
  ];
  for (const [image, kind] of cases)
    it(`${image} is ${kind}`, () => assert.equal(classifyImage(image), kind));

  it("uses the configured vocabulary", () => {
    assert.equal(classifyTag("prod", { mutableTags: ["prod"], variantTags: [] }), "mutable");
    assert.equal(classifyTag("latest", { mutableTags: ["prod"], variantTags: [] }), "other");
    assert.equal(classifyTag("alpine", { mutableTags: ["latest"], variantTags: [] }), "other");
    assert.equal(classifyTag("wolfi", { mutableTags: [], variantTags: ["wolfi"] }), "mutable");
  });
});

// Reference model for tags made of words only: a tag moves when every word is a mutable or
// variant name, or when one word is a mutable name (no word carries a digit, by construction).
const mutable = new Set(DEFAULT_MUTABLE_TAGS);
const variants = new Set(DEFAULT_VARIANT_TAGS);
const modelMoves = (words: string[]) =>
  words.every((w) => mutable.has(w) || variants.has(w)) || words.some((w) => mutable.has(w));

const plainWord = fc
  .stringMatching(/^[a-z]{2,9}$/)
  .filter((w) => !mutable.has(w) && !variants.has(w) && !/^v/.test(w));
const word = fc.oneof(
  fc.constantFrom(...DEFAULT_MUTABLE_TAGS),
  fc.constantFrom(...DEFAULT_VARIANT_TAGS),
  plainWord,
);
const separator = fc.constantFrom("-", "_", ".");

/** A tag built from words joined by random separators, in random case. */
const wordTag = fc
  .record({
    words: fc.array(word, { minLength: 1, maxLength: 4 }),
    seps: fc.array(separator, { minLength: 4, maxLength: 4 }),
    upper: fc.array(fc.boolean(), { minLength: 48, maxLength: 48 }),
  })
  .map(({ words, seps, upper }) => {
    const joined = words.map((w, i) => (i === 0 ? w : `${seps[i - 1]}${w}`)).join("");
    const cased = [...joined].map((c, i) => (upper[i % upper.length] ? c.toUpperCase() : c)).join("");
    return { words, tag: cased };
  })
  .filter(({ tag }) => /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(tag));

describe("tag kinds (properties)", () => {
  it("a tag of words is mutable exactly when the reference model says it moves", () => {
    fc.assert(
      fc.property(wordTag, ({ words, tag }) => {
        assert.equal(classifyTag(tag, DEFAULT_TAG_VOCABULARY), modelMoves(words) ? "mutable" : "other");
      }),
    );
  });

  it("the classification does not change with case or with which separator joins the words", () => {
    fc.assert(
      fc.property(wordTag, separator, ({ tag }, sep) => {
        const kind = classifyTag(tag);
        assert.equal(classifyTag(tag.toLowerCase()), kind);
        assert.equal(classifyTag(tag.toUpperCase()), kind);
        assert.equal(classifyTag(tag.replace(/[-_.]/g, sep)), kind);
      }),
    );
  });

  it("a build number or a version beside a mutable word pins by convention, not by name", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DEFAULT_MUTABLE_TAGS),
        fc.stringMatching(/^[0-9a-f]{7}$/).filter((h) => /[0-9]/.test(h)),
        separator,
        (name, build, sep) => {
          assert.equal(classifyTag(`${name}${sep}${build}`), "other");
        },
      ),
    );
  });
});
