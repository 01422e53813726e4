// Structured logs: one JSON object per line ({time, level, msg, ...fields}), so a log shipper parses them as they are.

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every record. */
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function isLogLevel(value: string): value is LogLevel {
  // Own keys only: `in` also finds "constructor", "toString"... on the prototype.
  return Object.prototype.hasOwnProperty.call(RANK, value);
}

/** How deep a field's objects are written: a log line is for an operator, and a deep object is most likely a mistake. */
const MAX_DEPTH = 8;

/**
 * `value` as JSON can write it, at any depth (a URL or an error in a field's object reaches the redaction, and a
 * bigint there would make JSON.stringify throw): errors as their name, message and cause, bigints as decimal text, an
 * object met again inside itself as "[Circular]" and one deeper than MAX_DEPTH as "[…]". A log call must not throw.
 */
export function serialise(value: unknown, depth = 0, ancestors: object[] = []): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object" || value === null) return value;
  if (ancestors.includes(value)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[…]";
  const inner = [...ancestors, value];
  if (value instanceof Error) {
    const cause = (value as { cause?: unknown }).cause;
    return { name: value.name, message: value.message, ...(cause === undefined ? {} : { cause: serialise(cause, depth + 1, inner) }) };
  }
  // A Date and the like write themselves.
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return value;
  if (Array.isArray(value)) return value.map((item) => serialise(item, depth + 1, inner));
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) result[key] = serialise(item, depth + 1, inner);
  return result;
}

export interface JsonLoggerOptions {
  level?: LogLevel;
  /** Where lines go (default: stdout). */
  write?: (line: string) => void;
  fields?: LogFields;
}

export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const min = RANK[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const make = (base: LogFields): Logger => {
    const log = (level: LogLevel) => (msg: string, fields: LogFields = {}) => {
      if (RANK[level] < min) return;
      // The wall clock, unlike the answers' "now" (services/clock.ts): a line says when the gateway did something.
      const record: LogFields = { time: new Date().toISOString(), level, msg, ...base };
      for (const [key, value] of Object.entries(fields)) record[key] = serialise(value);
      write(`${JSON.stringify(record)}\n`);
    };
    return {
      debug: log("debug"),
      info: log("info"),
      warn: log("warn"),
      error: log("error"),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.fields ?? {});
}

/**
 * `logger` with `redact` applied to each message and to every field as it will be written (an error's message and its
 * causes' included): what the gateway logs may carry its RPC or subgraph URL, and with it an API key, whatever logger
 * the caller gave it.
 */
export function redactingLogger(logger: Logger, redact: (text: string) => string): Logger {
  // Each string as it is, not the JSON text: a URL in it may hold what JSON escapes (a backslash), and a redaction that
  // reads URLs in text cuts them where the text would read them.
  const clean = (fields: LogFields): LogFields =>
    JSON.parse(
      JSON.stringify(serialise(fields), (_key, value: unknown) => (typeof value === "string" ? redact(value) : value)),
    ) as LogFields;
  const log = (level: LogLevel) => (msg: string, fields: LogFields = {}) => logger[level](redact(msg), clean(fields));
  return {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (fields) => redactingLogger(logger.child(clean(fields)), redact),
  };
}

/** Discards everything (tests, embedding applications that log elsewhere). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
