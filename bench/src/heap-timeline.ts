// Where a measured process's memory peaked, and what each cluster was doing then: the collector's
// phases come from its log ("writing snapshot", "snapshot written") and its read progress.
import type { Logger } from "@pullsight/collector";

export interface PeakMoment {
  atMs: number;
  rssMb: number;
  heapUsedMb: number;
  /** What V8 holds for its heap: the live objects, garbage not collected yet and free pages kept. */
  heapTotalMb: number;
  externalMb: number;
  /** Per cluster: what it was doing at the peak. */
  phases: Record<string, string>;
}

export function heapTimeline(intervalMs = 50) {
  const started = performance.now();
  const phases: Record<string, string> = {};
  const mb = (n: number) => Math.round(n / 2 ** 20);
  let peak: PeakMoment = { atMs: 0, rssMb: 0, heapUsedMb: 0, heapTotalMb: 0, externalMb: 0, phases: {} };
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss / 2 ** 20 <= peak.rssMb) return;
    peak = {
      atMs: Math.round(performance.now() - started),
      rssMb: mb(m.rss),
      heapUsedMb: mb(m.heapUsed),
      heapTotalMb: mb(m.heapTotal),
      externalMb: mb(m.external),
      phases: { ...phases },
    };
  };
  const timer = setInterval(sample, intervalMs);
  const mark = (msg: string, fields?: Record<string, unknown>) => {
    if (typeof fields?.cluster === "string") phases[fields.cluster] = msg;
  };
  const log: Logger = {
    debug: mark,
    info: mark,
    warn: mark,
    error: mark,
    child: () => log,
  };
  return {
    log,
    onProgress: (cluster: string, kind: string) => {
      phases[cluster] = `had read ${kind}`;
    },
    stop(): PeakMoment {
      sample();
      clearInterval(timer);
      return peak;
    },
  };
}
