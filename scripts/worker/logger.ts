// One JSON object per line on stderr: machine-readable for log shippers, and stdout stays free for the output of
// commands such as gpu-probe.

import { briefError } from "./retry";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface LogRecord {
  time: string;
  level: LogLevel;
  msg: string;
  fields: LogFields;
}

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every record, e.g. `{ jobId }`. */
  child(fields: LogFields): Logger;
}

export type LogSink = (record: LogRecord) => void;

/** `redact`: applied to each whole line, so a secret is caught wherever it sits (a field, an error's message). */
export function jsonLineSink(
  stream: NodeJS.WritableStream = process.stderr,
  redact: (line: string) => string = (line) => line,
): LogSink {
  return (record) => {
    stream.write(
      `${redact(JSON.stringify({ time: record.time, level: record.level, msg: record.msg, ...record.fields }, jsonReplacer))}\n`,
    );
  };
}

// bigint (job ids, wei amounts) is not JSON; errors would serialise as {}. An error by its brief form: ethers' full
// message spells out a signed transaction and the node's answer, and names the endpoint with its credentials.
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return { name: value.name, message: briefError(value) };
  return value;
}

export function createLogger(level: LogLevel, sink: LogSink = jsonLineSink(), baseFields: LogFields = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const emit = (recordLevel: LogLevel, msg: string, fields?: LogFields): void => {
    if (LOG_LEVELS.indexOf(recordLevel) < threshold) return;
    sink({ time: new Date().toISOString(), level: recordLevel, msg, fields: { ...baseFields, ...fields } });
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (fields) => createLogger(level, sink, { ...baseFields, ...fields }),
  };
}

/** For callers that must not print (library use, tests that do not look at logs). */
export const silentLogger: Logger = createLogger("error", () => undefined);
