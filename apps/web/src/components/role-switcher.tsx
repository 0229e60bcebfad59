"use client";
// Demo mode only: look at the product as a viewer, reviewer or admin (a cookie the server reads
// only when PULLSIGHT_AUTH=demo). Behind a proxy the role comes from the proxy's headers.
import { useRouter } from "next/navigation";

export function RoleSwitcher({ role }: { role: string }) {
  const router = useRouter();
  return (
    <label className="flex items-center gap-1 text-xs text-slate-600 dark:text-slate-300">
      Demo role
      <select
        aria-label="Demo role"
        value={role}
        onChange={(e) => {
          // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is not in every browser yet.
          document.cookie = `pullsight_role=${e.target.value}; path=/; samesite=lax`;
          router.refresh();
        }}
        className="rounded border border-slate-300 bg-white px-1 py-0.5 text-xs text-slate-900 dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100"
      >
        <option value="viewer">viewer</option>
        <option value="reviewer">reviewer</option>
        <option value="admin">admin</option>
      </select>
    </label>
  );
}
