import type { IncomingMessage, ServerResponse } from "node:http";
import type { Status } from "./status.ts";

/** One request being answered, with its requester, its log entry and its failure reply. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  user: string;
  /** Records the request with its status (after the response was handed to the socket). */
  log(code: number): void;
  /** Answers with a Kubernetes Status and logs it. */
  fail(s: Status): void;
}

export function send(res: ServerResponse, code: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}
