-- The weekly review reads the findings open at the end of a week as the open ones first seen before
-- it plus those resolved since (packages/db/src/queries/review-groups.ts sectionFindings). This index
-- holds every column the review reads of an open finding, so that part is read from the index alone
-- instead of from every finding row of the history.
CREATE INDEX IF NOT EXISTS "Finding_open_review_idx" ON "Finding"("clusterId", "namespace")
  INCLUDE ("ruleId", "image", "severity", "workloadId", "containerName", "openedAt", "firstSeenAt", "id")
  WHERE "resolvedAt" IS NULL;
