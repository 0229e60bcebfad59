// The browser the end-to-end tests drive, found without ever letting Playwright download one:
//   1. CHROMIUM_PATH, when set (it must exist);
//   2. the system's Chromium (Debian's `chromium` package), when installed;
//   3. the headless Chromium that the @sparticuz/chromium npm package ships compressed, unpacked
//      into the temporary directory: it needs nothing but Node and npm, so a fresh machine has it.
import { existsSync } from "node:fs";

export interface Browser {
  path: string;
  /** Where it came from, for the test run's log. */
  source: string;
}

const SYSTEM_CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

export async function obtainChromium(
  env: NodeJS.ProcessEnv = process.env,
  systemPaths: readonly string[] = SYSTEM_CHROMIUM,
): Promise<Browser> {
  const configured = env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return { path: configured, source: "CHROMIUM_PATH" };
  }
  const system = systemPaths.find((p) => existsSync(p));
  if (system) return { path: system, source: "the system's Chromium" };
  const { default: packaged } = await import("@sparticuz/chromium");
  const path = await packaged.executablePath();
  return { path, source: "the Chromium shipped in the @sparticuz/chromium npm package, unpacked" };
}
