// Runs the indexer in a worker thread so that indexing never blocks the thread that answers queries (e.g. the
// gateway's). Queries run in the calling thread on a separate read-only SQLite connection; WAL mode lets that
// connection read while the worker writes.
import { EventEmitter } from "node:events";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { ExecutionResult } from "graphql";
import {
  IndexerError,
  IndexerWorkerDiedError,
  IndexerWorkerHungError,
  StoppedError,
  type IndexerWorkerDownError,
} from "../errors";
import type { IndexerLogRecord, IndexerStatus, IndexingEvents, RetryEvent } from "../indexer";
import { QueryEngine, type QueryExecutor, type QueryStatus } from "../query/engine";
import { startQueryServer, type QueryServer } from "../server/http";
import type { FatalError } from "../store/database";
import {
  CODE_LOAD_TIMEOUT_MS,
  DEFAULT_MAX_HEAP_MB,
  type IndexerWorkerOptions,
  type MainToWorker,
  type RestartPolicy,
  type WorkerCrash,
  type WorkerData,
  type WorkerToMain,
} from "./protocol";
import { checkWorkerOptions } from "./check-options";
import { RestartBackoff } from "./restart-backoff";
import { causeFromThread, errorFromThread } from "./thread-error";

export type { IndexerWorkerOptions, RestartPolicy, WorkerCrash };

export interface IndexerWorkerEvents extends IndexingEvents {
  log: [IndexerLogRecord];
  /**
   * A pass failed (the node down, an RPC error) and is retried, as the thread's Indexer emits it: the error as
   * {@link causeFromThread} re-creates it (of its class, with its fields, its stack in the thread and its causes, every
   * URL cut), and the failed passes in a row and the wait until the next.
   */
  retry: [Error, RetryEvent];
  /**
   * The worker could not start, or died ({@link IndexerWorkerDiedError}) or hung ({@link IndexerWorkerHungError}):
   * both are an {@link IndexerWorkerDownError}, which says whether it is restarted.
   */
  error: [Error];
  /** A worker started again after one died or hung, and indexes on from the database's checkpoint. */
  restarted: [IndexerStatus];
  /** With `once`: the thread indexed up to the head; its final status. The thread then exits. */
  done: [IndexerStatus];
  exit: [number];
}

/**
 * Starts the worker and resolves once its database is initialised and queryable. Rejects when the subgraph, the
 * RPC endpoint or the database cannot be opened, or the thread hangs while it starts ({@link IndexerWorkerHungError}).
 * An aborted `signal` stops the worker (its open is given up) and rejects with {@link StoppedError} once the thread has
 * ended, the database's lock released: the caller has no handle to stop it with. `onLog` hears the indexer's log from
 * the thread's start, the open included (the handle's `log` event, for a listener attached once this resolves, does not).
 */
export async function startIndexerWorker(
  options: IndexerWorkerOptions,
  { signal, onLog }: { signal?: AbortSignal; onLog?: (record: IndexerLogRecord) => void } = {},
): Promise<IndexerWorker> {
  if (signal?.aborted) throw new StoppedError("the indexer worker was stopped before it started");
  const handle = new IndexerWorker(options);
  // Before the thread can post anything: what the indexer logs while it opens (a database it starts over) would reach
  // no listener the caller attached once this resolves.
  if (onLog !== undefined) handle.on("log", onLog);
  const stop = (): void => void handle.stop();
  signal?.addEventListener("abort", stop, { once: true });
  try {
    await handle.ready;
  } catch (error) {
    // Rejected on the thread's exit, but stop() may still be closing what it opened here.
    if (signal?.aborted) await handle.stop();
    throw error;
  } finally {
    signal?.removeEventListener("abort", stop);
  }
  // Aborted as the ready message was handled: the caller asked for no handle.
  if (signal?.aborted) {
    await handle.stop();
    throw new StoppedError("the indexer worker was stopped as it became ready");
  }
  return handle;
}

const DEFAULT_HANG_TIMEOUT_MS = 120_000;

function spawnWorker(options: IndexerWorkerOptions, maxHeapMb: number, processing: SharedArrayBuffer): Worker {
  const isTypeScript = __filename.endsWith(".ts");
  const entry = path.join(__dirname, `worker-main${isTypeScript ? ".ts" : ".js"}`);
  // The restart policy, the watchdog and the heap limit are the handle's; everything else goes to Indexer.open in the
  // thread.
  const { restart: _restart, hangTimeoutMs: _hangTimeoutMs, maxHeapMb: _maxHeapMb, ...forThread } = options;
  const workerData: WorkerData = { ...forThread, processing };
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
 *
 * A worker that is alive but answers no ping for `hangTimeoutMs` (its event loop is stuck: a mapping in an endless
 * loop, a call that never returns) is reported as an `error` event ({@link IndexerWorkerHungError}, naming the block
 * whose handlers it was running), terminated, and restarted like a dead one. The indexer yields to the event loop
 * every 10 ms within a range, so only one block's handlers, or one SQLite statement, can hold it that long. The
 * pings start with the thread, not once it is ready: a restarted worker that hangs while it starts is reported,
 * terminated and restarted the same way, and one that hangs in the first start rejects `ready` (as any other failure
 * to start the first time does: nothing was served yet, and a start that hangs once likely hangs every time).
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
  /** serve() calls not settled yet: stop() waits for them, as each closes the server it bound if stop() came meanwhile. */
  private readonly serving = new Set<Promise<unknown>>();
  /** Why no worker indexes now (it died or hung); null while one runs. */
  private down: IndexerWorkerDownError | null = null;
  private readonly hangTimeoutMs: number;
  private readonly maxHeapMb: number;
  /** Pings the running worker once it is ready; null while none is watched. */
  private watchdog: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  /** When the scheduled restart is due (ms since the epoch); null while none is scheduled. */
  private restartAt: number | null = null;
  /** With `once`: the thread said it is done, and its exit is expected. */
  private finished = false;
  /** A crash() asked for while no thread runs (one is to be restarted): the next thread gets it as it starts. */
  private pendingCrash: WorkerCrash | null = null;
  private readonly backoff: RestartBackoff;
  private resolveReady!: () => void;
  private rejectReady!: (error: Error) => void;

  constructor(private readonly options: IndexerWorkerOptions) {
    super();
    // Before the thread starts: nothing is opened or written for options that are refused.
    checkWorkerOptions(options);
    this.hangTimeoutMs = options.hangTimeoutMs ?? DEFAULT_HANG_TIMEOUT_MS;
    this.maxHeapMb = options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB;
    this.backoff = new RestartBackoff(options.restart || {});
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    this.worker = this.start();
  }

  private start(): Worker {
    // The block whose handlers the thread runs (-1: none), readable while the thread is stuck in them.
    const processing = new BigInt64Array(new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT));
    Atomics.store(processing, 0, -1n);
    const worker = spawnWorker(this.options, this.maxHeapMb, processing.buffer as SharedArrayBuffer);
    this.exited = false;
    this.backoff.started();
    if (this.pendingCrash !== null) {
      const message: MainToWorker = { type: "crash", how: this.pendingCrash };
      worker.postMessage(message);
      this.pendingCrash = null;
    }
    // What the thread said killed it (its "error" message, or the uncaught exception): reported with its exit.
    let cause: { reason: string; name: string; error?: Error } | null = null;
    let hung: IndexerWorkerHungError | null = null;
    // Whether the thread said anything yet (it has loaded its code), and whether it said it is ready.
    let loaded = false;
    let ready = false;
    let lastHeard = Date.now();
    this.exitPromise = new Promise((resolve) => {
      worker.once("exit", (code) => {
        this.exited = true;
        this.stopWatchdog();
        resolve(code);
        let died: IndexerWorkerDiedError | null = null;
        if (this.engine === null) {
          const stopped = this.stopping && cause === null && hung === null;
          this.rejectReady(
            stopped
              ? new StoppedError("the indexer worker was stopped before it was ready")
              : (cause?.error ?? hung ?? new IndexerError(`indexer worker exited with code ${code} before it was ready`)),
          );
        } else if (!this.stopping && !this.finished) {
          // Reported when it was found to hang; its exit is the terminate() that followed.
          if (hung !== null) this.restartAfter(hung.restartInMs);
          else died = this.died(code, cause);
        }
        // Last: a listener that acts at once (reads status(), calls stop() or crash(), throws) finds the handle as this
        // exit left it, and a throw cannot leave the exit half-recorded (stop() waiting for it for ever, no restart).
        this.emit("exit", code);
        if (died !== null) this.report(died);
      });
    });
    if (this.hangTimeoutMs > 0) {
      this.stopWatchdog();
      this.watchdog = setInterval(
        () => {
          const limit = loaded ? this.hangTimeoutMs : Math.max(this.hangTimeoutMs, CODE_LOAD_TIMEOUT_MS);
          if (Date.now() - lastHeard < limit) {
            const ping: MainToWorker = { type: "ping" };
            worker.postMessage(ping);
            return;
          }
          this.stopWatchdog();
          const block = Atomics.load(processing, 0);
          // The first start is not retried: startIndexerWorker rejects with this error (see the class comment).
          const restartInMs = this.engine === null ? null : this.nextRestartDelay(null);
          hung = new IndexerWorkerHungError(this.hangTimeoutMs, block < 0n ? null : Number(block), restartInMs, !ready);
          void worker.terminate();
          if (this.engine !== null) {
            this.markDown(hung);
            this.report(hung);
          }
        },
        Math.min(this.hangTimeoutMs / 4, 5000),
      );
      // The watchdog must not keep a process alive that has nothing else to do.
      this.watchdog.unref();
    }
    worker.on("message", (message: WorkerToMain) => {
      // Any message, not only a pong: the thread's event loop ran.
      lastHeard = Date.now();
      loaded = true;
      switch (message.type) {
        case "ready":
          ready = true;
          this.lastStatus = message.status;
          if (this.engine === null) {
            // Stopped while the message was on its way: the start is rejected (StoppedError) once the thread exits,
            // not resolved with a handle that is already stopped.
            if (this.stopping) break;
            try {
              this.engine = QueryEngine.open(this.options.db);
              this.resolveReady();
            } catch (error) {
              // Rejected once the thread has exited: left running, it would index (and hold the database's lock) for
              // a caller that has no handle to stop it with.
              cause = { reason: (error as Error).message, name: (error as Error).name, error: error as Error };
              void worker.terminate();
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
        case "retry":
          this.emit("retry", causeFromThread(message.error), message.retry);
          break;
        case "log":
          this.emit("log", message.record);
          break;
        case "done":
          this.lastStatus = message.status;
          this.finished = true;
          this.emit("done", message.status);
          break;
        case "error":
          // Of its class (see thread-error.ts): a caller branches on a first start's RpcConnectionError or
          // DatabaseInUseError as on Indexer.open's, and on a died thread's cause.
          cause = {
            reason: message.error.message,
            name: message.error.name,
            error: errorFromThread(message.error, `indexer worker: ${message.error.message}`),
          };
          void worker.terminate();
          break;
        case "started":
        case "stopped":
        case "pong":
          break;
      }
    });
    // A message from the thread that cannot be read here is lost: were it "ready" (or "done"), the caller would wait for
    // it for ever while the thread goes on answering pings. The thread is ended as one that failed.
    worker.on("messageerror", (error) => {
      const reason = `a message from the thread could not be read (${error.message})`;
      cause = { reason, name: error.name, error: new IndexerError(`indexer worker: ${reason}`, { cause: error }) };
      void worker.terminate();
    });
    worker.once("error", (error) => {
      if ((error as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY") {
        error.message += ` (the indexer thread's heap is limited to ${this.maxHeapMb} MB: the maxHeapMb option, the CLI's --max-heap-mb, raises it)`;
      }
      cause = { reason: `${error.name}: ${error.message}`, name: error.name, error };
    });
    return worker;
  }

  /** Records a thread that died: down, and its restart scheduled. The caller reports it, once all is recorded. */
  private died(code: number, cause: { reason: string; name: string; error?: Error } | null): IndexerWorkerDiedError {
    const delay = this.nextRestartDelay(cause?.name ?? null);
    const error = new IndexerWorkerDiedError(code, cause?.reason ?? null, delay, { cause: cause?.error });
    this.markDown(error);
    this.restartAfter(error.restartInMs);
    return error;
  }

  /** How long until the next worker starts, after one died (`cause`: the name of its error) or hung; null: never. */
  private nextRestartDelay(cause: string | null): number | null {
    // A new worker would reset the database to this deployment again, under the indexer that now owns it.
    const terminal = this.options.restart === false || cause === "DeploymentReplacedError";
    return terminal ? null : this.backoff.next();
  }

  private markDown(error: IndexerWorkerDownError): void {
    this.down = error;
    this.engine?.setIndexerDown(error.summary);
  }

  private report(error: IndexerWorkerDownError): void {
    if (this.listenerCount("error") > 0) this.emit("error", error);
  }

  private restartAfter(delay: number | null): void {
    if (delay === null) return;
    this.restartAt = Date.now() + delay;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restartAt = null;
      if (!this.stopping) this.worker = this.start();
    }, delay);
  }

  private stopWatchdog(): void {
    if (this.watchdog !== null) clearInterval(this.watchdog);
    this.watchdog = null;
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

  entityCount(): number {
    return this.requireEngine().entityCount();
  }

  earliestBlock(): number | null {
    return this.requireEngine().earliestBlock();
  }

  /**
   * Status from the database (checkpoint, failure) merged with the worker's view of the head. `indexing` is false,
   * and `indexerError` says why, while no worker runs (it died and is not restarted yet, or not at all): its error's
   * summary, without the restart delay measured at the death, which would be out of date here;
   * `restartAt` is when the next worker is due to start (ms since the epoch; null when none is scheduled, or it is
   * starting).
   */
  status(): QueryStatus & {
    head: number | null;
    lag: number | null;
    synced: boolean;
    indexing: boolean;
    indexerError: string | null;
    restartAt: number | null;
  } {
    const fromDb = this.requireEngine().status();
    const head = this.lastStatus?.head ?? null;
    return {
      ...fromDb,
      head,
      lag: head === null || fromDb.checkpoint === null ? null : Math.max(0, head - fromDb.checkpoint.number),
      synced: this.down === null && (this.lastStatus?.synced ?? false),
      indexing: this.down === null,
      indexerError: this.down?.summary ?? null,
      restartAt: this.down === null ? null : this.restartAt,
    };
  }

  /**
   * Serves the query API over HTTP from this thread (127.0.0.1 by default). Closed by stop(); a stop() while the port
   * is being bound (a host name is looked up first) closes it once bound and rejects with StoppedError, as does a
   * serve() after stop().
   */
  async serve(options: { port?: number; host?: string; name?: string } = {}): Promise<QueryServer> {
    if (this.stopping) throw new StoppedError("the indexer worker is stopped: it serves no queries");
    const bound = startQueryServer({ executor: this, ...options }).then(async (server) => {
      if (!this.stopping) {
        this.servers.add(server);
        return server;
      }
      // stop() has closed the servers it knew of: this one would answer only errors, and keep its port.
      await server.close();
      throw new StoppedError("the indexer worker was stopped while its query server bound its port");
    });
    this.serving.add(bound);
    try {
      return await bound;
    } finally {
      this.serving.delete(bound);
    }
  }

  /**
   * Makes the worker thread fail as a bug in it would: an uncaught exception ("throw"), `process.exit(3)` ("exit"), or
   * an endless loop in the handlers of the next block with events ("hang"; at once in a thread that is still starting).
   * While no thread runs (one is to be restarted), the next one gets it as it starts. For tests; nothing else calls it.
   */
  crash(how: WorkerCrash): void {
    if (this.exited) {
      this.pendingCrash = how;
      return;
    }
    const message: MainToWorker = { type: "crash", how };
    this.worker.postMessage(message);
  }

  /**
   * Stops indexing (after the block in progress), waits for the worker to exit, closes servers and connections. A
   * thread still running after `timeoutMs` is terminated; one inside a native call (a SQLite statement) ends only once
   * the call returns, and this waits for it: the README says why no shorter bound is offered.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    this.stopWatchdog();
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.restartAt = null;
    // Whatever they bound is closed (and what failed to bind is serve()'s caller's to hear of) before stop() resolves.
    await Promise.allSettled([...this.serving]);
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
