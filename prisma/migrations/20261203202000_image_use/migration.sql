-- The image inventory per cluster, kept by the snapshot step (packages/db/src/ingest/steps/image-use.ts)
-- whenever a snapshot changed workloads, container facts or running images: each image the
-- cluster's live containers reference, with how many workloads and containers, by pull policy and
-- by credential source (ImageUse), and each digest its pods run with the nodes running it
-- (ImageDigestUse). The inventory page and CSV sum these over clusters instead of aggregating
-- every current container and running image of the fleet.
CREATE TABLE "ImageUse" (
    "clusterId" INTEGER NOT NULL,
    "image" TEXT NOT NULL,
    "registry" TEXT,
    "repository" TEXT,
    "tag" TEXT,
    "tagKind" TEXT NOT NULL,
    "workloads" INTEGER NOT NULL,
    "containers" INTEGER NOT NULL,
    "policies" JSONB NOT NULL,
    "credentialSources" JSONB NOT NULL,
    CONSTRAINT "ImageUse_pkey" PRIMARY KEY ("clusterId","image")
);
CREATE INDEX "ImageUse_image_idx" ON "ImageUse"("image");

CREATE TABLE "ImageDigestUse" (
    "id" BIGSERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "image" TEXT NOT NULL,
    "digest" TEXT,
    "pods" INTEGER NOT NULL,
    "nodes" TEXT[] NOT NULL,
    CONSTRAINT "ImageDigestUse_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ImageDigestUse_clusterId_image_idx" ON "ImageDigestUse"("clusterId", "image");

ALTER TABLE "ImageUse" ADD CONSTRAINT "ImageUse_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ImageDigestUse" ADD CONSTRAINT "ImageDigestUse_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The rows a page of images reads beside the summaries: open findings of an image, and a few
-- workloads running each of its digests.
CREATE INDEX IF NOT EXISTS "Finding_open_image_idx" ON "Finding"("image") INCLUDE ("clusterId") WHERE "resolvedAt" IS NULL;
CREATE INDEX IF NOT EXISTS "RunningImage_current_image_idx" ON "RunningImage"("image", (COALESCE("digest", '')), "workloadId") WHERE "validTo" IS NULL;

INSERT INTO "ImageUse"
WITH cur AS (
  SELECT w."clusterId", cf.image, cf.registry, cf.repository, cf.tag, cf."tagKind", cf."workloadId",
    cf."imagePullPolicy" AS policy, cf."credentialSources" AS credentials
  FROM "ContainerFact" cf JOIN "Workload" w ON w.id = cf."workloadId"
  WHERE cf."validTo" IS NULL AND w."deletedAt" IS NULL),
img AS (
  SELECT "clusterId", image, MIN(registry) AS registry, MIN(repository) AS repository, MIN(tag) AS tag,
    MIN("tagKind") AS "tagKind", COUNT(DISTINCT "workloadId")::int AS workloads, COUNT(*)::int AS containers
  FROM cur GROUP BY 1, 2),
pol AS (
  SELECT "clusterId", image, jsonb_object_agg(policy, n) AS policies
  FROM (SELECT "clusterId", image, policy, COUNT(*)::int AS n FROM cur GROUP BY 1, 2, 3) x GROUP BY 1, 2),
cred AS (
  SELECT "clusterId", image, jsonb_object_agg(source, n) AS sources
  FROM (
    SELECT "clusterId", image, source, COUNT(*)::int AS n FROM cur
    CROSS JOIN LATERAL unnest(CASE WHEN cardinality(credentials) = 0 THEN ARRAY['not-recorded'] ELSE credentials END) AS s(source)
    GROUP BY 1, 2, 3) x
  GROUP BY 1, 2)
SELECT img."clusterId", img.image, img.registry, img.repository, img.tag, img."tagKind", img.workloads, img.containers,
  pol.policies, cred.sources
FROM img JOIN pol USING ("clusterId", image) JOIN cred USING ("clusterId", image);

INSERT INTO "ImageDigestUse" ("clusterId", image, digest, pods, nodes)
SELECT w."clusterId", ri.image, ri.digest, SUM(ri.pods)::int, array_agg(DISTINCT ri."nodeName" ORDER BY ri."nodeName")
FROM "RunningImage" ri JOIN "Workload" w ON w.id = ri."workloadId"
WHERE ri."validTo" IS NULL AND w."deletedAt" IS NULL
GROUP BY 1, 2, 3;

CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "ImageUse"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "ImageUse" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "ImageUse" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "ImageUse" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');

CREATE TRIGGER pullsight_changed AFTER TRUNCATE ON "ImageDigestUse"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed_insert AFTER INSERT ON "ImageDigestUse" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_update AFTER UPDATE ON "ImageDigestUse" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
CREATE TRIGGER pullsight_changed_delete AFTER DELETE ON "ImageDigestUse" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_cluster_change('SELECT DISTINCT r."clusterId" FROM %s r');
