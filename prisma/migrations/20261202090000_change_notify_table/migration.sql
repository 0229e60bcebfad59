-- The change notification names the table that changed, so that the read cache forgets only the
-- answers that read it (packages/api/src/read-cache.ts): a CSV download's export-log row no longer
-- empties every dashboard answer. PostgreSQL sends one notification per table and transaction.
-- The function body is an E'' string with its semicolons written \073 (see 20261121203000).
CREATE OR REPLACE FUNCTION pullsight_notify_change() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN PERFORM pg_notify(\'pullsight_changed\', TG_TABLE_NAME)\073 RETURN NULL\073 END';
