// The package boundaries biome.json enforces, shown to catch what they must: the web app importing
// the database layer, production code importing the simulator, and process.env read outside env
// modules; and to leave alone what is allowed (tests, env modules).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const root = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const biome = path.join(root, "node_modules/.bin/biome");

/** The lint rules a file at `relative` with `source` breaks (category names). */
function violations(relative: string, source: string): string[] {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, source);
  try {
    let out: string;
    try {
      out = execFileSync(biome, ["lint", "--reporter=json", "--max-diagnostics=50", file], {
        cwd: root,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      out = String((error as { stdout?: string }).stdout ?? "");
    }
    const report = JSON.parse(out) as { diagnostics: Array<{ category: string }> };
    return report.diagnostics.map((d) => d.category);
  } finally {
    rmSync(file);
  }
}

const probe = (dir: string, name = "boundary-probe.ts") => path.join(dir, name);

describe("package boundaries (biome.json)", () => {
  it("the web app may not import the database layer, the collector or the simulator", () => {
    for (const pkg of [
      "@pullsight/db",
      "@pullsight/db/bootstrap",
      "@pullsight/collector",
      "@pullsight/k8s-sim",
    ]) {
      const found = violations(probe("apps/web/src"), `import * as m from "${pkg}";\nexport const x = m;\n`);
      assert.ok(found.includes("lint/style/noRestrictedImports"), `${pkg}: ${found.join(", ")}`);
    }
    const api = violations(
      probe("apps/web/src"),
      `import * as m from "@pullsight/api";\nexport const x = m;\n`,
    );
    assert.deepEqual(api, []);
  });

  it("production code may not import the simulator or the demo; tests may", () => {
    for (const dir of ["apps/collector/src", "packages/api/src", "packages/db/src", "apps/web/scripts"]) {
      for (const pkg of ["@pullsight/k8s-sim", "@pullsight/demo"]) {
        const found = violations(probe(dir), `import * as m from "${pkg}";\nexport const x = m;\n`);
        assert.ok(found.includes("lint/style/noRestrictedImports"), `${dir} ${pkg}: ${found.join(", ")}`);
      }
    }
    const inTest = violations(
      probe("apps/collector/src", "boundary-probe.test.ts"),
      `import * as m from "@pullsight/k8s-sim";\nexport const x = m;\n`,
    );
    assert.deepEqual(inTest, []);
  });

  it("process.env is read only in env modules and command-line entry points", () => {
    const reads = "export const port = process.env.PORT;\n";
    for (const dir of [
      "apps/web/src",
      "apps/collector/src",
      "packages/api/src",
      "packages/db/src",
      "apps/demo/src",
    ]) {
      const found = violations(probe(dir), reads);
      assert.ok(found.includes("lint/style/noProcessEnv"), `${dir}: ${found.join(", ")}`);
    }
    assert.deepEqual(violations(probe("packages/api/src", "probe-env.ts"), reads), []);
    assert.deepEqual(violations(probe("apps/collector/src", "boundary-probe.test.ts"), reads), []);
  });
});
