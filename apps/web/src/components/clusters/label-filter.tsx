import { button, input, Link, muted, primaryButton } from "~/components/ui.tsx";
import type { Outputs } from "~/server/outputs.ts";

type Clusters = Outputs["fleet"]["overview"]["clusters"];

/** One select per cluster label key, offering the values the fleet has. */
export function LabelFilter({ all, chosen }: { all: Clusters; chosen: Array<[string, string]> }) {
  const labels = Object.fromEntries(chosen);
  const labelValues = new Map<string, Set<string>>();
  for (const c of all)
    for (const [k, v] of c.labels) labelValues.set(k, (labelValues.get(k) ?? new Set()).add(v));
  return (
    <form method="get" className="flex flex-wrap items-end gap-3" aria-label="Filter clusters by label">
      {[...labelValues.entries()].sort().map(([key, values]) => (
        <label key={key} className="flex flex-col gap-1 text-sm">
          <span className={muted}>{key}</span>
          <select
            name="label"
            aria-label={key}
            defaultValue={labels[key] !== undefined ? `${key}=${labels[key]}` : ""}
            className={input}
          >
            <option value="">any</option>
            {[...values].sort().map((v) => (
              <option key={v} value={`${key}=${v}`}>
                {v}
              </option>
            ))}
          </select>
        </label>
      ))}
      {labelValues.size === 0 ? (
        <p className={`text-sm ${muted}`}>
          No cluster has labels (the collector's --cluster-label sets them).
        </p>
      ) : (
        <>
          <button type="submit" className={primaryButton}>
            Filter
          </button>
          {chosen.length > 0 && (
            <Link href="/clusters" className={button}>
              Clear
            </Link>
          )}
        </>
      )}
    </form>
  );
}

/** Two cluster selects; the label filter travels along. */
export function CompareForm({
  all,
  chosen,
  a,
  b,
}: {
  all: Clusters;
  chosen: Array<[string, string]>;
  a: string | undefined;
  b: string | undefined;
}) {
  return (
    <form method="get" className="flex flex-wrap items-end gap-3">
      {chosen.map(([k, v]) => (
        <input key={k} type="hidden" name="label" value={`${k}=${v}`} />
      ))}
      {(
        [
          ["a", "First cluster", a],
          ["b", "Second cluster", b],
        ] as const
      ).map(([name, text, value]) => (
        <label key={name} className="flex flex-col gap-1 text-sm">
          <span className={muted}>{text}</span>
          <select name={name} aria-label={text} defaultValue={value ?? ""} className={input}>
            <option value="">choose…</option>
            {all.map((c) => (
              <option key={c.id} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      ))}
      <button type="submit" className={primaryButton}>
        Compare
      </button>
    </form>
  );
}
