// The image inventory: every image reference live workloads run, with where and how (workloads,
// clusters, pull policies), the digests its pods run on which nodes, what its registry says of it
// now, and its open findings. One row per (image, running digest): the CSV is these rows, and the
// page groups them by image. Tags that run as more than one digest come first.
import { z } from "zod";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";

export interface ImageFilter {
  cluster?: string;
  registry?: string;
  /** Part of the reference (case-insensitive). */
  q?: string;
  /** Only references running as more than one digest. */
  drift?: boolean;
}

export const IMAGE_COLUMNS = [
  "image",
  "registry",
  "repository",
  "tag",
  "tag_kind",
  "workloads",
  "containers",
  "clusters",
  "policies",
  "credential_sources",
  "running_digests",
  "digest",
  "pods",
  "nodes",
  "node_names",
  "registry_outcome",
  "registry_digest",
  "open_findings",
] as const;

export const imageRow = z.object({
  image: z.string(),
  registry: z.string().nullable(),
  repository: z.string().nullable(),
  tag: z.string().nullable(),
  tagKind: z.string(),
  workloads: z.number().int(),
  containers: z.number().int(),
  clusters: z.array(z.string()),
  /** Containers by imagePullPolicy. */
  policies: z.record(z.string(), z.number().int()),
  /**
   * Containers by where their pulls get credentials (core PULL_CREDENTIAL_SOURCES; a container with
   * two sources counts under both; "not-recorded" for facts written before sources were).
   */
  credentialSources: z.record(z.string(), z.number().int()),
  /** Digests its pods run, most pods first, with the nodes that run each and a few of its workloads. */
  digests: z.array(
    z.object({
      digest: z.string().nullable(),
      pods: z.number().int(),
      nodes: z.array(z.string()),
      workloads: z.array(
        z.object({ id: z.bigint(), cluster: z.string(), namespace: z.string(), name: z.string() }),
      ),
    }),
  ),
  registryOutcome: z.string().nullable(),
  registryDigest: z.string().nullable(),
  openFindings: z.number().int(),
});
export type ImageRow = z.infer<typeof imageRow>;

/** Each cluster's inventory of the images the filter selects (cluster, registry, search), as `sel`. */
function selectedSql(f: ImageFilter): Prisma.Sql {
  const parts = [Prisma.sql`true`];
  if (f.cluster) parts.push(Prisma.sql`c.name = ${f.cluster}`);
  if (f.registry) parts.push(Prisma.sql`u.registry = ${f.registry}`);
  if (f.q) parts.push(Prisma.sql`u.image ILIKE ${`%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`}`);
  return Prisma.sql`
    SELECT u.*, c.name AS cluster FROM "ImageUse" u JOIN "Cluster" c ON c.id = u."clusterId"
    WHERE ${Prisma.join(parts, " AND ")}`;
}

/** `name=n name=n` of the counts in a JSON column of `sel`, summed over its clusters, per image. */
const countsText = (column: Prisma.Sql) => Prisma.sql`
  SELECT image, string_agg(k || '=' || n, ' ' ORDER BY k) AS counts
  FROM (SELECT s.image, e.key AS k, SUM(e.value::int) AS n FROM sel s CROSS JOIN LATERAL jsonb_each_text(s.${column}) e GROUP BY 1, 2) x
  GROUP BY image`;

/**
 * Images of the filter, one row each, drifting first then the most used (`ranked`), summed from
 * each cluster's inventory (ImageUse, ImageDigestUse: kept by the snapshot step).
 */
function imagesSql(f: ImageFilter): Prisma.Sql {
  return Prisma.sql`
    WITH sel AS (${selectedSql(f)}),
    img AS (
      SELECT image, MIN(registry) AS registry, MIN(repository) AS repository, MIN(tag) AS tag, MIN("tagKind") AS tag_kind,
        SUM(workloads)::int AS workloads, SUM(containers)::int AS containers,
        string_agg(DISTINCT cluster, ' ' ORDER BY cluster) AS clusters,
        array_agg(DISTINCT "clusterId") AS cluster_ids
      FROM sel GROUP BY image
    ),
    pol AS (${countsText(Prisma.sql`policies`)}),
    cred AS (${countsText(Prisma.sql`"credentialSources"`)}),
    run AS (
      SELECT d.image, d.digest, SUM(d.pods)::int AS pods
      FROM "ImageDigestUse" d JOIN sel s ON s."clusterId" = d."clusterId" AND s.image = d.image
      GROUP BY d.image, d.digest
    ),
    counted AS (SELECT image, COUNT(DISTINCT digest)::int AS running_digests FROM run GROUP BY image),
    ranked AS (
      SELECT img.*, pol.counts AS policies, cred.counts AS credential_sources, COALESCE(d.running_digests, 0) AS running_digests
      FROM img JOIN pol USING (image) JOIN cred USING (image) LEFT JOIN counted d USING (image)
      ${f.drift ? Prisma.sql`WHERE d.running_digests > 1` : Prisma.empty}
    )`;
}

const ORDER = Prisma.sql`(r.running_digests > 1) DESC, r.workloads DESC, r.image`;

/** One row per image of `source` (ranked, or a page of it) and running digest, in the page's order. */
function rowsOf(f: ImageFilter, page: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`${imagesSql(f)}, source AS (${page})
    SELECT r.image, r.registry, r.repository, r.tag, r.tag_kind, r.workloads, r.containers, r.clusters, r.policies,
      r.credential_sources, r.running_digests, run.digest, run.pods, nd.nodes, nd.node_names,
      a.outcome AS registry_outcome, a.digest AS registry_digest,
      (SELECT COUNT(*)::int FROM "Finding" f WHERE f."resolvedAt" IS NULL AND f.image = r.image
         AND f."clusterId" = ANY(r.cluster_ids)) AS open_findings
    FROM source r LEFT JOIN run USING (image) LEFT JOIN "RegistryAnswer" a ON a.image = r.image
    -- The nodes of the rows shown only: a popular image runs on hundreds.
    LEFT JOIN LATERAL (
      SELECT COUNT(DISTINCT n)::int AS nodes, string_agg(DISTINCT n, ' ' ORDER BY n) AS node_names
      FROM "ImageDigestUse" d CROSS JOIN LATERAL unnest(d.nodes) AS n
      WHERE d."clusterId" = ANY(r.cluster_ids) AND d.image = r.image AND d.digest IS NOT DISTINCT FROM run.digest
    ) nd ON run.image IS NOT NULL
    ORDER BY ${ORDER}, run.pods DESC NULLS LAST, run.digest`;
}

/** Every image of the filter, one row per running digest: the images CSV. */
export function imagesQuery(f: ImageFilter): Prisma.Sql {
  return rowsOf(f, Prisma.sql`SELECT * FROM ranked`);
}

type CsvRow = Record<(typeof IMAGE_COLUMNS)[number], unknown> & { image: string };

/** A page of images (grouped from the CSV's rows) and how many images the filter selects. */
export async function listImages(
  db: Db,
  f: ImageFilter,
  opts: { limit?: number } = {},
): Promise<{ rows: ImageRow[]; total: number }> {
  const limit = Math.max(1, Math.min(opts.limit ?? 100, 500));
  const [rows, total] = await Promise.all([
    db.$queryRaw<CsvRow[]>(rowsOf(f, Prisma.sql`SELECT * FROM ranked r ORDER BY ${ORDER} LIMIT ${limit}`)),
    db.$queryRaw<Array<{ n: number }>>`${imagesSql(f)} SELECT COUNT(*)::int AS n FROM ranked`,
  ]);
  const samples = await digestWorkloads(db, f, rows);
  return { rows: groupRows(rows, samples), total: total[0]?.n ?? 0 };
}

/** Workloads shown per digest; the count of pods and nodes says how many more. */
const WORKLOADS_PER_DIGEST = 5;

async function digestWorkloads(db: Db, f: ImageFilter, rows: CsvRow[]) {
  const pairs = rows.filter((r) => r.pods !== null && r.pods !== undefined);
  if (pairs.length === 0) return new Map<string, ImageRow["digests"][number]["workloads"]>();
  // The first few live workloads of each (image, digest) by id, read through the index on current
  // running images in that order: a popular image runs in thousands.
  const rowsOut = await db.$queryRaw<
    Array<{
      image: string;
      digest: string | null;
      id: bigint;
      cluster: string;
      namespace: string;
      name: string;
    }>
  >`
    SELECT p.image, NULLIF(p.digest, '') AS digest, w.id, c.name AS cluster, w.namespace, w.name
    FROM unnest(${pairs.map((r) => r.image)}::text[], ${pairs.map((r) => (r.digest as string | null) ?? "")}::text[]) AS p(image, digest)
    CROSS JOIN LATERAL (
      SELECT DISTINCT ri."workloadId" FROM "RunningImage" ri JOIN "Workload" w0 ON w0.id = ri."workloadId"
        ${f.cluster ? Prisma.sql`JOIN "Cluster" c0 ON c0.id = w0."clusterId" AND c0.name = ${f.cluster}` : Prisma.empty}
      WHERE ri."validTo" IS NULL AND ri.image = p.image AND COALESCE(ri.digest, '') = p.digest AND w0."deletedAt" IS NULL
      ORDER BY ri."workloadId" LIMIT ${WORKLOADS_PER_DIGEST}
    ) x
    JOIN "Workload" w ON w.id = x."workloadId" JOIN "Cluster" c ON c.id = w."clusterId"
    ORDER BY p.image, p.digest, w.id`;
  const out = new Map<string, ImageRow["digests"][number]["workloads"]>();
  for (const r of rowsOut) {
    const key = `${r.image}\u0000${r.digest ?? ""}`;
    out.set(key, [
      ...(out.get(key) ?? []),
      { id: r.id, cluster: r.cluster, namespace: r.namespace, name: r.name },
    ]);
  }
  return out;
}

/** Counts the query wrote as `name=n name=n`. */
const countsOf = (text: unknown): Record<string, number> =>
  Object.fromEntries(
    String(text ?? "")
      .split(" ")
      .filter(Boolean)
      .map((p) => p.split("=") as [string, string])
      .map(([k, n]) => [k, Number(n)]),
  );

function groupRows(
  rows: CsvRow[],
  samples: Map<string, ImageRow["digests"][number]["workloads"]>,
): ImageRow[] {
  const out: ImageRow[] = [];
  for (const r of rows) {
    let image = out.at(-1);
    if (image?.image !== r.image) {
      image = {
        image: r.image,
        registry: r.registry as string | null,
        repository: r.repository as string | null,
        tag: r.tag as string | null,
        tagKind: r.tag_kind as string,
        workloads: r.workloads as number,
        containers: r.containers as number,
        clusters: String(r.clusters ?? "")
          .split(" ")
          .filter(Boolean),
        policies: countsOf(r.policies),
        credentialSources: countsOf(r.credential_sources),
        digests: [],
        registryOutcome: r.registry_outcome as string | null,
        registryDigest: r.registry_digest as string | null,
        openFindings: r.open_findings as number,
      };
      out.push(image);
    }
    if (r.pods === null || r.pods === undefined) continue;
    const digest = r.digest as string | null;
    image.digests.push({
      digest,
      pods: r.pods as number,
      nodes: String(r.node_names ?? "")
        .split(" ")
        .filter(Boolean),
      workloads: samples.get(`${r.image}\u0000${digest ?? ""}`) ?? [],
    });
  }
  return out;
}
