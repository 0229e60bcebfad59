// One JSON logger for every Pullsight process (the web server, the collector, the migration
// step): pino, a line per event on stdout with `level` as a name, `time` as ISO 8601, `msg`, the
// process's `name`, and the event's fields, at the level PULLSIGHT_LOG_LEVEL names. Secrets never
// reach a line (redact.ts).
import { type DestinationStream, pino } from "pino";
import { type LogLevel, logLevelFromEnv } from "./env.ts";
import { redactValue, scrub } from "./redact.ts";

/** What the code calls: a message first, then the event's fields. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** The same logger with these fields on every line (a cluster, a request). */
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  /** The process: "web", "collector", "migrate". */
  name: string;
  /** Default: PULLSIGHT_LOG_LEVEL, else info. */
  level?: LogLevel;
  /** Default: stdout. Tests pass a stream of their own. */
  stream?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const base = pino(
    {
      name: opts.name,
      level: opts.level ?? logLevelFromEnv(),
      base: { name: opts.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => redactValue(fields) as Record<string, unknown>,
      },
      // An error's message and stack can carry a connection URL: scrubbed like any string.
      serializers: { err: (e: unknown) => redactValue(e), error: (e: unknown) => redactValue(e) },
    },
    opts.stream ?? pino.destination({ dest: 1, sync: true }),
  );
  return wrap(base);
}

function wrap(p: pino.Logger): Logger {
  const at =
    (level: "debug" | "info" | "warn" | "error") => (msg: string, fields?: Record<string, unknown>) =>
      fields ? p[level](fields, scrub(msg)) : p[level](scrub(msg));
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (fields) => wrap(p.child(redactValue(fields) as Record<string, unknown>)),
  };
}

/** A logger that writes nothing (tests, and callers that were given none). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
