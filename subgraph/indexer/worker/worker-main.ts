// Entry point of an indexer worker thread: runs the indexing loop and reports to the parent thread. Queries
// never come here; the parent answers them from its own read-only connection to the same database.
import { parentPort, workerData } from "node:worker_threads";
import { Indexer, type IndexerLogRecord } from "../indexer";
import type { MainToWorker, WorkerData, WorkerToMain } from "./protocol";

const LEVELS: Record<IndexerLogRecord["level"], number> = { critical: 0, error: 1, warning: 2, info: 3, debug: 4 };

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error("worker-main must run in a worker thread");
  const post = (message: WorkerToMain): void => port.postMessage(message);
  const { processing, ...options } = workerData as WorkerData;
  // Shared memory, so that the parent can read it while this thread is stuck in the block.
  const current = new BigInt64Array(processing);
  const threshold = LEVELS[options.logLevel ?? "info"];
  let indexer: Indexer;
  try {
    indexer = await Indexer.open({
      ...options,
      logger: (record) => {
        if (LEVELS[record.level] <= threshold) post({ type: "log", record });
      },
    });
  } catch (error) {
    post({ type: "error", message: (error as Error).message, name: (error as Error).name });
    return;
  }
  indexer.on("progress", (progress) => post({ type: "progress", progress, status: indexer.status() }));
  indexer.on("head", (head: number) => post({ type: "head", head }));
  indexer.on("synced", (status) => post({ type: "synced", status }));
  indexer.on("failed", (fatalError) => post({ type: "failed", fatalError, status: indexer.status() }));
  indexer.on("reorg", (reorg) => post({ type: "reorg", reorg, status: indexer.status() }));
  indexer.on("block", (number: number | null) => Atomics.store(current, 0, BigInt(number ?? -1)));
  port.on("message", (message: MainToWorker) => {
    if (message.type === "ping") {
      post({ type: "pong" });
    } else if (message.type === "crash") {
      // Outside this handler, so that nothing catches it: what a bug in a callback does.
      if (message.how === "throw") setImmediate(() => {
        throw new Error("the indexer worker was told to crash (IndexerWorker.crash)");
      });
      else if (message.how === "hang") {
        // What a mapping with an endless loop does: nothing else runs on this thread again.
        indexer.on("block", (number: number | null) => {
          if (number !== null) for (;;);
        });
      } else process.exit(3);
    } else if (message.type === "stop") {
      void indexer.close().then(() => {
        post({ type: "stopped" });
        // Keep-alive sockets of the RPC client would keep the thread alive for a while: end it now.
        process.exit(0);
      });
    }
  });
  post({ type: "ready", status: indexer.status() });
  // run() ends with an error only when it cannot go on at all (the database was reset for another deployment).
  indexer.run().catch((error: unknown) => post({ type: "error", message: (error as Error).message, name: (error as Error).name }));
}

void main();
