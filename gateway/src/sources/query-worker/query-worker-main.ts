// The query worker thread: answers graph-node queries from the embedded indexer's database on its own read-only
// connection, so that SQLite work (synchronous in better-sqlite3) never blocks the gateway's event loop.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import type { GraphQLError } from "graphql";
import { QueryEngine } from "../../../../subgraph/indexer";
import type { FromQueryWorker, QueryWorkerData, ToQueryWorker } from "./protocol";

const port = parentPort;
if (port === null) throw new Error("query-worker-main must run in a worker thread");
const post = (message: FromQueryWorker) => port.postMessage(message);

let engine: QueryEngine;
try {
  engine = QueryEngine.open((workerData as QueryWorkerData).dbPath);
  post({ type: "ready" });
} catch (error) {
  post({ type: "error", message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

type QueryMessage = Extract<ToQueryWorker, { type: "query" }>;

/** The code of the first error that better-sqlite3 raised (the database failed, not the query), or null. */
function databaseFailure(errors: readonly GraphQLError[]): string | null {
  for (const error of errors) {
    const cause = error.originalError;
    if (cause instanceof Database.SqliteError) return cause.code;
  }
  return null;
}

// The queries not started yet, in arrival order. They run one at a time (QueryEngine would chain their executions
// anyway, each in a snapshot of its own), each started from a later turn of the event loop than its arrival: the
// messages that arrived meanwhile (while a query's synchronous SQLite work held the thread) are all handled first,
// so a cancel finds its query here and it is skipped.
const waiting = new Map<number, QueryMessage>();
let running = false;

function startNext(): void {
  if (running) return;
  const next = waiting.values().next();
  if (next.done === true) return;
  const message = next.value;
  waiting.delete(message.id);
  running = true;
  engine
    .executeQuery(message.query, message.variables)
    .then(
      (result) =>
        post({
          type: "result",
          id: message.id,
          data: result.data ?? null,
          errors: result.errors?.map((e) => e.message) ?? null,
          databaseFailure: databaseFailure(result.errors ?? []),
        }),
      (error: unknown) => post({ type: "failed", id: message.id, message: error instanceof Error ? error.message : String(error) }),
    )
    .finally(() => {
      running = false;
      setImmediate(startNext);
    });
}

port.on("message", (message: ToQueryWorker) => {
  if (message.type === "stop") {
    engine.close();
    process.exit(0);
  }
  if (message.type === "crash") {
    // Outside this handler, so that nothing catches it: what a bug in a callback does.
    if (message.how === "throw") setImmediate(() => {
      throw new Error("the query worker was told to crash (QueryWorker.crash)");
    });
    else process.exit(3);
    return;
  }
  if (message.type === "indexerDown") {
    engine.setIndexerDown(message.reason);
    return;
  }
  if (message.type === "hold") {
    Atomics.wait(new Int32Array(message.gate), 0, 0);
    return;
  }
  if (message.type === "cancel") {
    if (waiting.delete(message.id)) post({ type: "skipped", id: message.id });
    return;
  }
  waiting.set(message.id, message);
  setImmediate(startNext);
});
