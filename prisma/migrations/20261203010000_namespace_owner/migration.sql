-- Every namespace has an owning team (core teams.ts): the collector decides it from the overrides
-- in the profiles file and the labels and annotations of the namespace, and null shows as "(unowned)".
ALTER TABLE "Namespace" ADD COLUMN "owner" TEXT;
ALTER TABLE "Namespace" ADD COLUMN "ownerSource" TEXT;
CREATE INDEX "Namespace_owner_idx" ON "Namespace"("owner");

-- Namespaces stored before owners were read get theirs from the default label keys (annotations
-- were not kept), and the next snapshot of their cluster applies overrides and annotations.
UPDATE "Namespace" n SET "owner" = o.owner, "ownerSource" = 'label:' || o.key
FROM (
  SELECT DISTINCT ON (n2."clusterId", n2.name) n2."clusterId", n2.name, k.key,
    lower(regexp_replace(btrim(n2.labels ->> k.key), '\s+', ' ', 'g')) AS owner
  FROM "Namespace" n2
  CROSS JOIN LATERAL (VALUES (1, 'team'), (2, 'owner'), (3, 'app.kubernetes.io/part-of')) AS k(rank, key)
  WHERE btrim(coalesce(n2.labels ->> k.key, '')) <> ''
  ORDER BY n2."clusterId", n2.name, k.rank
) o
WHERE n."clusterId" = o."clusterId" AND n.name = o.name;
