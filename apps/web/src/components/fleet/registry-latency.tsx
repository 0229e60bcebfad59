// Pull latency by registry as ranked small multiples: the registries whose p95 rose most in the
// last week against the weeks before come first, one small chart each on a shared zero-based scale
// (so their heights compare), and the rest are folded into one line with their numbers.
import { TimeChart } from "~/components/charts.tsx";
import { muted, Section } from "~/components/ui.tsx";
import { ms } from "~/lib/format.ts";
import { PALETTE, pivot, rankBySlowdown, type Slowdown, zeroBasedDomain } from "~/lib/series.ts";
import type { Outputs } from "~/server/outputs.ts";

type Latency = Outputs["trends"]["latency"];

/** Registries drawn on their own; the rest are listed. */
const SHOWN = 4;

const change = (s: Slowdown) =>
  s.ratio === null ? "no earlier pulls to compare" : `${s.ratio.toFixed(1)}× the ${ms(s.before)} before`;

export function RegistryLatency({ latency }: { latency: Latency }) {
  const p95 = pivot(
    latency,
    (r) => r.bucket,
    (r) => r.registry,
    (r) => r.p95Ms,
  );
  const ranked = rankBySlowdown(p95.points, p95.names);
  if (ranked.length === 0) return null;
  const shown = ranked.slice(0, SHOWN);
  const folded = ranked.slice(SHOWN);
  const domain = zeroBasedDomain(p95.points.flatMap((p) => shown.map((s) => p[s.name])));
  return (
    <Section title="Pull latency p95 by registry, most slowed first">
      <p className={`text-sm ${muted}`}>
        Each registry&apos;s daily 95th percentile of image pull time, ranked by its median over the last 7
        days against the days before; one scale for all, so heights compare.
      </p>
      <div className="grid gap-4 md:grid-cols-2">
        {shown.map((s, i) => (
          <TimeChart
            key={s.name}
            title={`${s.name} p95`}
            summary={`Median daily p95 ${ms(s.recent)} in the last 7 days, ${change(s)}.`}
            data={p95.points.map((p) => ({ t: p.t, [s.name]: p[s.name] ?? null }))}
            series={[{ key: s.name, label: "p95", color: PALETTE[i % PALETTE.length] ?? "#0284c7" }]}
            format="ms"
            domain={domain}
            height={140}
          />
        ))}
      </div>
      {folded.length > 0 && (
        <p className={`text-sm ${muted}`}>
          Slowed less:{" "}
          {folded.map((s, i) => (
            <span key={s.name}>
              {i > 0 && "; "}
              <span className="font-mono">{s.name}</span> {ms(s.recent)} ({change(s)})
            </span>
          ))}
          .
        </p>
      )}
    </Section>
  );
}
