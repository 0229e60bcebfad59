import { GROUPED_RULE_IDS, RULES_BY_ID } from "@pullsight/core";
import { Link, link, muted } from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";

const GROUPED = GROUPED_RULE_IDS.flatMap((id) => RULES_BY_ID.get(id) ?? []);

/**
 * How many of a scope's open findings belong to rules that fire on most containers (PS005), and
 * where they are listed: as one line per namespace with a count, their rows on demand.
 */
export function GroupedNote({ count, href }: { count: number; href: string }) {
  if (count <= 0 || GROUPED.length === 0) return null;
  return (
    <p className={`text-sm ${muted}`}>
      {num(count)} of the open findings are{" "}
      {GROUPED.map((r) => `${r.id} ${r.title.toLowerCase()}`).join(", ")}: true of most containers, so the
      findings list shows them{" "}
      <Link href={href} className={link}>
        one line per namespace
      </Link>
      .
    </p>
  );
}
