// A probe round: every distinct image reference of the fleet asked of its registry once, registries
// side by side (one lane each), the answers and each registry's summary stored in one transaction.
import { type ProbeOutcome, probeTarget, type RegistryCredentials, registryEndpoint } from "@pullsight/core";
import {
  type Db,
  fleetImagePullSecrets,
  fleetImageReferences,
  type RegistryAnswerInput,
  type RegistryRoundInput,
  recordRegistryRound,
} from "@pullsight/db";
import type { Logger } from "@pullsight/observe";
import type { ClusterClient } from "../k8s/client.ts";
import { type LaneResult, type LaneTarget, runLane } from "./lane.ts";
import { type CredentialCandidate, RegistryClient } from "./oci-client.ts";
import { type PullSecretReads, pullSecretCandidates } from "./pull-secrets.ts";

export interface ProbeOptions {
  /** This prober's name in the stored rounds (where it asks from). */
  prober: string;
  /** Registry name to API base URL (mirrors, proxies, the simulator); others are reached directly. */
  endpoints: ReadonlyMap<string, string>;
  /** Credentials by registry name, each sent only to its registry. */
  credentials: ReadonlyMap<string, RegistryCredentials>;
  /** Requests in flight per registry. */
  concurrency: number;
  timeoutMs: number;
  /** How long a round may take: what is not asked by then is reported rate-limited. */
  roundMs: number;
  breakerThreshold?: number;
  /** Opt-in: the clusters whose pull Secrets (named by the workloads of each reference) are read and tried. */
  pullSecretsFrom?: readonly ClusterClient[];
  log?: Logger;
}

export interface RoundReport {
  answers: RegistryAnswerInput[];
  rounds: RegistryRoundInput[];
  /** Per cluster, how reading its pull Secrets went (only with `pullSecretsFrom`). */
  pullSecretReads?: PullSecretReads[];
}

/** Asks every registry about its references and summarizes each registry's round. */
export async function probeImages(
  images: readonly string[],
  opts: ProbeOptions,
  candidates: ReadonlyMap<string, readonly CredentialCandidate[]> = new Map(),
): Promise<RoundReport> {
  const byRegistry = new Map<string, LaneTarget[]>();
  for (const image of new Set(images)) {
    const target = probeTarget(image);
    if (!target) continue;
    const list = byRegistry.get(target.registry) ?? [];
    list.push({ ...target, image, candidates: candidates.get(image) ?? [] });
    byRegistry.set(target.registry, list);
  }
  const started = Date.now();
  const deadline = started + opts.roundMs;
  const answers: RegistryAnswerInput[] = [];
  const rounds = await Promise.all(
    [...byRegistry].map(async ([registry, targets]) => {
      const credentials = opts.credentials.get(registry) ?? null;
      const client = new RegistryClient(
        registry,
        registryEndpoint(registry, opts.endpoints),
        credentials,
        opts.timeoutMs,
      );
      const results: LaneResult[] = [];
      const startedAt = new Date();
      const summary = await runLane(
        client,
        shuffled(targets),
        {
          concurrency: opts.concurrency,
          deadline,
          breakerThreshold: opts.breakerThreshold ?? 5,
        },
        (r) => results.push(r),
      );
      for (const r of results) answers.push(answerOf(r));
      const round = summarize(registry, opts.prober, startedAt, results, summary);
      opts.log?.info("registry probed", { registry, ...round.outcomes, requests: round.requests });
      return round;
    }),
  );
  return { answers, rounds };
}

/** One round over the fleet's references, stored. */
export async function probeRound(db: Db, opts: ProbeOptions): Promise<RoundReport> {
  const images = await fleetImageReferences(db);
  if (!opts.pullSecretsFrom) {
    const report = await probeImages(images, opts);
    await recordRegistryRound(db, report.answers, report.rounds);
    return report;
  }
  const secrets = await pullSecretCandidates(opts.pullSecretsFrom, await fleetImagePullSecrets(db), opts.log);
  const report = await probeImages(images, opts, secrets.candidates);
  await recordRegistryRound(db, report.answers, report.rounds);
  return { ...report, pullSecretReads: secrets.reads };
}

function answerOf(r: LaneResult): RegistryAnswerInput {
  return {
    image: r.target.image,
    registry: r.target.registry,
    repository: r.target.repository,
    reference: r.target.reference,
    outcome: r.response.outcome,
    httpStatus: r.response.httpStatus,
    digest: r.response.digest,
    detail: r.response.detail,
    credentialed: r.response.credentialed,
    latencyMs: r.response.requests ? r.response.latencyMs : null,
    probedAt: r.probedAt,
  };
}

function summarize(
  registry: string,
  prober: string,
  startedAt: Date,
  results: LaneResult[],
  s: Awaited<ReturnType<typeof runLane>>,
): RegistryRoundInput {
  const outcomes: Partial<Record<ProbeOutcome, number>> = {};
  for (const r of results) outcomes[r.response.outcome] = (outcomes[r.response.outcome] ?? 0) + 1;
  const latencies = results
    .filter((r) => r.response.httpStatus !== null)
    .map((r) => r.response.latencyMs)
    .sort((a, b) => a - b);
  const at = (q: number) =>
    latencies.length ? (latencies[Math.ceil(q * latencies.length) - 1] ?? null) : null;
  return {
    registry,
    prober,
    startedAt,
    finishedAt: new Date(),
    references: results.length,
    requests: s.requests,
    outcomes,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    maxMs: latencies.at(-1) ?? null,
    throttled: s.throttled,
    retryAfterWaitMs: Math.round(s.retryAfterWaitMs),
    rateLimitLimit: s.rateLimitLimit,
    rateLimitRemaining: s.rateLimitRemaining,
    circuitOpened: s.circuitOpened,
  };
}

/** A different order each round, so that a round cut short does not always miss the same references. */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
