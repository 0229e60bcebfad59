export { LOG_LEVELS, type LogLevel, logLevelFromEnv } from "./env.ts";
export { createLogger, type Logger, type LoggerOptions, silentLogger } from "./log.ts";
export { isSecretKey, REDACTED, redactValue, scrub } from "./redact.ts";
