-- The weekly review selects the findings first seen in a week and those resolved in it by range
-- (packages/db/src/queries/review.ts): without these it read every finding of the fleet's history.
CREATE INDEX "Finding_firstSeen_idx" ON "Finding"((COALESCE("firstSeenAt", "openedAt")));
CREATE INDEX "Finding_resolvedAt_idx" ON "Finding"("resolvedAt");
