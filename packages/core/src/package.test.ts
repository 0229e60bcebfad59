import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { profilesJsonSchema, renderRuleCatalog } from "./index.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

/** Libraries core may use: pure validation and parsing, no I/O. */
const PURE = new Set(["zod", "yaml", "parse-prometheus-text-format"]);

describe("@pullsight/core", () => {
  it("imports nothing but its own files and pure parsers (zod, yaml, Prometheus text): no I/O, no workspace packages", () => {
    for (const file of sources(here)) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+["']([^"']+)["']/gm)) {
        const spec = m[1] as string;
        assert.ok(
          spec.startsWith("./") || spec.startsWith("../") || PURE.has(spec),
          `${path.relative(here, file)} imports ${spec}`,
        );
      }
      assert.doesNotMatch(text, /\bprocess\.|\brequire\(|\bfetch\(/, path.relative(here, file));
    }
  });

  it("RULES.md and profiles.schema.json are what the definitions generate", () => {
    assert.equal(
      readFileSync(path.join(here, "../RULES.md"), "utf8"),
      renderRuleCatalog(),
      "run: pnpm --filter @pullsight/core docs",
    );
    assert.equal(
      readFileSync(path.join(here, "../profiles.schema.json"), "utf8"),
      `${JSON.stringify(profilesJsonSchema(), null, 2)}\n`,
      "run: pnpm --filter @pullsight/core docs",
    );
  });
});
