-- Writers that forget kept review weeks no longer queue behind one another. Each raised one
-- counter row and held its lock until it committed, so two snapshots that both forgot (every
-- cluster's first snapshot does: its namespaces are new) ran their writes one after the other.
-- Now a forgetting writer holds a shared advisory lock until it commits and takes a number from a
-- sequence (neither waits for another writer), and a review that wants to keep figures takes the
-- same lock exclusively without waiting: when a writer holds it, or the sequence moved since the
-- figures were computed, they are served and not kept (packages/db/src/queries/review-figures.ts).
-- The function body is an E'' string with its semicolons written \073 (see 20261121203000).
CREATE SEQUENCE pullsight_review_figures_epoch;

CREATE OR REPLACE FUNCTION pullsight_review_figures_forget(lo timestamptz, hi timestamptz) RETURNS void LANGUAGE plpgsql
  AS E'BEGIN
  IF lo IS NULL OR lo >= date_trunc(\'week\', now() AT TIME ZONE \'UTC\') AT TIME ZONE \'UTC\' THEN RETURN\073 END IF\073
  PERFORM pg_advisory_xact_lock_shared(hashtext(\'pullsight:review-figures\'))\073
  PERFORM nextval(\'pullsight_review_figures_epoch\')\073
  DELETE FROM "ReviewWeekFigures" WHERE "weekEnd" > lo AND "weekStart" <= hi\073
END';

DROP TABLE "ReviewFiguresEpoch";
