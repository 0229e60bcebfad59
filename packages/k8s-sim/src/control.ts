// The control API (its own port, plain HTTP on loopback): advance the clock, inject faults, mint
// tokens, generate event load, and read ground truth. Shapes are documented in README.md.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import type { Simulator } from "./simulator.ts";

const advanceSchema = z
  .object({
    seconds: z.number().nonnegative().optional(),
    minutes: z.number().nonnegative().optional(),
    hours: z.number().nonnegative().optional(),
    days: z.number().nonnegative().optional(),
    to: z.iso.datetime().optional(),
  })
  .strict();

const faultsSchema = z
  .object({
    unreachable: z.boolean().optional(),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    errorStatus: z.number().int().min(500).max(599).nullable().optional(),
    errorResources: z.record(z.string(), z.number().int().min(400).max(599)).optional(),
    forbidResources: z.array(z.string()).optional(),
    expireContinue: z.boolean().optional(),
    dropWatchesAfter: z.number().int().min(0).nullable().optional(),
    malformedResources: z.array(z.string()).optional(),
  })
  .strict();

const tokenSchema = z
  .object({ user: z.string().optional(), forbid: z.array(z.string()).optional() })
  .strict();
const loadSchema = z.object({ events: z.number().int().min(1).max(1_000_000) }).strict();

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function body(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "body is not JSON");
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new HttpError(400, z.prettifyError(r.error));
  return r.data;
}

export async function startControlServer(sim: Simulator, opts: { host?: string; port?: number } = {}) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://control");
    const parts = url.pathname.split("/").filter(Boolean);
    const reply = (code: number, value: unknown, type = "application/json") => {
      const text = type === "application/json" ? JSON.stringify(value) : String(value);
      res.writeHead(code, { "Content-Type": type });
      res.end(text);
    };
    try {
      const method = req.method ?? "GET";
      if (method === "GET" && parts.length === 0) {
        return reply(200, {
          now: new Date(sim.now).toISOString(),
          clusters: sim.clusters.map((c) => ({
            name: c.name,
            kubernetesVersion: c.gitVersion,
            server: c.url,
            faults: c.faults.unreachable ? "unreachable" : "ok",
          })),
        });
      }
      if (method === "GET" && parts[0] === "kubeconfig")
        return reply(200, sim.kubeconfig(), "application/yaml");
      if (parts[0] === "clock") {
        if (method === "GET") return reply(200, { now: new Date(sim.now).toISOString() });
        if (method === "POST" && parts[1] === "advance") {
          const a = parse(advanceSchema, await body(req));
          const ms =
            (a.seconds ?? 0) * 1e3 + (a.minutes ?? 0) * 6e4 + (a.hours ?? 0) * 3.6e6 + (a.days ?? 0) * 8.64e7;
          const target = a.to ? Date.parse(a.to) : sim.now + ms;
          if (target < sim.now) throw new HttpError(400, "the clock only moves forward");
          const started = Date.now();
          sim.advanceTo(target);
          return reply(200, { now: new Date(sim.now).toISOString(), tookMs: Date.now() - started });
        }
      }
      if (parts[0] === "clusters" && parts[1]) {
        const c = sim.clusters.find((x) => x.name === parts[1]);
        if (!c) throw new HttpError(404, `no cluster ${parts[1]}`);
        const what = parts[2];
        if (method === "GET" && what === "truth") return reply(200, c.sim.truth());
        if (method === "GET" && what === "events") {
          const since = url.searchParams.get("since");
          const events = c.sim.events(since ? Date.parse(since) : 0).map((e) => ({
            ...e,
            firstTimestamp: new Date(e.firstTimestamp).toISOString(),
            lastTimestamp: new Date(e.lastTimestamp).toISOString(),
          }));
          return reply(200, { count: events.length, events });
        }
        if (what === "faults") {
          if (method === "PUT") {
            await sim.setFaults(
              c.name,
              parse(faultsSchema, await body(req)) as Parameters<Simulator["setFaults"]>[1],
            );
            return reply(200, { ok: true });
          }
          if (method === "DELETE") {
            await sim.clearFaults(c.name);
            return reply(200, { ok: true });
          }
        }
        if (method === "POST" && what === "tokens") {
          const t = parse(tokenSchema, await body(req));
          return reply(201, { token: sim.addToken(c.name, t) });
        }
        if (method === "POST" && what === "load") {
          const l = parse(loadSchema, await body(req));
          return reply(200, { emitted: c.sim.emitLoad(l.events) });
        }
        if (method === "GET" && what === "requests") {
          const since = Number(url.searchParams.get("since") ?? 0);
          return reply(
            200,
            c.requests.filter((r) => r.at >= since),
          );
        }
      }
      throw new HttpError(404, `no route ${method} ${url.pathname}`);
    } catch (error) {
      if (error instanceof HttpError) return reply(error.status, { error: error.message });
      return reply(500, { error: error instanceof Error ? error.message : String(error) });
    }
  });
  await new Promise<void>((resolve) =>
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve()),
  );
  const address = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
