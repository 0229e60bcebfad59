"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  ["/", "Fleet"],
  ["/clusters", "Clusters"],
  ["/teams", "Teams"],
  ["/workloads", "Workloads"],
  ["/images", "Images"],
  ["/findings", "Findings"],
  ["/failing", "Failing now"],
  ["/will-it-pull", "Will it pull?"],
  ["/review", "Weekly review"],
  ["/rules", "Rules"],
  ["/collector", "Collector"],
] as const;

export function NavLinks() {
  const path = usePathname();
  return (
    <ul className="flex flex-wrap gap-1 text-sm">
      {LINKS.map(([href, label]) => {
        const active = href === "/" ? path === "/" : path.startsWith(href);
        return (
          <li key={href}>
            <Link
              href={href}
              aria-current={active ? "page" : undefined}
              className={`block whitespace-nowrap rounded px-2 py-1 focus-visible:outline-2 focus-visible:outline-sky-600 ${
                active
                  ? "bg-slate-100 font-medium text-slate-900 dark:bg-slate-800 dark:text-white"
                  : "text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
              }`}
            >
              {label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
