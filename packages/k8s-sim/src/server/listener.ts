// One cluster's listener: HTTPS (or plain HTTP) on its own port, which can be taken down to
// simulate an unreachable API server and brought back on the same port.
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TlsMaterial } from "./tls.ts";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export class ClusterListener {
  private server: http.Server | https.Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** Connections accepted since the listener was made: what a client's keep-alive saves shows here. */
  connectionsAccepted = 0;

  constructor(
    private readonly handler: Handler,
    private readonly tls: TlsMaterial | null,
    private readonly host = "127.0.0.1",
  ) {}

  get url(): string {
    return `${this.tls ? "https" : "http"}://${this.host}:${this.port}`;
  }

  get listening(): boolean {
    return this.server !== null;
  }

  async start(port = this.port): Promise<void> {
    if (this.server) return;
    const handler: Handler = (req, res) => {
      Promise.resolve(this.handler(req, res)).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { "Content-Type": "application/json" });
          res.end(
            JSON.stringify({
              kind: "Status",
              apiVersion: "v1",
              status: "Failure",
              reason: "InternalError",
              code: 500,
              message: String(error),
            }),
          );
        } else {
          res.destroy();
        }
      });
    };
    const server = this.tls
      ? https.createServer({ cert: this.tls.certPem, key: this.tls.keyPem }, handler)
      : http.createServer(handler);
    server.keepAliveTimeout = 5_000;
    server.on("connection", (s: Socket) => {
      this.connectionsAccepted++;
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, this.host, () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the port and every open connection (watches included). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
