// A trend in a table cell: plain SVG, rendered on the server, with its numbers as the label.
export function Sparkline({
  values,
  label,
  unit = "%",
}: {
  values: Array<number | null>;
  label: string;
  /** How the label writes a value's unit. */
  unit?: string;
}) {
  const points = values
    .map((v, i) => [i, v] as const)
    .filter((p): p is readonly [number, number] => p[1] !== null);
  if (points.length < 2)
    return <span className="text-xs text-slate-600 dark:text-slate-300">not enough history</span>;
  const w = 96;
  const h = 24;
  const ys = points.map((p) => p[1]);
  const min = Math.min(...ys);
  const max = Math.max(...ys);
  const span = max - min || 1;
  const x = (i: number) => (i / Math.max(1, values.length - 1)) * (w - 2) + 1;
  const y = (v: number) => h - 2 - ((v - min) / span) * (h - 4);
  const d = points.map(([i, v], k) => `${k ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const first = ys[0] as number;
  const last = ys[ys.length - 1] as number;
  return (
    <svg
      width={w}
      height={h}
      viewBox={`0 0 ${w} ${h}`}
      role="img"
      aria-label={`${label}: from ${first}${unit} to ${last}${unit}`}
    >
      <path
        d={d}
        fill="none"
        stroke="currentColor"
        strokeWidth={1.5}
        className="text-sky-600 dark:text-sky-400"
      />
    </svg>
  );
}
