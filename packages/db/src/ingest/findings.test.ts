import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RULES_BY_ID } from "@pullsight/core";
import fc from "fast-check";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import type { ContainerInput, FindingInput, SnapshotInput } from "./snapshot.ts";
import { unchangedOf, writeSnapshot } from "./snapshot.ts";

// One container, two rules: PS001 reads the spec (resolves at once), PS010 reads runtime data
// (clears for its hysteresis window before it resolves).
const RULE_IDS = ["PS001", "PS010"] as const;
type RuleId = (typeof RULE_IDS)[number];
const HOUR = 3_600_000;
const START = Date.parse("2026-10-01T00:00:00Z");

/** What one snapshot sees of one rule: the condition with one of three evidence variants, no condition, or nothing (rule not evaluable). */
type Seen =
  | { kind: "present"; variant: number }
  | { kind: "absent" }
  | { kind: "unknown" }
  /** Evaluable, but no data for this container (no pods, too few pulls). */
  | { kind: "nodata" };
interface Step {
  /** Hours since the previous snapshot. */
  gapHours: number;
  /**
   * Whether a collector with memory wrote it: a step that sees what the one before saw is then
   * written as unchanged since that snapshot (nothing built, the stored containers stand).
   */
  remembered: boolean;
  /** Whether the workload's kind was read completely (otherwise nothing can be resolved). */
  kindComplete: boolean;
  seen: Record<RuleId, Seen>;
}

const seenArb: fc.Arbitrary<Seen> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.integer({ min: 0, max: 2 }).map((variant) => ({ kind: "present" as const, variant })),
  },
  { weight: 3, arbitrary: fc.constant({ kind: "absent" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "unknown" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "nodata" as const }) },
);
const stepArb: fc.Arbitrary<Step> = fc.record({
  gapHours: fc.constantFrom(1, 6, 12, 24, 48, 80),
  remembered: fc.boolean(),
  kindComplete: fc.integer({ min: 0, max: 9 }).map((n) => n < 8),
  seen: fc.record({ PS001: seenArb, PS010: seenArb }),
});
/**
 * Steps, a third of them seeing again what the step before saw (as a quiet cluster does for hours):
 * the steps a collector with memory writes as unchanged.
 */
const stepsArb = fc
  .array(fc.tuple(stepArb, fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 14 })
  .map((drawn) =>
    drawn.reduce<Step[]>((steps, [step, again]) => {
      const prev = steps[steps.length - 1];
      steps.push(again === 0 && prev ? { ...step, seen: prev.seen, kindComplete: prev.kindComplete } : step);
      return steps;
    }, []),
  );

interface ModelEpisode {
  openedAt: number;
  resolvedAt: number | null;
  clearingSince: number | null;
  unverifiedSince: number | null;
  /** Every version of what it said: [from, variant, clearing since]. */
  versions: Array<[number, number, number | null]>;
}

/** The reference: episodes per rule, written out directly from the lifecycle's definition. */
function model(steps: Step[], rule: RuleId): ModelEpisode[] {
  const windowMs = (RULES_BY_ID.get(rule)?.lifecycle.resolveAfterHours ?? 0) * HOUR;
  const episodes: ModelEpisode[] = [];
  let t = START;
  let cur: ModelEpisode | null = null;
  const last = (e: ModelEpisode) => e.versions[e.versions.length - 1] as [number, number, number | null];
  for (const step of steps) {
    t += step.gapHours * HOUR;
    const seen = step.seen[rule];
    if (seen.kind === "present") {
      if (!cur) {
        cur = {
          openedAt: t,
          resolvedAt: null,
          clearingSince: null,
          unverifiedSince: null,
          versions: [[t, seen.variant, null]],
        };
        episodes.push(cur);
        continue;
      }
      // Seen through pods only (kind not read), the evidence is not replaced; the condition still holds.
      const variant = step.kindComplete ? seen.variant : last(cur)[1];
      if (cur.clearingSince !== null || variant !== last(cur)[1]) cur.versions.push([t, variant, null]);
      cur.clearingSince = null;
      cur.unverifiedSince = null;
    } else if (cur && seen.kind === "nodata") {
      if (cur.unverifiedSince === null && cur.clearingSince === null) cur.unverifiedSince = t;
    } else if (cur && seen.kind === "absent" && step.kindComplete) {
      cur.unverifiedSince = null;
      if (cur.clearingSince === null && windowMs > 0) {
        cur.clearingSince = t;
        cur.versions.push([t, last(cur)[1], t]);
      }
      if (t - (cur.clearingSince ?? t) >= windowMs) {
        cur.resolvedAt = t;
        cur = null;
      }
    }
  }
  return episodes;
}

const container = (findings: FindingInput[]): ContainerInput => ({
  name: "app",
  type: "container",
  image: "registry.example.com/team/app:latest",
  registry: "registry.example.com",
  repository: "team/app",
  tag: "latest",
  digest: null,
  tagKind: "mutable",
  registryVisibility: "private",
  imagePullPolicy: "IfNotPresent",
  policySource: "defaulted",
  policyEvidence: "",
  pullSecrets: [],
  credentialSources: ["none"],
  factHash: "h",
  running: [],
  findings,
  compliant: findings.length === 0,
});

function snapshotOf(cluster: string, at: number, step: Step): SnapshotInput {
  const findings: FindingInput[] = [];
  for (const rule of RULE_IDS) {
    const seen = step.seen[rule];
    if (seen.kind !== "present") continue;
    findings.push({
      ruleId: rule,
      severity: "high",
      fingerprint: `${cluster}/prod/Deployment/api/app/${rule}`,
      image: `registry.example.com/team/app:v${seen.variant}`,
      message: `variant ${seen.variant}`,
      evidence: { variant: seen.variant },
    });
  }
  return {
    cluster: { name: cluster, server: null, kubernetesVersion: "v1.33.1" },
    startedAt: new Date(at),
    finishedAt: new Date(at),
    failures: step.kindComplete
      ? []
      : [{ kind: "deployments", path: "", status: 503, reason: "x", message: "x" }],
    collectorVersion: "test",
    rulesVersion: "test",
    workloads: [
      {
        namespace: "prod",
        kind: "Deployment",
        name: "api",
        uid: "u",
        serviceAccount: "default",
        labels: {},
        containers: [
          { ...container(findings), unevaluated: RULE_IDS.filter((r) => step.seen[r].kind === "nodata") },
        ],
      },
    ],
    namespaces: [{ name: "prod", labels: {}, profile: "production" }],
    completeKinds: step.kindComplete ? ["Deployment", "Pod"] : ["Pod"],
    runtimeComplete: true,
    evaluableRules: RULE_IDS.filter((r) => step.seen[r].kind !== "unknown"),
  };
}

function quietMonth(): Step[] {
  const step = (gapHours: number, ps010: Seen, remembered = false): Step => ({
    gapHours,
    remembered,
    kindComplete: true,
    seen: { PS001: { kind: "absent" }, PS010: ps010 },
  });
  return [
    step(1, { kind: "present", variant: 0 }),
    step(1, { kind: "absent" }),
    step(1, { kind: "nodata" }),
    // PS010 resolves after four weeks without its condition.
    ...Array.from({ length: 9 }, () => step(80, { kind: "nodata" }, true)),
  ];
}

/** The snapshot as a collector with memory writes it: its workloads unchanged since `basedOn`. */
function asUnchanged(input: SnapshotInput, basedOn: string): SnapshotInput {
  return {
    ...input,
    basedOn,
    workloads: input.workloads.map((w) => ({
      ...w,
      containers: [],
      unchanged: w.containers.map(unchangedOf),
    })),
  };
}

describe("findings lifecycle", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("findings");
  });
  after(() => t.drop());

  it("the findings written equal a reference model's: open, evidence at each step, clearing and resolving with hysteresis, written built or unchanged (fast-check)", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(stepsArb, async (steps) => {
        const cluster = `prop-${run++}`;
        let at = START;
        let previous: { step: Step; id: string } | null = null;
        for (const step of steps) {
          at += step.gapHours * HOUR;
          const input = snapshotOf(cluster, at, step);
          const basedOn =
            previous &&
            step.remembered &&
            previous.step.kindComplete === step.kindComplete &&
            JSON.stringify(previous.step.seen) === JSON.stringify(step.seen)
              ? previous.id
              : null;
          const written = await writeSnapshot(t.db, basedOn ? asUnchanged(input, basedOn) : input);
          previous = { step, id: String(written.snapshotId) };
        }
        for (const rule of RULE_IDS) {
          const stored = await t.db.finding.findMany({
            where: { cluster: { name: cluster }, ruleId: rule },
            orderBy: { id: "asc" },
            include: { history: { orderBy: { validFrom: "asc" } } },
          });
          const got = stored.map((f) => ({
            openedAt: f.openedAt.getTime(),
            resolvedAt: f.resolvedAt?.getTime() ?? null,
            clearingSince: f.clearingSince?.getTime() ?? null,
            unverifiedSince: f.unverifiedSince?.getTime() ?? null,
            versions: [
              ...f.history.map((h): [number, number, number | null] => [
                h.validFrom.getTime(),
                (h.evidence as { variant: number }).variant,
                h.clearingSince?.getTime() ?? null,
              ]),
              [
                f.versionSince?.getTime() ?? 0,
                (f.evidence as { variant: number }).variant,
                f.clearingSince?.getTime() ?? null,
              ] as [number, number, number | null],
            ],
          }));
          assert.deepEqual(got, model(steps, rule), `${rule} in ${cluster}`);
          for (const f of stored) {
            // What the row says is its newest version, message included.
            const variant = (f.evidence as { variant: number }).variant;
            assert.equal((f.evidence as { message: string }).message, `variant ${variant}`);
            assert.equal(f.image, `registry.example.com/team/app:v${variant}`);
            for (const [i, h] of f.history.entries())
              assert.equal(h.validTo.getTime(), (f.history[i + 1]?.validFrom ?? f.versionSince)?.getTime());
          }
        }
      }),
      {
        numRuns: 40,
        // A runtime finding clearing when its data runs out, and a quiet month written unchanged:
        // it must wait for data, not resolve.
        examples: [[quietMonth()]],
      },
    );
  });
});
