import type { Metadata, Viewport } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { NavLinks } from "~/components/nav.tsx";
import { RoleSwitcher } from "~/components/role-switcher.tsx";
import { api } from "~/server/caller.ts";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Pullsight", template: "%s · Pullsight" },
  description: "How your Kubernetes workloads pull their images, across clusters and over time.",
};
// Every page reads the database (and the header shows who is asking): nothing is prerendered.
export const dynamic = "force-dynamic";
export const viewport: Viewport = { width: "device-width", initialScale: 1 };

async function Who() {
  const me = await (await api()).identity.me().catch(() => null);
  if (!me) return <span className="text-xs text-slate-600 dark:text-slate-300">not signed in</span>;
  return (
    <div className="flex items-center gap-3 text-xs text-slate-600 dark:text-slate-300">
      <span>
        {me.name} · <span className="font-medium">{me.role}</span>
      </span>
      {me.source === "demo" && <RoleSwitcher role={me.role} />}
    </div>
  );
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100 print:bg-white">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-slate-900"
        >
          Skip to content
        </a>
        <header className="border-b border-slate-200 bg-white print:hidden dark:border-slate-800 dark:bg-slate-900">
          <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
            <Link href="/" className="text-lg font-semibold tracking-tight">
              Pullsight
            </Link>
            <nav aria-label="Main" className="order-3 w-full min-w-0 md:order-none md:w-auto md:flex-1">
              <NavLinks />
            </nav>
            <div className="ml-auto md:ml-0">
              <Who />
            </div>
          </div>
        </header>
        <main id="main" tabIndex={-1} className="mx-auto max-w-7xl space-y-6 px-4 py-6 focus:outline-none">
          {children}
        </main>
      </body>
    </html>
  );
}
