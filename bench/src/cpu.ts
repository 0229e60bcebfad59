// Where the CPU went: the measured process, the simulator, PostgreSQL, read from /proc.
import { readdirSync, readFileSync } from "node:fs";

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime of every process in /proc, with its parent, and of the children it reaped, in ms. */
function processTable(): Map<number, { ppid: number; ms: number; reapedMs: number }> {
  const table = new Map<number, { ppid: number; ms: number; reapedMs: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ms = (t: number) => (t * 1000) / CLOCK_TICKS;
      table.set(Number(entry), {
        ppid: Number(f[1]),
        ms: ms(Number(f[11]) + Number(f[12])),
        reapedMs: ms(Number(f[13]) + Number(f[14])),
      });
    } catch {
      // exited while we looked
    }
  }
  return table;
}

/**
 * CPU of a process and all its descendants, alive or reaped, in ms (the simulator runs under
 * npx and tsx; PostgreSQL's backends come and go with connections). Null without a PID.
 */
export function treeCpuMs(root: number | null | undefined): number | null {
  if (!root) return null;
  const table = processTable();
  let total = 0;
  const visit = (pid: number) => {
    const p = table.get(pid);
    if (!p) return;
    total += p.ms + p.reapedMs;
    for (const [child, c] of table) if (c.ppid === pid) visit(child);
  };
  visit(root);
  return total;
}
