-- A signed review cannot change, and trying is an error rather than a statement that silently does
-- nothing: the rules of 20261121152249 are replaced by triggers that raise. They hold for every
-- role, the owner included, and the web and the collector connect as a role that owns no table, so
-- they cannot drop them either (packages/db roles.ts). The function body is an E'' string with its
-- semicolons written \073 (see 20261121203000).
DROP RULE "Review_no_update" ON "Review";
DROP RULE "Review_no_delete" ON "Review";

CREATE FUNCTION pullsight_review_is_signed() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN
  RAISE EXCEPTION \'a signed review cannot be changed (% on "Review")\', TG_OP
    USING ERRCODE = \'integrity_constraint_violation\', HINT = \'A week and scope are signed once and its notes are final.\'\073
END';

CREATE TRIGGER review_signed_row BEFORE UPDATE OR DELETE ON "Review"
  FOR EACH ROW EXECUTE FUNCTION pullsight_review_is_signed();
CREATE TRIGGER review_signed_truncate BEFORE TRUNCATE ON "Review"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_review_is_signed();
