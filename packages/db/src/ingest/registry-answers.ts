// What the registry prober reads and writes: the fleet's distinct image references, and each
// round's answers (one statement upserts them; a change of outcome or digest is also kept as a
// RegistryAnswerChange) with each registry's round summary, in one transaction.
import { CONCLUSIVE_OUTCOMES, type ProbeOutcome, type RegistryAnswerFacts } from "@pullsight/core";
import type { Db } from "../client.ts";
import { poolOf } from "../client.ts";

/** One reference's answer in a round. */
export interface RegistryAnswerInput {
  image: string;
  registry: string;
  repository: string;
  reference: string;
  outcome: ProbeOutcome;
  httpStatus: number | null;
  digest: string | null;
  detail: string | null;
  credentialed: boolean;
  latencyMs: number | null;
  probedAt: Date;
}

/** One registry's round, as the prober summarizes it. */
export interface RegistryRoundInput {
  registry: string;
  prober: string;
  startedAt: Date;
  finishedAt: Date;
  references: number;
  requests: number;
  outcomes: Partial<Record<ProbeOutcome, number>>;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  throttled: number;
  retryAfterWaitMs: number;
  rateLimitLimit: number | null;
  rateLimitRemaining: number | null;
  circuitOpened: boolean;
}

/**
 * Every image a live workload of any cluster runs or would run (current container facts, templates
 * of workloads scaled to zero included), once each.
 */
export async function fleetImageReferences(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ image: string }[]>`
    SELECT DISTINCT cf.image FROM "ContainerFact" cf
    JOIN "Workload" w ON w.id = cf."workloadId"
    WHERE cf."validTo" IS NULL AND w."deletedAt" IS NULL AND cf."tagKind" <> 'invalid'
    ORDER BY cf.image`;
  return rows.map((r) => r.image);
}

/** A pull Secret that workloads running an image name, where it lives. */
export interface ImagePullSecretRef {
  image: string;
  cluster: string;
  namespace: string;
  secret: string;
}

/**
 * The pull Secrets (names only, pod and ServiceAccount) that the live workloads running each image
 * carry, per cluster and namespace: which Secrets an opted-in prober reads for which reference.
 */
export async function fleetImagePullSecrets(db: Db): Promise<ImagePullSecretRef[]> {
  return db.$queryRaw<ImagePullSecretRef[]>`
    SELECT DISTINCT cf.image, c.name AS cluster, w.namespace, s.secret
    FROM "ContainerFact" cf
    JOIN "Workload" w ON w.id = cf."workloadId"
    JOIN "Cluster" c ON c.id = w."clusterId"
    CROSS JOIN LATERAL unnest(cf."pullSecrets") AS s(secret)
    WHERE cf."validTo" IS NULL AND w."deletedAt" IS NULL AND cf."tagKind" <> 'invalid'
    ORDER BY cf.image, cluster, w.namespace, s.secret`;
}

/**
 * Stores a round. An answer that says nothing of the reference (rate-limited, unreachable,
 * failing) keeps the last conclusive one and records only the attempt.
 */
export async function recordRegistryRound(
  db: Db,
  answers: RegistryAnswerInput[],
  rounds: RegistryRoundInput[],
): Promise<void> {
  const client = await poolOf(db).connect();
  const col = <T>(f: (a: RegistryAnswerInput) => T) => answers.map(f);
  try {
    await client.query("BEGIN");
    if (answers.length) {
      await client.query(
        `WITH u AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[],
                                $8::text[], $9::boolean[], $10::int[], $11::timestamptz[])
             AS u(image, registry, repository, reference, outcome, "httpStatus", digest, detail, credentialed, "latencyMs", "probedAt")
         ),
         before AS (
           SELECT a.image, a.outcome, a.digest FROM "RegistryAnswer" a JOIN u USING (image)
         ),
         up AS (
           INSERT INTO "RegistryAnswer" AS a (image, registry, repository, reference, outcome, "httpStatus", digest, detail,
             credentialed, "latencyMs", "probedAt", since, "attemptOutcome", "attemptedAt")
           SELECT image, registry, repository, reference, outcome, "httpStatus", digest, detail, credentialed, "latencyMs",
             "probedAt", "probedAt", outcome, "probedAt" FROM u
           ON CONFLICT (image) DO UPDATE SET
             "attemptOutcome" = EXCLUDED.outcome,
             "attemptedAt" = EXCLUDED."probedAt",
             outcome = CASE WHEN ${CONCLUSIVE} THEN EXCLUDED.outcome ELSE a.outcome END,
             "httpStatus" = CASE WHEN ${CONCLUSIVE} THEN EXCLUDED."httpStatus" ELSE a."httpStatus" END,
             digest = CASE WHEN ${CONCLUSIVE} THEN EXCLUDED.digest ELSE a.digest END,
             detail = CASE WHEN ${CONCLUSIVE} THEN EXCLUDED.detail ELSE a.detail END,
             credentialed = CASE WHEN ${CONCLUSIVE} THEN EXCLUDED.credentialed ELSE a.credentialed END,
             "latencyMs" = CASE WHEN ${CONCLUSIVE} THEN EXCLUDED."latencyMs" ELSE a."latencyMs" END,
             "probedAt" = CASE WHEN ${CONCLUSIVE} THEN EXCLUDED."probedAt" ELSE a."probedAt" END,
             since = CASE WHEN ${CONCLUSIVE} AND (EXCLUDED.outcome, EXCLUDED.digest) IS DISTINCT FROM (a.outcome, a.digest)
                          THEN EXCLUDED."probedAt" ELSE a.since END
           RETURNING a.image, a.outcome, a.digest, a."httpStatus", a.since
         )
         INSERT INTO "RegistryAnswerChange" (image, outcome, "httpStatus", digest, at)
         SELECT up.image, up.outcome, up."httpStatus", up.digest, up.since FROM up
         LEFT JOIN before b ON b.image = up.image
         WHERE b.image IS NULL OR (b.outcome, b.digest) IS DISTINCT FROM (up.outcome, up.digest)`,
        [
          col((a) => a.image),
          col((a) => a.registry),
          col((a) => a.repository),
          col((a) => a.reference),
          col((a) => a.outcome),
          col((a) => a.httpStatus),
          col((a) => a.digest),
          col((a) => a.detail),
          col((a) => a.credentialed),
          col((a) => a.latencyMs),
          col((a) => a.probedAt),
        ],
      );
    }
    for (const r of rounds) {
      await client.query(
        `INSERT INTO "RegistryProbeRound" (registry, prober, "startedAt", "finishedAt", "references", requests, outcomes,
           "p50Ms", "p95Ms", "maxMs", throttled, "retryAfterWaitMs", "rateLimitLimit", "rateLimitRemaining", "circuitOpened")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [
          r.registry,
          r.prober,
          r.startedAt,
          r.finishedAt,
          r.references,
          r.requests,
          JSON.stringify(r.outcomes),
          r.p50Ms,
          r.p95Ms,
          r.maxMs,
          r.throttled,
          r.retryAfterWaitMs,
          r.rateLimitLimit,
          r.rateLimitRemaining,
          r.circuitOpened,
        ],
      );
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** A new answer replaces the stored one when it is conclusive, or when the stored one is not. */
const CONCLUSIVE = `(EXCLUDED.outcome IN (${CONCLUSIVE_OUTCOMES.map((o) => `'${o}'`).join(", ")}) OR a.outcome NOT IN (${CONCLUSIVE_OUTCOMES.map((o) => `'${o}'`).join(", ")}))`;

/**
 * What the registries said of the images a cluster's workloads run (as its latest snapshot stored
 * them), in the rules' terms, by image: the input of PS019 and PS020. A reference the prober has
 * not asked about yet has no entry.
 */
export async function getClusterRegistryAnswers(
  db: Db,
  cluster: string,
): Promise<Map<string, RegistryAnswerFacts>> {
  const rows = await db.$queryRaw<
    Array<
      Omit<RegistryAnswerFacts, "probedAt" | "since" | "outcome"> & {
        image: string;
        outcome: string;
        probedAt: Date;
        since: Date;
      }
    >
  >`
    SELECT a.image, a.outcome, a."httpStatus", a.digest, a.detail, a.credentialed, a."probedAt", a.since
    FROM "RegistryAnswer" a
    WHERE a.image IN (
      SELECT cf.image FROM "ContainerFact" cf
      JOIN "Workload" w ON w.id = cf."workloadId"
      JOIN "Cluster" c ON c.id = w."clusterId"
      WHERE c.name = ${cluster} AND cf."validTo" IS NULL AND w."deletedAt" IS NULL)`;
  return new Map(
    rows.map(({ image, probedAt, since, outcome, ...a }) => [
      image,
      {
        ...a,
        outcome: outcome as ProbeOutcome,
        probedAt: probedAt.toISOString(),
        since: since.toISOString(),
      },
    ]),
  );
}
