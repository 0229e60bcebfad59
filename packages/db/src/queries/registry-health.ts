// How each registry answers the prober: its latest round (outcomes, latency, 429s, rate-limit
// headroom, whether its circuit opened), its references by current answer, and a daily series
// over the window (answered share, worst p95, 429s) for the registry-health chart.
import { CONCLUSIVE_OUTCOMES } from "@pullsight/core";
import { z } from "zod";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";

export const registryHealthResult = z.object({
  registries: z.array(
    z.object({
      registry: z.string(),
      prober: z.string(),
      lastProbedAt: z.date(),
      references: z.number().int(),
      /** Current answers by outcome (RegistryAnswer: the last conclusive answer per reference). */
      byOutcome: z.record(z.string(), z.number().int()),
      /** The latest round's. */
      lastRound: z.object({
        references: z.number().int(),
        requests: z.number().int(),
        outcomes: z.record(z.string(), z.number().int()),
        p50Ms: z.number().int().nullable(),
        p95Ms: z.number().int().nullable(),
        throttled: z.number().int(),
        retryAfterWaitMs: z.number().int(),
        rateLimitLimit: z.number().int().nullable(),
        rateLimitRemaining: z.number().int().nullable(),
        circuitOpened: z.boolean(),
      }),
      /** Per day (UTC) of the window: references asked, the share answered, the worst round p95, 429s. */
      days: z.array(
        z.object({
          day: z.string(),
          asked: z.number().int(),
          answeredShare: z.number().nullable(),
          p95Ms: z.number().int().nullable(),
          throttled: z.number().int(),
        }),
      ),
    }),
  ),
});
export type RegistryHealth = z.infer<typeof registryHealthResult>;

type LastRow = {
  registry: string;
  prober: string;
  finishedAt: Date;
  references: number;
  requests: number;
  outcomes: Record<string, number>;
  p50Ms: number | null;
  p95Ms: number | null;
  throttled: number;
  retryAfterWaitMs: number;
  rateLimitLimit: number | null;
  rateLimitRemaining: number | null;
  circuitOpened: boolean;
};

/**
 * With `cluster`, references and answers are that cluster's (the images its live workloads run) and
 * only the registries it pulls from are listed; rounds, latency and rate limits stay the prober's,
 * which asks once for the whole fleet.
 */
export async function getRegistryHealth(
  db: Db,
  opts: { now: Date; days?: number; cluster?: string },
): Promise<RegistryHealth> {
  const from = new Date(opts.now.getTime() - (opts.days ?? 14) * 86_400_000);
  const scoped = opts.cluster
    ? Prisma.sql`WHERE image IN (
        SELECT cf.image FROM "ContainerFact" cf
        JOIN "Workload" w ON w.id = cf."workloadId"
        JOIN "Cluster" c ON c.id = w."clusterId"
        WHERE c.name = ${opts.cluster} AND cf."validTo" IS NULL AND w."deletedAt" IS NULL)`
    : Prisma.empty;
  const conclusive = Prisma.join(CONCLUSIVE_OUTCOMES.map((o) => Prisma.sql`${o}`));
  const [last, counts, days] = await Promise.all([
    db.$queryRaw<LastRow[]>`
      SELECT DISTINCT ON (registry) registry, prober, "finishedAt", "references", requests, outcomes, "p50Ms", "p95Ms",
        throttled, "retryAfterWaitMs", "rateLimitLimit", "rateLimitRemaining", "circuitOpened"
      FROM "RegistryProbeRound" ORDER BY registry, "startedAt" DESC`,
    db.$queryRaw<Array<{ registry: string; outcome: string; n: number }>>`
      SELECT registry, outcome, COUNT(*)::int AS n FROM "RegistryAnswer" ${scoped} GROUP BY registry, outcome`,
    db.$queryRaw<
      Array<{
        registry: string;
        day: string;
        asked: number;
        answered: number;
        p95: number | null;
        throttled: number;
      }>
    >`
      SELECT registry, to_char(date_trunc('day', "startedAt" AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
        SUM("references")::int AS asked,
        SUM((SELECT COALESCE(SUM(v::int), 0) FROM jsonb_each_text(outcomes) AS o(k, v) WHERE k IN (${conclusive})))::int AS answered,
        MAX("p95Ms")::int AS p95, SUM(throttled)::int AS throttled
      FROM "RegistryProbeRound" WHERE "startedAt" >= ${from}
      GROUP BY registry, day ORDER BY registry, day`,
  ]);
  return {
    registries: last
      .filter((r) => !opts.cluster || counts.some((c) => c.registry === r.registry))
      .map((r) => {
        const byOutcome = Object.fromEntries(
          counts.filter((c) => c.registry === r.registry).map((c) => [c.outcome, c.n]),
        );
        return {
          registry: r.registry,
          prober: r.prober,
          lastProbedAt: r.finishedAt,
          references: Object.values(byOutcome).reduce((n, v) => n + v, 0),
          byOutcome,
          lastRound: {
            references: r.references,
            requests: r.requests,
            outcomes: r.outcomes,
            p50Ms: r.p50Ms,
            p95Ms: r.p95Ms,
            throttled: r.throttled,
            retryAfterWaitMs: r.retryAfterWaitMs,
            rateLimitLimit: r.rateLimitLimit,
            rateLimitRemaining: r.rateLimitRemaining,
            circuitOpened: r.circuitOpened,
          },
          days: days
            .filter((d) => d.registry === r.registry)
            .map((d) => ({
              day: d.day,
              asked: d.asked,
              answeredShare: d.asked ? d.answered / d.asked : null,
              p95Ms: d.p95,
              throttled: d.throttled,
            })),
        };
      }),
  };
}
