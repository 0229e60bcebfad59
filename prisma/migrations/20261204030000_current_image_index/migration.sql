-- The workload search finds matching images in the image inventory (ImageUse), then the current
-- containers that run them by this index (packages/db/src/queries/workloads.ts).
CREATE INDEX IF NOT EXISTS "ContainerFact_current_image_idx" ON "ContainerFact" (image) WHERE "validTo" IS NULL;
-- Nothing searches current containers' images by trigram any more: the inventory is searched.
DROP INDEX IF EXISTS "ContainerFact_current_image_trgm_idx";
