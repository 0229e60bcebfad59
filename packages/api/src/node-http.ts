// A node:http server in front of fetch-style handlers (handleTrpcRequest, handleExportRequest):
// what the benchmark loads and the fuzz suite attacks, the same handlers the web app's routes
// call. Bodies stream both ways with backpressure: a request body is read only as far as the
// handler reads it (the limits bound that), and a response body is sent as the client takes it,
// so a client that stops reading stops the export's stream (which then cuts it off).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

export type FetchHandler = (req: Request) => Promise<Response>;

function toRequest(req: http.IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers))
    for (const x of v === undefined ? [] : Array.isArray(v) ? v : [v]) headers.append(k, x);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
    method: req.method ?? "GET",
    headers,
    signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
}

export function fetchServer(handle: FetchHandler, onError?: (e: unknown) => void): http.Server {
  return http.createServer(async (req, res) => {
    const aborted = new AbortController();
    res.once("close", () => aborted.abort());
    try {
      const response = await handle(toRequest(req, aborted.signal));
      res.writeHead(response.status, [...response.headers].flat());
      if (!response.body) return void res.end();
      await pipeline(Readable.fromWeb(response.body as never), res);
    } catch (e) {
      // A client that went away is not news; anything else is logged and answered if still possible.
      if (aborted.signal.aborted) return;
      // A body that failed after its headers went out (an export cut off): the connection is cut.
      if (res.headersSent) return void res.destroy();
      onError?.(e);
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "internal error" }));
    }
  });
}

/** Listens on a free loopback port; resolves with the base URL. */
export async function listen(server: http.Server, host = "127.0.0.1"): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}
