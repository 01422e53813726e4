// An error of the indexer's thread crosses to the calling thread as data: structured cloning keeps no class (a
// RpcConnectionError arrives as a plain Error, its `method` and `code` lost). The thread sends its class's name and its
// own fields; the calling thread makes an error of the same class of them, for its caller to branch on as on the errors
// Indexer.open and run() throw in-process.
import * as errors from "../errors";
import { IndexerError } from "../errors";

/** A field of an error that crosses the thread boundary: the indexer's errors hold no other kind. */
export type ThreadErrorField = string | number | boolean | null;

/** An error of the thread, as it is posted: its class's name, its message and its own fields (`method`, `database`...). */
export interface ThreadErrorData {
  readonly name: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, ThreadErrorField>>;
}

// The classes of errors.ts, by name: what an error of the thread may be re-created as.
const INDEXER_ERRORS: ReadonlyMap<string, typeof IndexerError> = new Map(
  Object.values(errors)
    .filter((value): value is typeof IndexerError => typeof value === "function" && (value === IndexerError || value.prototype instanceof IndexerError))
    .map((type) => [type.name, type]),
);

/** What the thread posts of `error`. Its cause stays in the thread: it may be a library's error of any kind. */
export function threadErrorData(error: unknown): ThreadErrorData {
  if (!(error instanceof Error)) return { name: "Error", message: String(error), fields: {} };
  const fields: Record<string, ThreadErrorField> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === "name" || key === "message") continue;
    if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") fields[key] = value;
  }
  return { name: error.name, message: error.message, fields };
}

/**
 * The error `data` describes, in the calling thread, with `message`: of its class where it is one of errors.ts (an
 * IndexerError: RpcConnectionError, DatabaseInUseError, ManifestError...), with its fields; an IndexerError otherwise
 * (a library's error, a TypeError of a bug), whose message says what it was. Its stack is the calling thread's.
 */
export function errorFromThread(data: ThreadErrorData, message: string): IndexerError {
  const type = INDEXER_ERRORS.get(data.name);
  if (type === undefined) return new IndexerError(message);
  // Not the class's constructor, whose parameters differ from class to class and would write another message: an Error
  // of its prototype, given the fields it was made with in the thread.
  const error = Reflect.construct(Error, [message], type) as IndexerError;
  return Object.assign(error, { ...data.fields, name: data.name });
}
