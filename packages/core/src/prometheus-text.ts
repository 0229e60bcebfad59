/// <reference path="./parse-prometheus-text-format.d.ts" />
// Reading a /metrics page (the product's own, in tests; a kubelet's, by the collector): the text
// is parsed by a maintained parser of the Prometheus text format, never by a regular expression
// of ours.
import parse, { type Family } from "parse-prometheus-text-format";

export type { Family };

/** One sample: a counter's or gauge's value, or a histogram's `_bucket`, `_sum` or `_count`. */
export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Every sample with its labels. The parser folds a histogram's series into one, losing their
 * labels (its flattenMetrics keeps only `le`); declared untyped, each of a histogram's `_bucket`,
 * `_sum` and `_count` samples is read as a series of its own, labels and all.
 */
export function readMetrics(text: string): Series[] {
  const untyped = text.replace(/^# TYPE (\S+) (histogram|summary)$/gm, "# TYPE $1 untyped");
  return parse(untyped).flatMap((family) =>
    family.metrics.map((m) => ({ name: family.name, labels: m.labels ?? {}, value: Number(m.value) })),
  );
}

/** The value of the series of `name` whose labels include `labels` (0 when there is none). */
export function sampleValue(series: Series[], name: string, labels: Record<string, string> = {}): number {
  const match = series.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return match.reduce((sum, s) => sum + s.value, 0);
}
