-- What registries answer for the fleet image references (schema.prisma): the current answer per reference, its changes, and each probe round per registry.
CREATE TABLE "RegistryAnswer" (
    "image" TEXT NOT NULL,
    "registry" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "httpStatus" INTEGER,
    "digest" TEXT,
    "detail" TEXT,
    "credentialed" BOOLEAN NOT NULL DEFAULT false,
    "latencyMs" INTEGER,
    "probedAt" TIMESTAMPTZ(3) NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,
    "attemptOutcome" TEXT NOT NULL,
    "attemptedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "RegistryAnswer_pkey" PRIMARY KEY ("image")
);
CREATE INDEX "RegistryAnswer_registry_outcome_idx" ON "RegistryAnswer"("registry", "outcome");

CREATE TABLE "RegistryAnswerChange" (
    "id" BIGSERIAL NOT NULL,
    "image" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "httpStatus" INTEGER,
    "digest" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "RegistryAnswerChange_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "RegistryAnswerChange_image_at_idx" ON "RegistryAnswerChange"("image", "at");

CREATE TABLE "RegistryProbeRound" (
    "id" BIGSERIAL NOT NULL,
    "registry" TEXT NOT NULL,
    "prober" TEXT NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3) NOT NULL,
    "references" INTEGER NOT NULL,
    "requests" INTEGER NOT NULL,
    "outcomes" JSONB NOT NULL DEFAULT '{}',
    "p50Ms" INTEGER,
    "p95Ms" INTEGER,
    "maxMs" INTEGER,
    "throttled" INTEGER NOT NULL DEFAULT 0,
    "retryAfterWaitMs" INTEGER NOT NULL DEFAULT 0,
    "rateLimitLimit" INTEGER,
    "rateLimitRemaining" INTEGER,
    "circuitOpened" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "RegistryProbeRound_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "RegistryProbeRound_registry_startedAt_idx" ON "RegistryProbeRound"("registry", "startedAt");

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "RegistryAnswer"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "RegistryAnswerChange"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "RegistryProbeRound"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
