-- The findings list counts the grouped rules' open findings per namespace from this index alone
-- (packages/db/src/queries/findings.ts, groupOpen), instead of visiting every finding's row.
CREATE INDEX IF NOT EXISTS "Finding_open_rule_idx" ON "Finding"("ruleId", "clusterId", "namespace") INCLUDE ("id", "severity", "workloadId") WHERE "resolvedAt" IS NULL;
