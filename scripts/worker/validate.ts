// Typed readers for untrusted JSON (the worker's config file, a client's job spec). Every failure names the
// field by its full path and says what was expected and what was found, so a person can fix the input without
// reading this code.

export type JsonObject = { [key: string]: unknown };

/** A field of a JSON document is missing, of the wrong type, or out of range. */
export class FieldError extends Error {
  constructor(
    /** Where in the document, e.g. `config.executors.command.timeoutSeconds`. */
    readonly path: string,
    /** What is wrong, e.g. `must be an integer between 1 and 86400`. */
    readonly problem: string,
    /** The offending value; undefined for a missing field. */
    readonly got?: unknown,
  ) {
    const detail = `${problem}${got === undefined ? "" : `, got ${describeValue(got)}`}`;
    super(`${path}: ${detail}`);
    this.name = "FieldError";
    this.detail = detail;
  }

  /** The message without the path: the problem and the value found. */
  readonly detail: string;
}

/** An object has a key its reader does not know (a typo, or a field of another version). */
export class UnknownFieldError extends FieldError {
  constructor(
    path: string,
    /** The keys the object may have, as the reader allows them. */
    readonly allowed: readonly string[],
  ) {
    super(path, `unknown field (expected one of: ${allowed.join(", ")})`);
    this.name = "UnknownFieldError";
  }
}

/** A short, unambiguous rendering of a value for an error message ("abc" stays quoted, objects are abbreviated). */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "bigint") return `${value}n`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface StringRules {
  minLength?: number;
  /** In UTF-8 bytes, which is what contracts and size limits count. */
  maxBytes?: number;
  pattern?: RegExp;
  /** Says what `pattern` means, for the error message. */
  patternDescription?: string;
}

/**
 * Reads the fields of one JSON object. Unknown keys are rejected up front: a misspelt optional field would
 * otherwise be silently ignored and its default used.
 */
export class FieldReader {
  private constructor(
    private readonly fields: JsonObject,
    readonly path: string,
  ) {}

  static of(value: unknown, path: string, allowedKeys: readonly string[]): FieldReader {
    if (!isJsonObject(value)) throw new FieldError(path, "must be an object", value);
    for (const key of Object.keys(value)) {
      if (!allowedKeys.includes(key)) {
        throw new UnknownFieldError(`${path}.${key}`, allowedKeys);
      }
    }
    return new FieldReader(value, path);
  }

  fieldPath(key: string): string {
    return `${this.path}.${key}`;
  }

  has(key: string): boolean {
    return this.fields[key] !== undefined;
  }

  raw(key: string): unknown {
    return this.fields[key];
  }

  object(key: string, allowedKeys: readonly string[]): FieldReader {
    if (!this.has(key)) throw new FieldError(this.fieldPath(key), "is required");
    return FieldReader.of(this.fields[key], this.fieldPath(key), allowedKeys);
  }

  optionalObject(key: string, allowedKeys: readonly string[]): FieldReader | undefined {
    return this.has(key) ? this.object(key, allowedKeys) : undefined;
  }

  string(key: string, rules: StringRules = {}): string {
    if (!this.has(key)) throw new FieldError(this.fieldPath(key), "is required");
    return checkString(this.fields[key], this.fieldPath(key), rules);
  }

  optionalString(key: string, rules: StringRules = {}): string | undefined {
    return this.has(key) ? this.string(key, rules) : undefined;
  }

  integer(key: string, min: number, max: number): number {
    if (!this.has(key)) throw new FieldError(this.fieldPath(key), "is required");
    return checkInteger(this.fields[key], this.fieldPath(key), min, max);
  }

  optionalInteger(key: string, min: number, max: number, fallback: number): number {
    return this.has(key) ? this.integer(key, min, max) : fallback;
  }

  number(key: string, min: number, max: number, fallback: number): number {
    if (!this.has(key)) return fallback;
    const value = this.fields[key];
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
      throw new FieldError(this.fieldPath(key), `must be a number between ${min} and ${max}`, value);
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    if (!this.has(key)) return fallback;
    const value = this.fields[key];
    if (typeof value !== "boolean") throw new FieldError(this.fieldPath(key), "must be true or false", value);
    return value;
  }

  oneOf<T extends string>(key: string, values: readonly T[], fallback?: T): T {
    if (!this.has(key)) {
      if (fallback !== undefined) return fallback;
      throw new FieldError(this.fieldPath(key), `is required (one of: ${values.join(", ")})`);
    }
    const value = this.fields[key];
    if (typeof value !== "string" || !(values as readonly string[]).includes(value)) {
      throw new FieldError(this.fieldPath(key), `must be one of: ${values.join(", ")}`, value);
    }
    return value as T;
  }

  stringArray(key: string, maxItems: number, rules: StringRules, fallback: readonly string[]): string[] {
    if (!this.has(key)) return [...fallback];
    const value = this.fields[key];
    const path = this.fieldPath(key);
    if (!Array.isArray(value)) throw new FieldError(path, "must be an array of strings", value);
    if (value.length > maxItems) throw new FieldError(path, `must have at most ${maxItems} items`, value.length);
    return value.map((item: unknown, index) => checkString(item, `${path}[${index}]`, rules));
  }
}

export function checkString(value: unknown, path: string, rules: StringRules = {}): string {
  if (typeof value !== "string") throw new FieldError(path, "must be a string", value);
  const minLength = rules.minLength ?? 1;
  if (value.length < minLength) {
    throw new FieldError(
      path,
      minLength === 1 ? "must not be empty" : `must be at least ${minLength} characters`,
      value,
    );
  }
  if (rules.maxBytes !== undefined && Buffer.byteLength(value, "utf8") > rules.maxBytes) {
    throw new FieldError(path, `must be at most ${rules.maxBytes} bytes of UTF-8`, value);
  }
  if (rules.pattern && !rules.pattern.test(value)) {
    throw new FieldError(path, `must be ${rules.patternDescription ?? `a string matching ${rules.pattern}`}`, value);
  }
  return value;
}

export function checkInteger(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new FieldError(path, `must be an integer between ${min} and ${max}`, value);
  }
  return value;
}
