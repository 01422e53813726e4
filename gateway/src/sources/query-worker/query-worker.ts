// The gateway side of the query worker thread: requests go out as messages and come back as promises. A thread that
// dies is started again, so that one bug or out-of-memory in it does not leave the gateway unable to answer for good.
import { EventEmitter } from "node:events";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { RestartBackoff, type RestartPolicy } from "../../../../subgraph/indexer";
import { checkRestartPolicy } from "../../../../subgraph/indexer/worker/check-options";
import type { FromQueryWorker, QueryWorkerData, ToQueryWorker } from "./protocol";

export interface QueryAnswer {
  data: unknown;
  errors: string[] | null;
  /** The SQLite error code where the database failed (its messages are the index's internals), else null. */
  databaseFailure: string | null;
}

interface Pending {
  resolve: (answer: QueryAnswer) => void;
  reject: (error: Error) => void;
}

/**
 * The query worker thread died once it was ready, or a new one could not start; `restartInMs` says when a new one is
 * started. The delay is a field, not in the message: the message stays true however late it is read (a log line, a
 * status), and a caller that acts on the delay reads the number instead of parsing it out.
 */
export class QueryWorkerDiedError extends Error {
  constructor(
    readonly code: number | null,
    readonly reason: string | null,
    /** When a new thread is started, or null: never (the restart policy is false). */
    readonly restartInMs: number | null,
    options?: { cause?: unknown },
  ) {
    const how = code === null ? "could not start again" : `died (exit code ${code})`;
    const never = restartInMs === null ? "; it is not restarted" : "";
    super(`the query worker thread ${how}${reason === null ? "" : `: ${reason}`}${never}`, options);
    this.name = "QueryWorkerDiedError";
  }
}

/** A query whose signal aborted before its answer came: the caller stopped waiting, and the thread skips it if it has not started it. */
export class QueryGivenUpError extends Error {
  constructor() {
    super("the query was given up before the query worker answered it");
    this.name = "QueryGivenUpError";
  }
}

export interface QueryWorkerEvents {
  /** The thread died, or a new one could not start. */
  error: [QueryWorkerDiedError];
  /** A new thread answers again after one died. */
  restarted: [];
  /** The thread dropped a query given up before it started it: it never ran. */
  skipped: [];
}

function spawn(dbPath: string): Worker {
  const entry = path.join(__dirname, `query-worker-main${__filename.endsWith(".ts") ? ".ts" : ".js"}`);
  const data: QueryWorkerData = { dbPath };
  // Under ts-node (tests, `npm run gateway`) the thread registers ts-node itself: require hooks are per thread.
  return __filename.endsWith(".ts")
    ? new Worker(
        `require(${JSON.stringify(require.resolve("ts-node"))}).register({ transpileOnly: true, projectSearchDir: ${JSON.stringify(__dirname)} });\nrequire(${JSON.stringify(entry)});`,
        { eval: true, workerData: data },
      )
    : new Worker(entry, { workerData: data });
}

/** Resolves once a new thread can answer; rejects when it cannot open the database (the thread then exits). */
function whenReady(worker: Worker): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onMessage = (message: FromQueryWorker) => {
      if (message.type === "ready") {
        worker.off("message", onMessage);
        resolve();
      } else if (message.type === "error") {
        reject(new Error(`query worker: ${message.message}`));
      }
    };
    worker.on("message", onMessage);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`query worker exited with code ${code} before it was ready`)));
  });
}

/**
 * A thread that dies once it was ready (a bug, out of memory, `process.exit`) fails the requests in flight, is
 * reported as an `error` event ({@link QueryWorkerDiedError}) and is started again after `initialDelayMs`, doubling
 * up to `maxDelayMs` while it keeps dying (the indexer worker's policy), unless the policy is false. Until a new
 * thread is ready, requests fail at once.
 */
export class QueryWorker extends EventEmitter<QueryWorkerEvents> {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** The thread that answers; null while none does. */
  private worker: Worker | null = null;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  /** A new thread being started: stop() waits for it, then stops it. */
  private restarting: Promise<void> | null = null;
  private readonly backoff: RestartBackoff;
  /** The last setIndexerDown, which a new thread must be told too. */
  private indexerDown: string | null = null;

  private constructor(
    private readonly dbPath: string,
    worker: Worker,
    private readonly restart: RestartPolicy | false,
  ) {
    super();
    this.backoff = new RestartBackoff(restart || {});
    this.attach(worker);
  }

  /**
   * Starts the thread on `dbPath` (which an indexer must have initialised) and waits until it can answer. A restart
   * policy RestartBackoff could not honour is refused first, as the indexer's worker handle refuses it (an
   * IndexerOptionError naming `restart.<delay>`): a 0 delay would start a thread that dies as it starts with no pause.
   */
  static async start(dbPath: string, restart: RestartPolicy | false = {}): Promise<QueryWorker> {
    checkRestartPolicy(restart);
    const worker = spawn(dbPath);
    await whenReady(worker);
    return new QueryWorker(dbPath, worker, restart);
  }

  private attach(worker: Worker): void {
    this.worker = worker;
    this.backoff.started();
    let cause: Error | null = null;
    worker.on("message", (message: FromQueryWorker) => {
      if (message.type === "skipped") this.emit("skipped");
      if (message.type !== "result" && message.type !== "failed") return;
      const waiting = this.pending.get(message.id);
      if (waiting === undefined) return;
      this.pending.delete(message.id);
      if (message.type === "result") waiting.resolve({ data: message.data, errors: message.errors, databaseFailure: message.databaseFailure });
      else waiting.reject(new Error(message.message));
    });
    worker.once("error", (error) => {
      cause = error;
    });
    worker.once("exit", (code) => {
      this.worker = null;
      for (const waiting of this.pending.values()) waiting.reject(new Error("the query worker stopped"));
      this.pending.clear();
      if (!this.stopping) this.died(code, cause);
    });
  }

  private died(code: number | null, cause: Error | null): void {
    const delay = this.restart === false ? null : this.backoff.next();
    const reason = cause === null ? null : `${cause.name}: ${cause.message}`;
    const error = new QueryWorkerDiedError(code, reason, delay, cause === null ? undefined : { cause });
    if (this.listenerCount("error") > 0) this.emit("error", error);
    if (delay === null) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping) this.restarting = this.respawn().finally(() => (this.restarting = null));
    }, delay);
  }

  private async respawn(): Promise<void> {
    const worker = spawn(this.dbPath);
    this.backoff.started();
    try {
      await whenReady(worker);
    } catch (error) {
      // Counts as one more death: the next try waits longer.
      if (!this.stopping) this.died(null, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.attach(worker);
    if (this.stopping) return;
    if (this.indexerDown !== null) this.post({ type: "indexerDown", reason: this.indexerDown });
    this.emit("restarted");
  }

  private post(message: ToQueryWorker): void {
    this.worker?.postMessage(message);
  }

  /** Whether a thread runs now (false while one that died is not restarted yet). */
  get running(): boolean {
    return this.worker !== null;
  }

  /**
   * `signal`: once it aborts, the query rejects with {@link QueryGivenUpError} at once, and the thread is told to skip
   * it if it has not started it (one it runs cannot be interrupted: better-sqlite3 is synchronous).
   */
  query(query: string, variables: Record<string, unknown>, signal?: AbortSignal): Promise<QueryAnswer> {
    const worker = this.worker;
    if (worker === null) return Promise.reject(new Error("no query worker thread runs (it died and is not restarted yet)"));
    if (signal?.aborted === true) return Promise.reject(new QueryGivenUpError());
    const id = this.nextId++;
    return new Promise<QueryAnswer>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.delete(id)) return;
        // The thread that was sent it, not a restarted one: a new thread never heard of it.
        if (this.worker === worker) this.post({ type: "cancel", id });
        reject(new QueryGivenUpError());
      };
      const settled = () => signal?.removeEventListener("abort", onAbort);
      this.pending.set(id, {
        resolve: (answer) => {
          settled();
          resolve(answer);
        },
        reject: (error) => {
          settled();
          reject(error);
        },
      });
      signal?.addEventListener("abort", onAbort, { once: true });
      const message: ToQueryWorker = { type: "query", id, query, variables };
      worker.postMessage(message);
    });
  }

  /** Whether an indexer indexes the database: while one does not (null: again does), `_meta` reports indexing errors. */
  setIndexerDown(reason: string | null): void {
    this.indexerDown = reason;
    this.post({ type: "indexerDown", reason });
  }

  /**
   * Makes the thread die as a bug in it would: an uncaught exception ("throw") or `process.exit(3)` ("exit").
   * For tests of what follows a death; nothing else calls it.
   */
  crash(how: "throw" | "exit"): void {
    this.post({ type: "crash", how });
  }

  /**
   * Blocks the thread, as a long synchronous query would, until the function returned is called: what is sent to it
   * meanwhile waits in its queue. For tests of what is queued; nothing else calls it.
   */
  hold(): () => void {
    const gate = new SharedArrayBuffer(4);
    this.post({ type: "hold", gate });
    return () => {
      const view = new Int32Array(gate);
      Atomics.store(view, 0, 1);
      Atomics.notify(view, 0);
    };
  }

  /** Stops the thread; a restart that is pending does not happen, one under way is stopped once it is ready. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    await this.restarting;
    const worker = this.worker;
    if (worker === null) return;
    const exit = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    this.post({ type: "stop" });
    const timer = setTimeout(() => void worker.terminate(), 5_000);
    await exit;
    clearTimeout(timer);
  }
}
