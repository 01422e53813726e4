// Messages between the gateway and its query worker thread (structured-clone friendly).

export interface QueryWorkerData {
  dbPath: string;
}

export type ToQueryWorker =
  | { type: "query"; id: number; query: string; variables: Record<string, unknown> }
  /** The indexer's worker died (`reason`) or runs again (null): see QueryEngine.setIndexerDown. */
  | { type: "indexerDown"; reason: string | null }
  | { type: "stop" };

export type FromQueryWorker =
  | { type: "ready" }
  | { type: "result"; id: number; data: unknown; errors: string[] | null }
  | { type: "failed"; id: number; message: string }
  | { type: "error"; message: string };
