// Runs the indexer in a worker thread so that indexing never blocks the thread that answers queries (e.g. the
// gateway's). Queries run in the calling thread on a separate read-only SQLite connection; WAL mode lets that
// connection read while the worker writes.
import { EventEmitter } from "node:events";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { ExecutionResult } from "graphql";
import { IndexerError, IndexerWorkerDiedError } from "../errors";
import type { IndexerLogRecord, IndexerStatus, ProgressEvent, ReorgEvent } from "../indexer";
import { QueryEngine, type QueryExecutor, type QueryStatus } from "../query/engine";
import { startQueryServer, type QueryServer } from "../server/http";
import type { FatalError } from "../store/database";
import { DEFAULT_MAX_HEAP_MB, type IndexerWorkerOptions, type MainToWorker, type RestartPolicy, type WorkerCrash, type WorkerToMain } from "./protocol";
import { RestartBackoff } from "./restart-backoff";

export type { IndexerWorkerOptions, RestartPolicy, WorkerCrash };

export interface IndexerWorkerEvents {
  progress: [ProgressEvent];
  head: [number];
  synced: [IndexerStatus];
  failed: [FatalError];
  reorg: [ReorgEvent];
  log: [IndexerLogRecord];
  /** The worker could not start, or died ({@link IndexerWorkerDiedError}, which says whether it is restarted). */
  error: [Error];
  /** A worker started again after one died, and indexes on from the database's checkpoint. */
  restarted: [IndexerStatus];
  exit: [number];
}

/**
 * Starts the worker and resolves once its database is initialised and queryable. Rejects when the subgraph, the
 * RPC endpoint or the database cannot be opened.
 */
export async function startIndexerWorker(options: IndexerWorkerOptions): Promise<IndexerWorker> {
  const handle = new IndexerWorker(options);
  await handle.ready;
  return handle;
}

function spawnWorker(options: IndexerWorkerOptions): Worker {
  const isTypeScript = __filename.endsWith(".ts");
  const entry = path.join(__dirname, `worker-main${isTypeScript ? ".ts" : ".js"}`);
  // The restart policy and the heap limit are the handle's; everything else goes to Indexer.open in the thread.
  const { restart: _restart, maxHeapMb = DEFAULT_MAX_HEAP_MB, ...workerData } = options;
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb };
  // Under ts-node (tests, `npm run indexer`) the worker registers ts-node itself: require hooks are per thread.
  return isTypeScript
    ? new Worker(
        `require(${JSON.stringify(require.resolve("ts-node"))}).register({ transpileOnly: true, projectSearchDir: ${JSON.stringify(__dirname)} });\nrequire(${JSON.stringify(entry)});`,
        { eval: true, workerData, resourceLimits },
      )
    : new Worker(entry, { workerData, resourceLimits });
}

/**
 * A worker thread that dies once it was ready (a bug, out of memory, `process.exit`) is reported as an `error`
 * event ({@link IndexerWorkerDiedError}) and started again with a bounded backoff, unless `restart` is false or it
 * died because the database now belongs to another deployment (a new worker would take it back). Until a new
 * worker is ready, status() says `indexing: false` and queries' `_meta.hasIndexingErrors` is true: the data
 * committed so far stays queryable, but nothing follows the chain.
 */
export class IndexerWorker extends EventEmitter<IndexerWorkerEvents> implements QueryExecutor {
  readonly ready: Promise<void>;
  private engine: QueryEngine | null = null;
  private lastStatus: IndexerStatus | null = null;
  private worker: Worker;
  private exited = false;
  private exitPromise!: Promise<number>;
  private stopping = false;
  private readonly servers = new Set<QueryServer>();
  /** Why no worker indexes now (it died); null while one runs. */
  private down: IndexerWorkerDiedError | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly backoff: RestartBackoff;
  private resolveReady!: () => void;
  private rejectReady!: (error: Error) => void;

  constructor(private readonly options: IndexerWorkerOptions) {
    super();
    this.backoff = new RestartBackoff(options.restart || {});
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    this.worker = this.start();
  }

  private start(): Worker {
    const worker = spawnWorker(this.options);
    this.exited = false;
    this.backoff.started();
    // What the thread said killed it (its "error" message, or the uncaught exception): reported with its exit.
    let cause: { reason: string; name: string; error?: Error } | null = null;
    this.exitPromise = new Promise((resolve) => {
      worker.once("exit", (code) => {
        this.exited = true;
        this.emit("exit", code);
        resolve(code);
        if (this.engine === null) this.rejectReady(cause?.error ?? new IndexerError(`indexer worker exited with code ${code} before it was ready`));
        else if (!this.stopping) this.died(code, cause);
      });
    });
    worker.on("message", (message: WorkerToMain) => {
      switch (message.type) {
        case "ready":
          this.lastStatus = message.status;
          if (this.engine === null) {
            try {
              this.engine = QueryEngine.open(this.options.db);
              this.resolveReady();
            } catch (error) {
              this.rejectReady(error as Error);
            }
          } else if (this.down !== null) {
            this.down = null;
            this.engine.setIndexerDown(null);
            this.emit("restarted", message.status);
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
        case "error":
          cause = { reason: message.message, name: message.name, error: new IndexerError(`indexer worker: ${message.message}`) };
          void worker.terminate();
          break;
        case "stopped":
          break;
      }
    });
    worker.once("error", (error) => {
      if ((error as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY") {
        error.message += ` (the indexer thread's heap is limited to ${this.options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB} MB: the maxHeapMb option raises it)`;
      }
      cause = { reason: `${error.name}: ${error.message}`, name: error.name, error };
    });
    return worker;
  }

  private died(code: number, cause: { reason: string; name: string; error?: Error } | null): void {
    // A new worker would reset the database to this deployment again, under the indexer that now owns it.
    const terminal = this.options.restart === false || cause?.name === "DeploymentReplacedError";
    const delay = terminal ? null : this.backoff.next();
    const error = new IndexerWorkerDiedError(code, cause?.reason ?? null, delay, { cause: cause?.error });
    this.down = error;
    this.engine?.setIndexerDown(error.message);
    if (this.listenerCount("error") > 0) this.emit("error", error);
    if (delay === null) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping) this.worker = this.start();
    }, delay);
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

  /**
   * Status from the database (checkpoint, failure) merged with the worker's view of the head. `indexing` is false,
   * and `indexerError` says why, while no worker runs (it died and is not restarted yet, or not at all).
   */
  status(): QueryStatus & { head: number | null; lag: number | null; synced: boolean; indexing: boolean; indexerError: string | null } {
    const fromDb = this.requireEngine().status();
    const head = this.lastStatus?.head ?? null;
    return {
      ...fromDb,
      head,
      lag: head === null || fromDb.checkpoint === null ? null : Math.max(0, head - fromDb.checkpoint.number),
      synced: this.down === null && (this.lastStatus?.synced ?? false),
      indexing: this.down === null,
      indexerError: this.down?.message ?? null,
    };
  }

  /** Serves the query API over HTTP from this thread (127.0.0.1 by default). Closed by stop(). */
  async serve(options: { port?: number; host?: string; name?: string } = {}): Promise<QueryServer> {
    const server = await startQueryServer({ executor: this, ...options });
    this.servers.add(server);
    return server;
  }

  /**
   * Makes the worker thread die as a bug in it would: an uncaught exception ("throw") or `process.exit(3)` ("exit").
   * For tests of what follows a death; nothing else calls it.
   */
  crash(how: WorkerCrash): void {
    const message: MainToWorker = { type: "crash", how };
    this.worker.postMessage(message);
  }

  /** Stops indexing (after the block in progress), waits for the worker to exit, closes servers and connections. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
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
