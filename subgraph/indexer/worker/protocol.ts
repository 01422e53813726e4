// Messages between an indexer worker thread and the thread that started it. Everything is structured-clone
// friendly (no functions, no class instances).
import type { IndexerLogRecord, IndexerOptions, IndexerStatus, ProgressEvent, ReorgEvent, RetryEvent } from "../indexer";
import type { FatalError } from "../store/database";
import type { ThreadErrorData } from "./thread-error";

/**
 * IndexerOptions that can cross a thread boundary: the RPC must be a URL, the logger is replaced by events, and
 * the worker keeps the real clock.
 */
export type IndexerWorkerOptions = Omit<IndexerOptions, "rpc" | "logger" | "now"> & {
  rpc: string;
  /** Forward mapping/indexer log records at or above this level as "log" events (default "info"). */
  logLevel?: IndexerLogRecord["level"];
  /** How a worker that died is started again (default: after 1 s, doubling up to 60 s); false: it is not. */
  restart?: RestartPolicy | false;
  /**
   * A worker that answers nothing for this long (a mapping in an endless loop, a blocked call), from its start on, is
   * terminated and restarted as a dead one is (default 120,000 ms, far above the longest block seen; 0: never;
   * otherwise whole milliseconds from 1,000, see WORKER_OPTION_RULES). Until
   * its code is loaded (its first message) it gets at least {@link CODE_LOAD_TIMEOUT_MS}.
   */
  hangTimeoutMs?: number;
  /**
   * The thread's JavaScript heap limit in whole MB, at least 5 (V8's old generation; default
   * {@link DEFAULT_MAX_HEAP_MB}). Under 2 GB,
   * V8 lets a heap grow to 1.3-2 times what is live before a full collection, and to 4 times above: uncapped, the
   * benchmark's indexer reached 750 MB for ~160 MB live. A thread that needs more dies out of memory, saying so.
   */
  maxHeapMb?: number;
  /**
   * Index up to the head once (Indexer.syncOnce), then end: the `done` event gives the final status, and the thread
   * exits without being restarted.
   */
  once?: boolean;
};

export const DEFAULT_MAX_HEAP_MB = 1024;

/**
 * The least time a thread gets to load its code before it says anything: ts-node compiles it in tests and under
 * `npm run indexer` (1.5-2.5 s on a loaded 2-core machine), which a short hangTimeoutMs must not take for a hang.
 */
export const CODE_LOAD_TIMEOUT_MS = 30_000;

/** What the thread gets: its options, and where it writes the block whose handlers run (-1: none). */
export type WorkerData = Omit<IndexerWorkerOptions, "restart" | "hangTimeoutMs" | "maxHeapMb"> & { processing: SharedArrayBuffer };

/** How a worker that died is restarted: after `initialDelayMs`, doubling up to `maxDelayMs` while it keeps dying. */
export interface RestartPolicy {
  /** Default 1000 ms, or `maxDelayMs` where that is given and less. At least 1 (RESTART_POLICY_RULES). */
  initialDelayMs?: number;
  /**
   * Default 60,000 ms, or `initialDelayMs` where that is given and more; not below `initialDelayMs` given with it. A
   * worker that ran this long before it died is restarted after `initialDelayMs` again.
   */
  maxDelayMs?: number;
}

/**
 * The ways IndexerWorker.crash() makes the worker thread fail: an uncaught exception, `process.exit(3)`, or an
 * endless loop in the next block's handlers ("hang"; at once in a thread that is still starting).
 */
export type WorkerCrash = "throw" | "exit" | "hang";

export type WorkerToMain =
  | { type: "started" }
  | { type: "ready"; status: IndexerStatus }
  | { type: "progress"; progress: ProgressEvent; status: IndexerStatus }
  | { type: "head"; head: number }
  | { type: "synced"; status: IndexerStatus }
  | { type: "failed"; fatalError: FatalError; status: IndexerStatus }
  | { type: "reorg"; reorg: ReorgEvent; status: IndexerStatus }
  | { type: "retry"; error: ThreadErrorData; retry: RetryEvent }
  | { type: "log"; record: IndexerLogRecord }
  | { type: "error"; error: ThreadErrorData }
  | { type: "done"; status: IndexerStatus }
  | { type: "stopped" }
  | { type: "pong" };

export type MainToWorker = { type: "stop" } | { type: "crash"; how: WorkerCrash } | { type: "ping" };
