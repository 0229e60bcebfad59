// How often each rule fires, and at which severity, over a corpus of published manifests: the
// measure that keeps severities honest. A change that moves a rule's rate by more than the
// margin must say why in CALIBRATION_NOTES before the baseline may be rewritten.
import { evaluateManifest, type ManifestContainer } from "./manifest.ts";
import { RULES, RULES_VERSION } from "./rules/catalog.ts";
import { SEVERITIES, type Severity } from "./rules/types.ts";

/** Largest change of a rule's firing rate (share of corpus containers) a change may make unexplained. */
export const CALIBRATION_MARGIN = 0.02;

/**
 * Why a rules version moved firing rates on the corpus. The calibration baseline can be
 * rewritten only for a version that has a note here.
 */
export const CALIBRATION_NOTES: Readonly<Record<string, string>> = {
  "2026.12.2":
    "First calibrated version. PS002 no longer fires on floating versions (PS016, low, does); moving variant tags (`alpine`, `stable-alpine`, `main-latest`) are mutable, so PS001 and PS002 fire on them; registry visibility can be unknown, so PS007 fires only for known-private registries and PS018 (low) for unknown ones; PS011 is quiet where a policy rule fires.",
  "2026.12.3":
    "Adds PS019 (a running image its registry no longer serves) and PS020 (a tag moved in the registry): both read the registry prober's answers, which manifests do not have, so firing rates on the corpus do not move.",
  "2026.12.4":
    "PS007 and PS018 say which credential source they assumed (none), and a registry listed under serviceAccountTokenRegistries (KEP-4412 ServiceAccount-token credential providers, Kubernetes 1.34+) exempts them like nodeCredentialRegistries; the list is empty by default, so firing rates on the corpus do not move.",
  "2026.12.5":
    "Image volumes (spec.volumes[].image) are judged like containers by every rule; a ServiceAccount-token provider serves only pods whose ServiceAccount carries the annotations listed under serviceAccountTokenAnnotations (empty by default), and PS007/PS018 say why a declared token provider does not serve a pod. The corpus has no image volumes and the list is empty by default, so firing rates do not move.",
  "2026.12.6":
    "Adds PS021 (Always causes most of the registry pulls its nodes' kubelets counted): it reads kubelet metrics (opt-in, 1.35+), which manifests do not have, so firing rates on the corpus do not move.",
};

export interface CorpusFile {
  name: string;
  text: string;
}

export interface RuleRate {
  /** Containers it fired on. */
  fired: number;
  /** fired / containers, rounded to four places. */
  rate: number;
  bySeverity: Partial<Record<Severity, number>>;
}

export interface Calibration {
  rulesVersion: string;
  profile: string;
  containers: number;
  compliant: number;
  rules: Record<string, RuleRate>;
}

export interface CorpusContainer extends ManifestContainer {
  file: string;
}

/** Evaluates every file of the corpus under one profile. */
export function evaluateCorpus(files: readonly CorpusFile[], profile = "production"): CorpusContainer[] {
  return files.flatMap((f) =>
    evaluateManifest(f.text, { profile, cluster: "corpus" }).containers.map((c) => ({ ...c, file: f.name })),
  );
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

/** Per rule: how many containers it fires on, the share, and the severities. */
export function calibrate(containers: readonly CorpusContainer[], profile = "production"): Calibration {
  const rules: Record<string, RuleRate> = {};
  for (const rule of RULES) {
    const hits = containers.flatMap((c) => c.findings.filter((f) => f.ruleId === rule.id));
    const bySeverity: Partial<Record<Severity, number>> = {};
    for (const s of SEVERITIES) {
      const n = hits.filter((h) => h.severity === s).length;
      if (n) bySeverity[s] = n;
    }
    rules[rule.id] = {
      fired: hits.length,
      rate: containers.length ? round4(hits.length / containers.length) : 0,
      bySeverity,
    };
  }
  return {
    rulesVersion: RULES_VERSION,
    profile,
    containers: containers.length,
    compliant: containers.filter((c) => c.compliant).length,
    rules,
  };
}

/** Rules whose rate moved by more than the margin, or whose severities changed, against a baseline. */
export function calibrationDrift(
  baseline: Calibration,
  current: Calibration,
  margin = CALIBRATION_MARGIN,
): string[] {
  const drift: string[] = [];
  for (const id of new Set([...Object.keys(baseline.rules), ...Object.keys(current.rules)])) {
    const was = baseline.rules[id];
    const now = current.rules[id];
    if (!was || !now) {
      drift.push(`${id}: ${was ? "removed" : "new"} since the baseline`);
      continue;
    }
    if (Math.abs(now.rate - was.rate) > margin)
      drift.push(`${id}: fires on ${pct(now.rate)} of containers, the baseline says ${pct(was.rate)}`);
    const severities = (r: RuleRate) => Object.keys(r.bySeverity).sort().join(",");
    if (severities(now) !== severities(was))
      drift.push(
        `${id}: fires at ${severities(now) || "nothing"}, the baseline says ${severities(was) || "nothing"}`,
      );
  }
  return drift;
}

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
