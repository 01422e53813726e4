// The embedded indexer as the source: it indexes in one worker thread (so indexing never stalls answers) and
// answers graph-node queries in another, on a read-only SQLite connection (better-sqlite3 is synchronous: in this
// thread, every cache miss would stall every request in flight). It pushes "blocks indexed" to the head watcher,
// so subscriptions react without waiting for a poll.
import type { EventEmitter } from "node:events";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  startIndexerWorker,
  type IndexerLogRecord,
  type IndexerWorker,
  type IndexerWorkerOptions,
} from "../../../subgraph/indexer";
import { IndexerError, IndexerWorkerDownError, StoppedError } from "../../../subgraph/indexer/errors";
import type { IndexerWorkerEvents } from "../../../subgraph/indexer/worker/handle";
import { writeDeploymentManifest } from "../../../subgraph/scripts/manifest";
import { SourceError, SourceInternalError, SourceRequestAbortedError } from "../errors";
import type { Logger } from "../logger";
import { repoRoot } from "../repo-root";
import type { DeploymentRecord } from "./deployment";
import { QueryGivenUpError, QueryWorker, type QueryAnswer } from "./query-worker/query-worker";
import type { IndexerRestart, SourceKind, SourceRequestOptions, SubgraphSource, Variables } from "./source";
import { DirectoryRefusedError, makeWritableDirectory } from "../../../subgraph/indexer/directories";

export interface EmbeddedSourceOptions {
  /** JSON-RPC endpoint the indexer follows. */
  rpcUrl: string;
  /** How long the indexer waits on one request to it (the indexer's rpcTimeoutMs; default 30,000 ms). */
  rpcTimeoutMs?: number;
  deployment: DeploymentRecord;
  /** SQLite database file (created if missing; indexing resumes from it). */
  dbPath: string;
  /** The compiled subgraph (default subgraph/build). */
  subgraphBuildDir?: string;
  /** The indexer's pause between passes at the head (default 1000 ms). */
  pollIntervalMs?: number;
  /** Tuning of the indexer itself (block ranges, WASM instance reuse...), passed through unchanged. */
  tuning?: IndexerTuning;
  /** The clock the time left until a dead indexer thread's restart is read on (default Date.now; tests advance one). */
  now?: () => number;
  logger: Logger;
  /**
   * Aborted while the source starts: its indexer thread's open is given up, what started is stopped, and start()
   * rejects with StoppedError once the database's writer lock is released.
   */
  signal?: AbortSignal;
}

/**
 * The embedded indexer's own knobs the gateway lets through (see subgraph/indexer/README.md). `restart` is also the
 * policy of the query worker thread, so that both threads of the embedded source come back alike.
 */
export type IndexerTuning = Partial<
  Pick<
    IndexerWorkerOptions,
    | "reorgThreshold"
    | "minBlockRange"
    | "maxBlockRange"
    | "initialBlockRange"
    | "commitIntervalMs"
    | "instancePolicy"
    | "restart"
    | "hangTimeoutMs"
    | "maxHeapMb"
  >
>;

const DEFAULT_BUILD_DIR = path.join(repoRoot(), "subgraph", "build");

const LOG_LEVEL: Record<IndexerLogRecord["level"], "error" | "warn" | "info" | "debug"> = {
  critical: "error",
  error: "error",
  warning: "warn",
  info: "info",
  debug: "debug",
};

/**
 * Calls `listener` with the indexed head's number whenever the indexer moves it: at each commit, at the end of a
 * sync, and when a reorganisation rolls the index back to the common ancestor. Without the last, the head watcher
 * would keep the replaced head until the first commit on the new branch (fetched from the RPC first) or its own next
 * poll, and every request meanwhile would pin a head the index no longer serves and have to run twice.
 */
export function onIndexedHead(worker: EventEmitter<IndexerWorkerEvents>, listener: (blockNumber: number) => void): () => void {
  const onProgress = (p: { checkpoint: { number: number } }) => listener(p.checkpoint.number);
  const onSynced = (s: { checkpoint: { number: number } | null }) => {
    if (s.checkpoint !== null) listener(s.checkpoint.number);
  };
  const onReorg = (r: { to: { number: number } }) => listener(r.to.number);
  worker.on("progress", onProgress);
  worker.on("synced", onSynced);
  worker.on("reorg", onReorg);
  return () => {
    worker.off("progress", onProgress);
    worker.off("synced", onSynced);
    worker.off("reorg", onReorg);
  };
}

/**
 * The error a query's answer failed with, or null. A failure of the index's database is told to the client by its
 * SQLite code only: its message ("no such table: ent_Job") names the index's tables and columns, for the operator's
 * log (a SourceInternalError, which formatError logs whole as it answers), not for a dApp.
 */
export function answerFailure(answer: QueryAnswer): SourceError | null {
  if (answer.errors === null || answer.errors.length === 0) return null;
  const first = answer.errors[0] ?? "unknown error";
  const message = `embedded indexer query failed: ${first}`;
  if (answer.databaseFailure === null) return new SourceError(message, `the embedded indexer answered with an error: ${first}`);
  return new SourceInternalError(message, `the embedded indexer's database failed (${answer.databaseFailure})`, answer.databaseFailure);
}

export class EmbeddedSubgraphSource implements SubgraphSource {
  readonly kind: SourceKind = "embedded";

  private constructor(
    /** The indexer's worker thread (its handle restarts it when it dies). */
    readonly worker: IndexerWorker,
    /** The query worker thread (restarted when it dies). */
    readonly queries: QueryWorker,
    private readonly logger: Logger,
    /** Whether the worker's last death or hang is followed by a restart (its IndexerWorkerDownError's restartInMs). */
    private readonly lastDown: { restarts: boolean },
    private readonly now: () => number,
  ) {}

  static async start(options: EmbeddedSourceOptions): Promise<EmbeddedSubgraphSource> {
    const logger = options.logger.child({ component: "indexer" });
    // Not Node's recursive mkdir, which never returns for a directory under /proc: refused, naming it.
    try {
      makeWritableDirectory(path.dirname(path.resolve(options.dbPath)));
    } catch (error) {
      if (!(error instanceof DirectoryRefusedError)) throw error;
      throw new IndexerError(`the embedded indexer cannot be set up: the database ${options.dbPath}'s directory ${error.message}`, { cause: error });
    }
    // The compiled subgraph with this deployment's addresses and start blocks, next to the database.
    const manifestDir = `${path.resolve(options.dbPath)}.subgraph`;
    try {
      writeDeploymentManifest(options.deployment, manifestDir, { buildDir: options.subgraphBuildDir ?? DEFAULT_BUILD_DIR });
    } catch (error) {
      // A record the subgraph cannot be pointed at (a contract missing) or no subgraph build: its message says which,
      // and as an IndexerError the CLI reports it in one line instead of with a stack.
      throw new IndexerError(`the embedded indexer cannot be set up: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const { signal } = options;
    const worker = await startIndexerWorker(
      {
        ...options.tuning,
        subgraph: manifestDir,
        rpc: options.rpcUrl,
        rpcTimeoutMs: options.rpcTimeoutMs,
        db: options.dbPath,
        pollIntervalMs: options.pollIntervalMs,
        logLevel: "info",
      },
      { signal, onLog: (record) => logger[LOG_LEVEL[record.level]](record.message, { source: record.source, block: record.block }) },
    );
    worker.on("failed", (fatal) => logger.error("indexing stopped on a handler error", { error: fatal.message }));
    let queries: QueryWorker;
    try {
      queries = await QueryWorker.start(options.dbPath, options.tuning?.restart ?? {});
    } catch (error) {
      await worker.stop();
      throw error;
    }
    // The query thread starts in moments and cannot be given up: a stop asked for meanwhile is heard here.
    if (signal?.aborted) {
      await queries.stop();
      await worker.stop();
      throw new StoppedError("the embedded indexer was stopped while it started");
    }
    // The handle restarts a worker that died or hung; meanwhile `_meta` (so /readyz and indexingStatus) must not report
    // an index that follows the chain. A worker it does not restart leaves the gateway serving what was indexed, not ready.
    const lastDown = { restarts: false };
    worker.on("error", (error) => {
      logger.error("indexer worker failed", { error });
      if (error instanceof IndexerWorkerDownError) {
        lastDown.restarts = error.restartInMs !== null;
        queries.setIndexerDown(error.summary);
      }
    });
    worker.on("restarted", (status) => {
      queries.setIndexerDown(null);
      logger.info("indexer worker restarted", { block: status.checkpoint?.number ?? null });
    });
    // Requests fail with SOURCE_UNAVAILABLE (and /readyz answers 503) until a new query thread runs.
    // The delay as its own field (null: no new thread), the message saying what happened.
    queries.on("error", (error) => logger.error("query worker failed", { error, restartInMs: error.restartInMs }));
    queries.on("restarted", () => logger.info("query worker restarted"));
    // It may have died while the query worker started.
    const { indexerError } = worker.status();
    if (indexerError !== null) queries.setIndexerDown(indexerError);
    return new EmbeddedSubgraphSource(worker, queries, logger, lastDown, options.now ?? Date.now);
  }

  async request<TData>(query: string, variables: Variables = {}, options: SourceRequestOptions = {}): Promise<TData> {
    let result;
    try {
      result = await this.queries.query(query, variables, options.signal);
    } catch (error) {
      if (error instanceof QueryGivenUpError) throw new SourceRequestAbortedError("the embedded indexer query", { cause: error });
      throw new SourceError("embedded indexer query failed", "the embedded indexer cannot answer", { cause: error });
    }
    const failure = answerFailure(result);
    if (failure !== null) throw failure;
    if (result.data === undefined || result.data === null) {
      throw new SourceError("embedded indexer returned no data", "the embedded indexer returned no data");
    }
    return result.data as TData;
  }

  onIndexed(listener: (blockNumber: number) => void): () => void {
    return onIndexedHead(this.worker, listener);
  }

  chainHead(): number | null {
    try {
      return this.worker.status().head;
    } catch {
      return null;
    }
  }

  indexerDown(): string | null {
    try {
      return this.worker.status().indexerError;
    } catch {
      // Stopped: no engine to read the status from.
      return null;
    }
  }

  failedBlock(): number | null {
    try {
      return this.worker.status().fatalError?.blockNumber ?? null;
    } catch {
      // Stopped: no engine to read the status from.
      return null;
    }
  }

  indexerRestart(): IndexerRestart | null {
    let status;
    try {
      status = this.worker.status();
    } catch {
      return null;
    }
    if (status.indexerError === null) return null;
    if (status.restartAt !== null) return { reason: status.indexerError, inMs: Math.max(0, status.restartAt - this.now()) };
    // No restart scheduled: the new thread is starting, or none is to be.
    return this.lastDown.restarts ? { reason: status.indexerError, inMs: 0 } : null;
  }

  async close(): Promise<void> {
    await this.queries.stop();
    await this.worker.stop();
    this.logger.debug("indexer stopped");
  }
}
