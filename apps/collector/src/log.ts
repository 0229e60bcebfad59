// JSON lines on stdout: one object per event, with level, time and message.
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function jsonLogger(stream: NodeJS.WritableStream = process.stdout): Logger {
  const write =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) =>
      stream.write(
        `${JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields }, (_k, v) => (typeof v === "bigint" ? String(v) : v))}\n`,
      );
  return { info: write("info"), warn: write("warn"), error: write("error") };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
