// The export log: every CSV export, started before its first byte and finished with the row
// count, the byte count and the SHA-256 of what was sent (or the reason it stopped), so that an
// auditor can show which file came from which request.
import { z } from "zod";
import type { Db } from "../client.ts";

export const exportLogEntry = z.object({
  id: z.bigint(),
  kind: z.string(),
  actor: z.string(),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
  filters: z.unknown(),
  filename: z.string(),
  rows: z.number().int(),
  bytes: z.bigint(),
  sha256: z.string().nullable(),
  completed: z.boolean(),
  error: z.string().nullable(),
});
export type ExportLogEntry = z.infer<typeof exportLogEntry>;

/** The newest exports first. */
export function listExportLog(db: Db, limit = 100): Promise<ExportLogEntry[]> {
  return db.exportLog.findMany({ orderBy: { id: "desc" }, take: limit });
}

/** Records an export as it starts; its id finishes it. */
export async function startExportLog(
  db: Db,
  entry: { kind: string; actor: string; startedAt: Date; filters: object; filename: string },
): Promise<bigint> {
  return (await db.exportLog.create({ data: entry, select: { id: true } })).id;
}

/** What was sent: rows, bytes, the hash of the bytes when every one was sent, or why it stopped. */
export async function finishExportLog(
  db: Db,
  id: bigint,
  outcome: { rows: number; bytes: number; sha256: string | null; completed: boolean; error: string | null },
): Promise<void> {
  await db.exportLog.update({
    where: { id },
    data: { finishedAt: new Date(), ...outcome, bytes: BigInt(outcome.bytes) },
  });
}
