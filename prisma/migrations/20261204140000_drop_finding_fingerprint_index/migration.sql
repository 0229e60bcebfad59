-- No read looks findings up by fingerprint across clusters: the writer matches a cluster's open
-- findings by fingerprint in memory, after reading them by cluster (Finding_open_fingerprint_key
-- keeps a fingerprint open once per cluster). The index was the largest on Finding once resolved
-- findings pile up, and every finding a snapshot opens or resolves paid for it.
DROP INDEX "Finding_fingerprint_resolvedAt_idx";
