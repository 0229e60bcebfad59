-- Workload search ("q": a workload's name, its namespace or a current image, anywhere in the text)
-- looks each column up in a trigram index instead of reading every workload and container
-- (packages/db/src/queries/workloads.ts). pg_trgm ships with PostgreSQL (contrib) and is a
-- trusted extension: the database's owner can create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS "Workload_name_trgm_idx" ON "Workload" USING gin ("name" gin_trgm_ops);
CREATE INDEX IF NOT EXISTS "Workload_namespace_trgm_idx" ON "Workload" USING gin ("namespace" gin_trgm_ops);
CREATE INDEX IF NOT EXISTS "ContainerFact_current_image_trgm_idx" ON "ContainerFact" USING gin ("image" gin_trgm_ops) WHERE "validTo" IS NULL;
