// Messages between the gateway and its query worker thread (structured-clone friendly).

export interface QueryWorkerData {
  dbPath: string;
}

export type ToQueryWorker =
  | { type: "query"; id: number; query: string; variables: Record<string, unknown> }
  /** Query `id` was given up: skipped if it has not started (one running cannot be interrupted: SQLite is synchronous). */
  | { type: "cancel"; id: number }
  /** Blocks the thread, as a long synchronous query would, until `gate[0]` is set. For tests only. */
  | { type: "hold"; gate: SharedArrayBuffer }
  /** The indexer's worker died (`reason`) or runs again (null): see QueryEngine.setIndexerDown. */
  | { type: "indexerDown"; reason: string | null }
  /** Dies as a bug would: an uncaught exception ("throw") or `process.exit(3)` ("exit"). For tests only. */
  | { type: "crash"; how: "throw" | "exit" }
  | { type: "stop" };

export type FromQueryWorker =
  | { type: "ready" }
  /**
   * `databaseFailure`: the SQLite error code (e.g. "SQLITE_IOERR") where an error is the database's, not the query's:
   * its message ("no such table: ent_Job") tells of the index's internals, for the operator's log only.
   */
  | { type: "result"; id: number; data: unknown; errors: string[] | null; databaseFailure: string | null }
  | { type: "failed"; id: number; message: string }
  /** Query `id` was cancelled before it started: it was never run. */
  | { type: "skipped"; id: number }
  | { type: "error"; message: string };
