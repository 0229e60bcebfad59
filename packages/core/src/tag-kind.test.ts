import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyImage, classifyTag } from "./tag-kind.ts";

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
    ["nginx:1.27", "floating-version"],
    ["node:20", "floating-version"],
    ["node:20-alpine", "floating-version"],
    ["python:3.12-slim-bookworm", "floating-version"],
    ["app:20240115", "other"],
    ["app:a1b2c3d", "other"],
    ["app:feature-x", "other"],
    ["app:pr-123", "other"],
    [`nginx:latest@sha256:${"b".repeat(64)}`, "digest"],
    [`nginx@sha256:${"b".repeat(64)}`, "digest"],
    ["NGINX", "invalid"],
  ];
  for (const [image, kind] of cases)
    it(`${image} is ${kind}`, () => assert.equal(classifyImage(image), kind));

  it("uses the configured list of mutable names", () => {
    assert.equal(classifyTag("prod", ["prod"]), "mutable");
    assert.equal(classifyTag("latest", ["prod"]), "other");
  });
});
