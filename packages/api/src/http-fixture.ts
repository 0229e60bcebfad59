// Test fixture: a database the collector filled from the simulator, served over real HTTP by the
// same handlers as the web app's /api/trpc and /api/export routes.

import { mkdtempSync, writeFileSync } from "node:fs";
import type http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { collectFleet, createClusterClient, loadKubeConfig } from "@pullsight/collector";
import { createExportPool, type ExportPoolOptions } from "@pullsight/db";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import type pg from "pg";
import { handleExportRequest } from "./export-http.ts";
import { handleTrpcRequest } from "./http.ts";
import type { Identity } from "./identity.ts";
import { DEFAULT_EXPORT_LIMITS, type ExportLimits } from "./limits.ts";
import { fetchServer, listen } from "./node-http.ts";

export interface HttpFixture {
  sim: Simulator;
  t: TestDatabase;
  pool: pg.Pool;
  url: string;
  /** Errors the server logged as its own (a 500's cause). */
  serverErrors: unknown[];
  stop(): Promise<void>;
}

export async function startHttpFixture(opts: {
  name: string;
  pods: number;
  user: Identity;
  pool?: ExportPoolOptions;
  exportLimits?: Partial<ExportLimits>;
}): Promise<HttpFixture> {
  const sim = await Simulator.start({ clusters: 2, podsPerCluster: opts.pods, seed: 23 });
  const t = await createTestDatabase(opts.name);
  const kubeconfig = path.join(mkdtempSync(path.join(tmpdir(), `${opts.name}-`)), "kubeconfig");
  writeFileSync(kubeconfig, sim.kubeconfig());
  const clients = sim.clusters.map((c) =>
    createClusterClient(c.name, loadKubeConfig({ kind: "kubeconfig", path: kubeconfig, context: c.name })),
  );
  await collectFleet(t.db, clients);
  const pool = createExportPool(t.url, opts.pool);
  const exportLimits = { ...DEFAULT_EXPORT_LIMITS, ...opts.exportLimits };
  const serverErrors: unknown[] = [];
  const server: http.Server = fetchServer(
    (req) =>
      new URL(req.url).pathname.startsWith("/api/export/")
        ? handleExportRequest(req, { db: t.db, pool, user: opts.user, exportLimits })
        : handleTrpcRequest(req, {
            endpoint: "/api/trpc",
            db: t.db,
            user: opts.user,
            cache: null,
            onError: ({ error }) => {
              if (error.code === "INTERNAL_SERVER_ERROR") serverErrors.push(error);
            },
          }),
    (e) => serverErrors.push(e),
  );
  const url = await listen(server);
  return {
    sim,
    t,
    pool,
    url,
    serverErrors,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await pool.end();
      await sim.stop();
      await t.drop();
    },
  };
}
