-- Open findings per workload, counted from the index alone (the workloads list sorted by findings
-- picks its page from these counts: packages/db/src/queries/workloads.ts, pageCounts).
CREATE INDEX IF NOT EXISTS "Finding_open_workload_idx" ON "Finding"("clusterId", "workloadId") WHERE "resolvedAt" IS NULL;
