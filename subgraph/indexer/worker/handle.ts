// Runs the indexer in a worker thread so that indexing never blocks the thread that answers queries (e.g. the
// gateway's). Queries run in the calling thread on a separate read-only SQLite connection; WAL mode lets that
// connection read while the worker writes.
import { EventEmitter } from "node:events";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { ExecutionResult } from "graphql";
import { IndexerError } from "../errors";
import type { IndexerLogRecord, IndexerStatus, ProgressEvent, ReorgEvent } from "../indexer";
import { QueryEngine, type QueryExecutor, type QueryStatus } from "../query/engine";
import { startQueryServer, type QueryServer } from "../server/http";
import type { FatalError } from "../store/database";
import type { IndexerWorkerOptions, MainToWorker, WorkerToMain } from "./protocol";

export type { IndexerWorkerOptions };

export interface IndexerWorkerEvents {
  progress: [ProgressEvent];
  head: [number];
  synced: [IndexerStatus];
  failed: [FatalError];
  reorg: [ReorgEvent];
  log: [IndexerLogRecord];
  /** The worker died or could not start. */
  error: [Error];
  exit: [number];
}

/**
 * Starts the worker and resolves once its database is initialised and queryable. Rejects when the subgraph, the
 * RPC endpoint or the database cannot be opened.
 */
export async function startIndexerWorker(options: IndexerWorkerOptions): Promise<IndexerWorker> {
  const isTypeScript = __filename.endsWith(".ts");
  const entry = path.join(__dirname, `worker-main${isTypeScript ? ".ts" : ".js"}`);
  // Under ts-node (tests, `npm run indexer`) the worker registers ts-node itself: require hooks are per thread.
  const worker = isTypeScript
    ? new Worker(
        `require(${JSON.stringify(require.resolve("ts-node"))}).register({ transpileOnly: true, projectSearchDir: ${JSON.stringify(__dirname)} });\nrequire(${JSON.stringify(entry)});`,
        { eval: true, workerData: options },
      )
    : new Worker(entry, { workerData: options });
  const handle = new IndexerWorker(worker, options);
  await handle.ready;
  return handle;
}

export class IndexerWorker extends EventEmitter<IndexerWorkerEvents> implements QueryExecutor {
  readonly ready: Promise<void>;
  private engine: QueryEngine | null = null;
  private lastStatus: IndexerStatus | null = null;
  private exited = false;
  private readonly exitPromise: Promise<number>;
  private readonly servers = new Set<QueryServer>();

  constructor(
    private readonly worker: Worker,
    private readonly options: IndexerWorkerOptions,
  ) {
    super();
    this.exitPromise = new Promise((resolve) => {
      worker.once("exit", (code) => {
        this.exited = true;
        this.emit("exit", code);
        resolve(code);
      });
    });
    this.ready = new Promise<void>((resolve, reject) => {
      worker.on("message", (message: WorkerToMain) => {
        switch (message.type) {
          case "ready":
            this.lastStatus = message.status;
            try {
              this.engine = QueryEngine.open(this.options.db);
              resolve();
            } catch (error) {
              reject(error as Error);
            }
            break;
          case "progress":
            this.lastStatus = message.status;
            this.emit("progress", message.progress);
            break;
          case "head":
            this.emit("head", message.head);
            break;
          case "synced":
            this.lastStatus = message.status;
            this.emit("synced", message.status);
            break;
          case "failed":
            this.lastStatus = message.status;
            this.emit("failed", message.fatalError);
            break;
          case "reorg":
            this.lastStatus = message.status;
            this.emit("reorg", message.reorg);
            break;
          case "log":
            this.emit("log", message.record);
            break;
          case "error": {
            const error = new IndexerError(`indexer worker: ${message.message}`);
            if (this.engine === null) reject(error);
            else if (this.listenerCount("error") > 0) this.emit("error", error);
            void this.worker.terminate();
            break;
          }
          case "stopped":
            break;
        }
      });
      worker.once("error", (error) => {
        if (this.engine === null) reject(error);
        else if (this.listenerCount("error") > 0) this.emit("error", error);
      });
      worker.once("exit", (code) => {
        if (this.engine === null) reject(new IndexerError(`indexer worker exited with code ${code} before it was ready`));
      });
    });
    this.ready.catch(() => undefined);
  }

  private requireEngine(): QueryEngine {
    if (this.engine === null) throw new IndexerError("the indexer worker is not ready");
    return this.engine;
  }

  /** Runs a graph-node query in this thread (read-only connection): `{ data, errors }`. */
  executeQuery(query: string, variables?: Record<string, unknown> | null, operationName?: string | null): Promise<ExecutionResult> {
    return this.requireEngine().executeQuery(query, variables, operationName);
  }

  /** Alias of executeQuery. */
  query(query: string, variables?: Record<string, unknown> | null, operationName?: string | null): Promise<ExecutionResult> {
    return this.executeQuery(query, variables, operationName);
  }

  /** Status from the database (checkpoint, failure) merged with the worker's view of the head. */
  status(): QueryStatus & { head: number | null; lag: number | null; synced: boolean } {
    const fromDb = this.requireEngine().status();
    const head = this.lastStatus?.head ?? null;
    return {
      ...fromDb,
      head,
      lag: head === null || fromDb.checkpoint === null ? null : Math.max(0, head - fromDb.checkpoint.number),
      synced: this.lastStatus?.synced ?? false,
    };
  }

  /** Serves the query API over HTTP from this thread (127.0.0.1 by default). Closed by stop(). */
  async serve(options: { port?: number; host?: string; name?: string } = {}): Promise<QueryServer> {
    const server = await startQueryServer({ executor: this, ...options });
    this.servers.add(server);
    return server;
  }

  /** Stops indexing (after the block in progress), waits for the worker to exit, closes servers and connections. */
  async stop(timeoutMs = 10_000): Promise<void> {
    for (const server of this.servers) await server.close();
    this.servers.clear();
    if (!this.exited) {
      const message: MainToWorker = { type: "stop" };
      this.worker.postMessage(message);
      const timer = setTimeout(() => void this.worker.terminate(), timeoutMs);
      await this.exitPromise;
      clearTimeout(timer);
    }
    this.engine?.close();
    this.engine = null;
  }
}
