// Entry point of an indexer worker thread: runs the indexing loop and reports to the parent thread. Queries
// never come here; the parent answers them from its own read-only connection to the same database.
import { parentPort, workerData } from "node:worker_threads";
import { OpenAbortedError } from "../errors";
import { Indexer, type IndexerLogRecord, type RetryEvent } from "../indexer";
import type { MainToWorker, WorkerData, WorkerToMain } from "./protocol";
import { threadErrorData } from "./thread-error";

const LEVELS: Record<IndexerLogRecord["level"], number> = { critical: 0, error: 1, warning: 2, info: 3, debug: 4 };

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error("worker-main must run in a worker thread");
  const post = (message: WorkerToMain): void => port.postMessage(message);
  const { processing, once, ...options } = workerData as WorkerData;
  // Shared memory, so that the parent can read it while this thread is stuck in the block.
  const current = new BigInt64Array(processing);
  const threshold = LEVELS[options.logLevel ?? "info"];
  let indexer: Indexer | null = null;
  let stopping = false;
  let closing = false;
  const opening = new AbortController();
  const stop = (open: Indexer): void => {
    if (closing) return;
    closing = true;
    void open.close().then(() => {
      post({ type: "stopped" });
      // Keep-alive sockets of the RPC client would keep the thread alive for a while: end it now.
      process.exit(0);
    });
  };
  // Listening from the start, not once the indexer is open: the parent's pings must be answered while it opens (or
  // it could not tell a slow start from a stuck one), and a stop must not wait for the start to end.
  port.on("message", (message: MainToWorker) => {
    if (message.type === "ping") {
      post({ type: "pong" });
    } else if (message.type === "crash") {
      // Outside this handler, so that nothing catches it: what a bug in a callback does.
      if (message.how === "throw") setImmediate(() => {
        throw new Error("the indexer worker was told to crash (IndexerWorker.crash)");
      });
      else if (message.how === "hang") {
        // What a mapping with an endless loop does: nothing else runs on this thread again. Before the indexer is
        // open, at once: what a start stuck in compiling the WASM or opening the database does.
        if (indexer === null) for (;;);
        indexer.on("block", (number: number | null) => {
          if (number !== null) for (;;);
        });
      } else process.exit(3);
    } else if (message.type === "stop") {
      stopping = true;
      // Still opening: the open is given up at once, releasing the database's lock (a node that does not answer holds
      // each of its reads until the request timeout, 30 s by default; the handle would terminate the thread first).
      if (indexer !== null) stop(indexer);
      else opening.abort();
    }
  });
  post({ type: "started" });
  try {
    indexer = await Indexer.open(
      {
        ...options,
        logger: (record) => {
          if (LEVELS[record.level] <= threshold) post({ type: "log", record });
        },
      },
      { signal: opening.signal },
    );
  } catch (error) {
    // Given up for the stop: the thread ends as a stopped one does, with no error to report.
    if (error instanceof OpenAbortedError) {
      post({ type: "stopped" });
      process.exit(0);
    }
    post({ type: "error", error: threadErrorData(error) });
    return;
  }
  const open = indexer;
  if (stopping) return stop(open);
  open.on("progress", (progress) => post({ type: "progress", progress, status: open.status() }));
  open.on("head", (head: number) => post({ type: "head", head }));
  open.on("synced", (status) => post({ type: "synced", status }));
  open.on("failed", (fatalError) => post({ type: "failed", fatalError, status: open.status() }));
  open.on("reorg", (reorg) => post({ type: "reorg", reorg, status: open.status() }));
  // As the thread's own errors cross (thread-error.ts): its class's name, fields and causes, every URL cut.
  open.on("retry", (error: unknown, retry: RetryEvent) => post({ type: "retry", error: threadErrorData(error), retry }));
  open.on("block", (number: number | null) => Atomics.store(current, 0, BigInt(number ?? -1)));
  post({ type: "ready", status: open.status() });
  const fail = (error: unknown): void => post({ type: "error", error: threadErrorData(error) });
  if (once) {
    open.syncOnce().then((status) => {
      post({ type: "done", status });
      stop(open);
    }, fail);
    return;
  }
  // run() ends with an error only when it cannot go on at all (the database was reset for another deployment).
  open.run().catch(fail);
}

void main();
