// The way in from the fleet and from a cluster: how many running containers would not pull as they
// run now.
import { Link, link, muted } from "~/components/ui.tsx";
import { plural } from "~/lib/format.ts";

export function AtRiskCallout({
  total,
  probed,
  filter = {},
}: {
  total: number;
  probed: boolean;
  filter?: { cluster?: string };
}) {
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as Array<[string, string]>);
  const href = query.size ? `/will-it-pull?${query}` : "/will-it-pull";
  if (!probed)
    return (
      <p className={`text-sm ${muted}`}>
        Registries have not been asked whether {filter.cluster ? "this cluster's" : "the fleet's"} images
        still pull.{" "}
        <Link href="/will-it-pull" className={link}>
          Will it pull?
        </Link>
      </p>
    );
  if (total === 0)
    return (
      <p className={`text-sm ${muted}`}>
        Every running image still resolves in its registry to what runs.{" "}
        <Link href={href} className={link}>
          Registries
        </Link>
      </p>
    );
  return (
    <p className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
      <strong>{plural(total, "container")} would not pull as they run now.</strong>{" "}
      <Link href={href} className={`${link} font-medium`}>
        See which images, why, and where they run
      </Link>
    </p>
  );
}
