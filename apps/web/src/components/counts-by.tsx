// How the rows of a list fall by one field (cause, team, registry), each value a link that filters by it.
import { Link, link, muted } from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";

/** Counts of the listed rows by one field, each a link that filters by it. */
export function CountsBy({
  label,
  values,
  href,
  words = {},
}: {
  label: string;
  values: string[];
  href: (value: string) => string;
  words?: Record<string, string>;
}) {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return (
    <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1 text-sm">
      <span className={muted}>{label}</span>
      <ul className="contents">
        {[...counts]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .map(([v, n]) => (
            <li key={v}>
              <Link href={href(v)} className={link}>
                {words[v] ?? v}
              </Link>{" "}
              <span className={`tabular-nums ${muted}`}>{num(n)}</span>
            </li>
          ))}
      </ul>
    </div>
  );
}
