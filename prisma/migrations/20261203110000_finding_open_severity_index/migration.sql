-- The findings list opens on open findings, most severe first and newest first within a severity:
-- this index hands it the first page without reading and sorting every open finding.
CREATE INDEX IF NOT EXISTS "Finding_open_severity_idx" ON "Finding"("severity" DESC, "id" DESC) WHERE "resolvedAt" IS NULL;
