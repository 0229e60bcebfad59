// The cluster's image inventory (ImageUse, ImageDigestUse), recomputed from its current container
// facts and running images after a snapshot changed any of them, and written as changes: rows whose
// numbers did not move stay, so a snapshot that moved one image rewrites that image only.
import type { StepContext } from "./context.ts";

/** Each image the cluster's live containers reference, as ImageUse rows (the cluster is $1). */
const IMAGE_USE = `
  WITH cur AS (
    SELECT cf.image, cf.registry, cf.repository, cf.tag, cf."tagKind", cf."workloadId",
      cf."imagePullPolicy" AS policy, cf."credentialSources" AS credentials
    FROM "ContainerFact" cf JOIN "Workload" w ON w.id = cf."workloadId"
    WHERE w."clusterId" = $1 AND cf."validTo" IS NULL AND w."deletedAt" IS NULL),
  img AS (
    SELECT image, MIN(registry) AS registry, MIN(repository) AS repository, MIN(tag) AS tag,
      MIN("tagKind") AS "tagKind", COUNT(DISTINCT "workloadId")::int AS workloads, COUNT(*)::int AS containers
    FROM cur GROUP BY image),
  pol AS (
    SELECT image, jsonb_object_agg(policy, n) AS policies
    FROM (SELECT image, policy, COUNT(*)::int AS n FROM cur GROUP BY 1, 2) x GROUP BY image),
  cred AS (
    SELECT image, jsonb_object_agg(source, n) AS sources
    FROM (
      SELECT image, source, COUNT(*)::int AS n FROM cur
      CROSS JOIN LATERAL unnest(CASE WHEN cardinality(credentials) = 0 THEN ARRAY['not-recorded'] ELSE credentials END)
        AS s(source)
      GROUP BY 1, 2) x
    GROUP BY image)
  SELECT $1::int AS "clusterId", img.image, img.registry, img.repository, img.tag, img."tagKind", img.workloads,
    img.containers, pol.policies, cred.sources AS "credentialSources"
  FROM img JOIN pol USING (image) JOIN cred USING (image)`;

/** Each (image, digest) the cluster's pods run, with pods and nodes, as ImageDigestUse rows. */
const DIGEST_USE = `
  SELECT $1::int AS "clusterId", ri.image, ri.digest, SUM(ri.pods)::int AS pods,
    array_agg(DISTINCT ri."nodeName" ORDER BY ri."nodeName") AS nodes
  FROM "RunningImage" ri JOIN "Workload" w ON w.id = ri."workloadId"
  WHERE w."clusterId" = $1 AND ri."validTo" IS NULL AND w."deletedAt" IS NULL
  GROUP BY ri.image, ri.digest`;

const USE_COLUMNS = `"clusterId", image, registry, repository, tag, "tagKind", workloads, containers, policies, "credentialSources"`;
const DIGEST_COLUMNS = `"clusterId", image, digest, pods, nodes`;

/** Rewrites what differs between the stored rows of the cluster and `fresh` (rows compared whole). */
async function writeChanges(
  ctx: StepContext,
  table: "ImageUse" | "ImageDigestUse",
  fresh: string,
  columns: string,
): Promise<number> {
  const { c, clusterId } = ctx;
  const temp = `pullsight_${table.toLowerCase()}_fresh`;
  await c.query(`CREATE TEMP TABLE ${temp} ON COMMIT DROP AS ${fresh}`, [clusterId]);
  // Joined on the image first, so that the whole-row comparison runs on a handful of candidates.
  const same = `n.image = t.image AND ROW(${prefixed("n", columns)}) IS NOT DISTINCT FROM ROW(${prefixed("t", columns)})`;
  const stale = await c.query(
    `DELETE FROM "${table}" t WHERE t."clusterId" = $1 AND NOT EXISTS (SELECT 1 FROM ${temp} n WHERE ${same})`,
    [clusterId],
  );
  const added = await c.query(
    `INSERT INTO "${table}" (${columns}) SELECT ${columns} FROM ${temp} n
     WHERE NOT EXISTS (SELECT 1 FROM "${table}" t WHERE t."clusterId" = $1 AND ${same})`,
    [clusterId],
  );
  await c.query(`DROP TABLE ${temp}`);
  return (stale.rowCount ?? 0) + (added.rowCount ?? 0);
}

const prefixed = (alias: string, columns: string) =>
  columns
    .split(",")
    .map((col) => `${alias}.${col.trim()}`)
    .join(", ");

/** The cluster's image inventory brought up to date; returns the rows it wrote. */
export async function writeImageUse(ctx: StepContext): Promise<number> {
  return (
    (await writeChanges(ctx, "ImageUse", IMAGE_USE, USE_COLUMNS)) +
    (await writeChanges(ctx, "ImageDigestUse", DIGEST_USE, DIGEST_COLUMNS))
  );
}
