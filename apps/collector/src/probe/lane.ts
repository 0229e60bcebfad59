// One registry's share of a probe round: a few requests at a time, paused for as long as a 429's
// Retry-After asks (no request before it), a circuit that opens after consecutive failures to get
// any answer (the rest of the round asks nothing more of that registry), and a deadline after which
// what is left is reported as rate-limited rather than asked late. Lanes of different registries
// run side by side, so a registry that hangs costs only its own lane its timeouts.
import type { ProbeTarget } from "@pullsight/core";
import type { CredentialCandidate, ProbeResponse, RegistryClient } from "./oci-client.ts";

/** A reference to ask, with the credentials its workloads' pull secrets hold (when they were read). */
export type LaneTarget = ProbeTarget & { image: string; candidates?: readonly CredentialCandidate[] };

export interface LaneOptions {
  /** Requests in flight at once to this registry. */
  concurrency: number;
  /** No request is started after this instant (ms since epoch). */
  deadline: number;
  /** Consecutive probes without an HTTP answer that open the circuit. */
  breakerThreshold: number;
  now?: () => number;
}

export interface LaneResult {
  target: LaneTarget;
  response: ProbeResponse;
  probedAt: Date;
}

export interface LaneSummary {
  requests: number;
  throttled: number;
  retryAfterWaitMs: number;
  rateLimitLimit: number | null;
  rateLimitRemaining: number | null;
  circuitOpened: boolean;
}

const unanswered = (outcome: "rate-limited" | "unreachable", detail: string): ProbeResponse => ({
  outcome,
  httpStatus: null,
  digest: null,
  detail,
  latencyMs: 0,
  requests: 0,
  retryAt: null,
  rateLimitLimit: null,
  rateLimitRemaining: null,
  credentialed: false,
});

export async function runLane(
  client: RegistryClient,
  targets: ReadonlyArray<LaneTarget>,
  opts: LaneOptions,
  onResult: (r: LaneResult) => void,
): Promise<LaneSummary> {
  const now = opts.now ?? Date.now;
  const queue = targets.map((target) => ({ target }));
  const summary: LaneSummary = {
    requests: 0,
    throttled: 0,
    retryAfterWaitMs: 0,
    rateLimitLimit: null,
    rateLimitRemaining: null,
    circuitOpened: false,
  };
  let pausedUntil = 0;
  let failuresInARow = 0;
  const finish = (target: LaneTarget, response: ProbeResponse) =>
    onResult({ target, response, probedAt: new Date(now()) });

  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      if (summary.circuitOpened) {
        finish(
          item.target,
          unanswered("unreachable", `circuit open: ${opts.breakerThreshold} probes in a row got no answer`),
        );
        continue;
      }
      if (pausedUntil > now()) {
        if (pausedUntil > opts.deadline) {
          finish(
            item.target,
            unanswered(
              "rate-limited",
              `Retry-After reaches past the round (${new Date(pausedUntil).toISOString()})`,
            ),
          );
          continue;
        }
        const wait = pausedUntil - now();
        summary.retryAfterWaitMs += wait;
        await new Promise((r) => setTimeout(r, wait));
      }
      if (now() > opts.deadline) {
        finish(
          item.target,
          unanswered("rate-limited", "the round ended before this registry could be asked"),
        );
        continue;
      }
      const response = await client.head(
        item.target.repository,
        item.target.reference,
        item.target.candidates,
      );
      summary.requests += response.requests;
      summary.rateLimitLimit = response.rateLimitLimit ?? summary.rateLimitLimit;
      if (response.rateLimitRemaining !== null)
        summary.rateLimitRemaining = Math.min(
          summary.rateLimitRemaining ?? Number.POSITIVE_INFINITY,
          response.rateLimitRemaining,
        );
      if (response.retryAt !== null) {
        // A 429 speaks of the registry, not the reference: ask again once allowed, until the deadline.
        summary.throttled++;
        pausedUntil = Math.max(pausedUntil, response.retryAt);
        queue.unshift(item);
        continue;
      }
      failuresInARow = response.outcome === "unreachable" ? failuresInARow + 1 : 0;
      if (failuresInARow >= opts.breakerThreshold) summary.circuitOpened = true;
      finish(item.target, response);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
  return summary;
}
