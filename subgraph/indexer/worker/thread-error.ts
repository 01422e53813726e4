// An error of the indexer's thread crosses to the calling thread as data: structured cloning keeps no class (a
// RpcConnectionError arrives as a plain Error, its `method` and `code` lost). The thread sends its class's name and its
// own fields, and the same of its cause chain; the calling thread makes an error of the same class of them, for its
// caller to branch on as on the errors Indexer.open and run() throw in-process, with the causes a log needs to tell
// why (an RpcConnectionError's fetch TypeError, and below it the ECONNREFUSED with its address and port).
import * as errors from "../errors";
import { IndexerError } from "../errors";
import { redactUrlsIn } from "../redact";

/** A field of an error that crosses the thread boundary: the indexer's errors hold no other kind. */
export type ThreadErrorField = string | number | boolean | null;

/**
 * An error of the thread, as it is posted: its class's name, its message, its own fields (`method`, `database`,
 * `code`...), its stack in the thread and its cause, the same way. Every string in it has its URLs cut (redactUrlsIn):
 * an RpcError's cause has been cut as it was made (see urlFree), and what any other error holds may be a URL with a key.
 */
export interface ThreadErrorData {
  readonly name: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, ThreadErrorField>>;
  /** Absent where it had none (a cause that is not an Error). */
  readonly stack?: string;
  /** Absent where it had none, and below MAX_CAUSE_DEPTH causes. */
  readonly cause?: ThreadErrorData;
  /**
   * An AggregateError's first MAX_AGGREGATED_ERRORS errors, the same way, but for their own `errors`; absent for any
   * other error, and for an AggregateError within another's errors.
   */
  readonly errors?: readonly ThreadErrorData[];
}

/** Causes carried below the error itself: deeper than any chain seen (viem's: 4 errors), and an end to a cycle. */
export const MAX_CAUSE_DEPTH = 8;

/**
 * An AggregateError's errors carried with it: a connect to a host name fails with one per address tried (Node tries
 * each of its IPv4 and IPv6 addresses), whose message alone names none ("" and the first one's code); more than a
 * host has, and a bound on what crosses.
 */
export const MAX_AGGREGATED_ERRORS = 8;

// The classes of errors.ts, by name: what an error of the thread may be re-created as.
const INDEXER_ERRORS: ReadonlyMap<string, typeof IndexerError> = new Map(
  Object.values(errors)
    .filter((value): value is typeof IndexerError => typeof value === "function" && (value === IndexerError || value.prototype instanceof IndexerError))
    .map((type) => [type.name, type]),
);

// JavaScript's own errors, which a cause may be (fetch's TypeError "fetch failed"); AggregateError, whose constructor
// takes its errors first, apart (causeFromThread).
const BUILTIN_ERRORS: ReadonlyMap<string, ErrorConstructor> = new Map(
  [EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError].map((type) => [type.name, type as ErrorConstructor]),
);

/**
 * What the thread posts of `error`, and of its causes down to MAX_CAUSE_DEPTH. `aggregated`: it is, or is below, one of
 * an AggregateError's errors, whose own errors are left out (each level would multiply what crosses by 8).
 */
export function threadErrorData(error: unknown, depth = 0, aggregated = false): ThreadErrorData {
  if (!(error instanceof Error)) return { name: "Error", message: redactUrlsIn(String(error)), fields: {} };
  const fields: Record<string, ThreadErrorField> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === "name" || key === "message" || key === "stack" || key === "cause") continue;
    if (typeof value === "string") fields[key] = redactUrlsIn(value);
    else if (value === null || typeof value === "number" || typeof value === "boolean") fields[key] = value;
  }
  const data = { name: error.name, message: redactUrlsIn(error.message), fields };
  const stack = typeof error.stack === "string" ? { stack: redactUrlsIn(error.stack) } : {};
  const cause = "cause" in error && error.cause !== undefined && depth < MAX_CAUSE_DEPTH ? { cause: threadErrorData(error.cause, depth + 1, aggregated) } : {};
  const errors =
    error instanceof AggregateError && Array.isArray(error.errors) && !aggregated && depth < MAX_CAUSE_DEPTH
      ? { errors: (error.errors as unknown[]).slice(0, MAX_AGGREGATED_ERRORS).map((inner) => threadErrorData(inner, depth + 1, true)) }
      : {};
  return { ...data, ...stack, ...cause, ...errors };
}

/**
 * The error `data` describes, in the calling thread, with `message`: of its class where it is one of errors.ts (an
 * IndexerError: RpcConnectionError, DatabaseInUseError, ManifestError...), with its fields and its causes (see
 * causeFromThread); its stack is the calling thread's. An IndexerError otherwise (a library's error, a TypeError of a
 * bug), whose message says what it was, and whose cause is that error as the thread had it (its name, code, stack).
 */
export function errorFromThread(data: ThreadErrorData, message: string): IndexerError {
  const type = INDEXER_ERRORS.get(data.name);
  if (type === undefined) return new IndexerError(message, { cause: causeFromThread(data) });
  return withCause(ofIndexerClass(type, data, message), data.cause);
}

/**
 * A cause of an error of the thread, or the error of a `retry` event, in the calling thread: of its class where it is
 * one of errors.ts or one of JavaScript's (TypeError...), an Error of its name otherwise (a SqliteError, Node's system
 * errors), with its message, its fields (`code`, `errno`, `syscall`...), the stack it had in the thread and its own
 * cause; an AggregateError with the errors it carried, made the same way.
 */
export function causeFromThread(data: ThreadErrorData): Error {
  const indexerType = INDEXER_ERRORS.get(data.name);
  const error =
    indexerType !== undefined
      ? ofIndexerClass(indexerType, data, data.message)
      : data.name === "AggregateError"
        ? new AggregateError((data.errors ?? []).map(causeFromThread), data.message)
        : new (BUILTIN_ERRORS.get(data.name) ?? Error)(data.message);
  if (indexerType === undefined) {
    Object.assign(error, data.fields);
    if (error.name !== data.name) Object.defineProperty(error, "name", { value: data.name, writable: true, configurable: true });
  }
  // Not this thread's, which would show where it was re-created: the thread's, or none.
  Object.defineProperty(error, "stack", { value: data.stack ?? `${data.name}: ${data.message}`, writable: true, configurable: true });
  return withCause(error, data.cause);
}

// Not the class's constructor, whose parameters differ from class to class and would write another message: an Error
// of its prototype, given the fields it was made with in the thread.
function ofIndexerClass(type: typeof IndexerError, data: ThreadErrorData, message: string): IndexerError {
  const error = Reflect.construct(Error, [message], type) as IndexerError;
  return Object.assign(error, { ...data.fields, name: data.name });
}

/** `error` with `cause` as Error's constructor sets one (own, not enumerable), where there is one. */
function withCause<T extends Error>(error: T, cause: ThreadErrorData | undefined): T {
  if (cause !== undefined) Object.defineProperty(error, "cause", { value: causeFromThread(cause), writable: true, configurable: true });
  return error;
}
