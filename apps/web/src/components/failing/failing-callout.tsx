// The way in from the fleet, a cluster and a team: how many containers cannot pull their image
// now, one click from the list of them.
import { Link, link, muted } from "~/components/ui.tsx";
import { plural } from "~/lib/format.ts";

export function FailingCallout({
  total,
  filter = {},
}: {
  total: number;
  filter?: { cluster?: string; team?: string };
}) {
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as Array<[string, string]>);
  const href = query.size ? `/failing?${query}` : "/failing";
  if (total === 0)
    return <p className={`text-sm ${muted}`}>No container is failing to pull its image now.</p>;
  return (
    <p className="rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
      <strong>{plural(total, "container")} cannot pull their image now.</strong>{" "}
      <Link href={href} className={`${link} font-medium`}>
        See which, why and since when
      </Link>
    </p>
  );
}
