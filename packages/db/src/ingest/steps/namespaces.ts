// Namespaces with their labels, profile and owning team, written when they change; a complete snapshot marks
// the ones it no longer sees as deleted.
import { insertRows } from "../rows.ts";
import type { SnapshotInput, SnapshotResult } from "../snapshot.ts";
import type { StepContext } from "./context.ts";

type NamespaceInput = SnapshotInput["namespaces"][number];

/** Label maps equal regardless of key order (jsonb does not keep it). */
function sameLabels(stored: unknown, labels: Record<string, string>): boolean {
  const a = (stored ?? {}) as Record<string, unknown>;
  const keys = Object.keys(labels);
  return Object.keys(a).length === keys.length && keys.every((k) => a[k] === labels[k]);
}

export async function writeNamespaces(ctx: StepContext, status: SnapshotResult["status"]): Promise<void> {
  const { c, clusterId, input, now } = ctx;
  const known = (
    await c.query<{
      name: string;
      labels: unknown;
      profile: string;
      owner: string | null;
      ownerSource: string | null;
      deletedAt: Date | null;
    }>(
      `SELECT name, labels, profile, owner, "ownerSource", "deletedAt" FROM "Namespace" WHERE "clusterId" = $1`,
      [clusterId],
    )
  ).rows;
  const byName = new Map(known.map((n) => [n.name, n]));
  const create: NamespaceInput[] = [];
  const update: NamespaceInput[] = [];
  for (const ns of input.namespaces) {
    const cur = byName.get(ns.name);
    if (!cur) create.push(ns);
    else if (
      cur.deletedAt !== null ||
      cur.profile !== ns.profile ||
      cur.owner !== (ns.owner ?? null) ||
      cur.ownerSource !== (ns.ownerSource ?? null) ||
      !sameLabels(cur.labels, ns.labels)
    )
      update.push(ns);
  }
  if (update.length)
    await c.query(
      `UPDATE "Namespace" t SET labels = u.labels::jsonb, profile = u.profile, owner = u.owner,
         "ownerSource" = u.source, "lastSeenAt" = $5, "deletedAt" = NULL
       FROM unnest($2::text[], $3::text[], $4::text[], $6::text[], $7::text[]) AS u(name, labels, profile, owner, source)
       WHERE t."clusterId" = $1 AND t.name = u.name`,
      [
        clusterId,
        update.map((n) => n.name),
        update.map((n) => JSON.stringify(n.labels)),
        update.map((n) => n.profile),
        now,
        update.map((n) => n.owner ?? null),
        update.map((n) => n.ownerSource ?? null),
      ],
    );
  await insertRows(
    c,
    "Namespace",
    [
      ["clusterId", "int", () => clusterId],
      ["name", "text", (n) => n.name],
      ["labels", "text", (n) => JSON.stringify(n.labels), "jsonb"],
      ["profile", "text", (n) => n.profile],
      ["owner", "text", (n) => n.owner ?? null],
      ["ownerSource", "text", (n) => n.ownerSource ?? null],
      ["firstSeenAt", "timestamptz", () => now],
      ["lastSeenAt", "timestamptz", () => now],
    ],
    create,
  );
  if (status !== "complete") return;
  const present = new Set(input.namespaces.map((n) => n.name));
  const gone = known.filter((n) => n.deletedAt === null && !present.has(n.name)).map((n) => n.name);
  if (gone.length)
    await c.query(
      `UPDATE "Namespace" SET "deletedAt" = $3 WHERE "clusterId" = $1 AND name = ANY($2::text[])`,
      [clusterId, gone, now],
    );
}
