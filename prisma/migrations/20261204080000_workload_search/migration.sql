-- Workload search ("q": the workload's name, its namespace or one of its current containers'
-- images, anywhere in the text) reads one column: "search" holds the name, the namespace and the
-- current images, each on a line of its own, so one trigram index lookup finds the matches
-- (packages/db/src/queries/workloads.ts). Three lookups made a union of ids to hash and join back
-- to every workload, which cost more than the answer.
-- The column can never disagree with the rows it is made of: a trigger computes it again for the
-- workloads whose current containers a statement changed (and for a workload renamed), and writes
-- it only where it differs, so the snapshot writer, which sets it when it inserts a workload, pays
-- nothing more. Names, namespaces and image references hold no line breaks.
-- The function bodies are E'' strings with their semicolons written \073 (see 20261121203000).
ALTER TABLE "Workload" ADD COLUMN "search" TEXT NOT NULL DEFAULT '';

-- What "search" holds for a workload: name, namespace, then its current images in byte order.
CREATE FUNCTION pullsight_workload_search(workload bigint, name text, namespace text) RETURNS text
  LANGUAGE sql STABLE
  AS E'SELECT name || E\'\\n\' || namespace || COALESCE((
    SELECT string_agg(E\'\\n\' || d.image, \'\' ORDER BY d.image)
    FROM (SELECT DISTINCT f.image COLLATE "C" AS image FROM "ContainerFact" f
          WHERE f."workloadId" = workload AND f."validTo" IS NULL) d), \'\')';

CREATE FUNCTION pullsight_workload_search_row() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN
  IF TG_OP = \'UPDATE\' OR NEW.search = \'\' THEN
    NEW.search := pullsight_workload_search(NEW.id, NEW.name, NEW.namespace)\073
  END IF\073
  RETURN NEW\073
END';

CREATE FUNCTION pullsight_workload_search_facts() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN
  IF TG_OP = \'UPDATE\' THEN
    UPDATE "Workload" w SET search = s.search
    FROM (
      SELECT x.id, pullsight_workload_search(x.id, x.name, x.namespace) AS search
      FROM "Workload" x
      WHERE x.id IN (SELECT "workloadId" FROM old_rows UNION SELECT "workloadId" FROM new_rows)
    ) s
    WHERE w.id = s.id AND w.search IS DISTINCT FROM s.search\073
  ELSE
    UPDATE "Workload" w SET search = s.search
    FROM (
      SELECT x.id, pullsight_workload_search(x.id, x.name, x.namespace) AS search
      FROM "Workload" x WHERE x.id IN (SELECT DISTINCT "workloadId" FROM changed_rows)
    ) s
    WHERE w.id = s.id AND w.search IS DISTINCT FROM s.search\073
  END IF\073
  RETURN NULL\073
END';

CREATE TRIGGER workload_search_insert BEFORE INSERT ON "Workload"
  FOR EACH ROW EXECUTE FUNCTION pullsight_workload_search_row();
CREATE TRIGGER workload_search_rename BEFORE UPDATE OF name, namespace ON "Workload"
  FOR EACH ROW EXECUTE FUNCTION pullsight_workload_search_row();

CREATE TRIGGER workload_search_facts_insert AFTER INSERT ON "ContainerFact" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_workload_search_facts();
CREATE TRIGGER workload_search_facts_update AFTER UPDATE ON "ContainerFact" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_workload_search_facts();
CREATE TRIGGER workload_search_facts_delete AFTER DELETE ON "ContainerFact" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_workload_search_facts();

UPDATE "Workload" w SET search = pullsight_workload_search(w.id, w.name, w.namespace);

-- Only live workloads are ever searched.
CREATE INDEX "Workload_search_trgm_idx" ON "Workload" USING gin ("search" gin_trgm_ops) WHERE "deletedAt" IS NULL;
-- The name and namespace lookups are replaced by the one above.
DROP INDEX IF EXISTS "Workload_name_trgm_idx";
DROP INDEX IF EXISTS "Workload_namespace_trgm_idx";
