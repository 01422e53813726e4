// The indexing loop: follows the chain from the checkpoint to the head in adaptive eth_getLogs ranges, runs the
// mappings, and commits entity versions together with the checkpoint, several blocks per SQLite transaction.
//
//  - Below `head - reorgThreshold` blocks are final: only blocks with logs (and each range's end) are fetched.
//  - Within the threshold every header is fetched and each block's parent hash must match the stored hash of
//    its predecessor; the checkpoint's hash is re-checked on every pass. A mismatch walks back over the stored
//    hashes to the common ancestor, reverts all versions above it and indexes the new branch.
//  - A handler failure discards the failing block's writes, moves the checkpoint onto that block with the error and
//    stops advancing (graph-node's deterministic failure). Only a reorg that replaces the failed block revives it.
//  - The database always sits at a block boundary: a crash loses at most the uncommitted blocks.
import { EventEmitter } from "node:events";
import {
  ConcurrentIndexerError,
  DeploymentReplacedError,
  HandlerError,
  InconsistentChainDataError,
  IndexerError,
  IndexerOptionError,
  OpenAbortedError,
  RangeTooLargeError,
  RateLimitedError,
  ReorgTooDeepError,
  RpcAbortedError,
  RpcError,
  RpcUnavailableError,
} from "./errors";
import { loadSubgraph, type SubgraphBuild } from "./manifest";
import { ChainFetcher, RangeSizer } from "./chain/fetcher";
import { Eip1193Rpc, HttpRpc, type Eip1193Provider, type RpcTransport } from "./chain/rpc";
import { ScopedRpc } from "./chain/scoped-rpc";
import { ZERO_HASH, type BlockHeader, type FetchedRange } from "./chain/types";
import { IndexerDatabase, type BlockPointer, type FatalError } from "./store/database";
import { EntityStore } from "./store/entity-store";
import { EntityCache } from "./store/entity-cache";
import { WriterLock } from "./store/writer-lock";
import { DEFAULT_STATISTICS_POLICY, PlannerStatistics, type StatisticsPolicy } from "./store/statistics";
import { BlockProcessor, BlockWriteError, logFilterFor } from "./processor";
import { DEFAULT_INSTANCE_POLICY, type InstancePolicy } from "./runtime/mapping";
import type { MappingLogRecord } from "./runtime/host";
import { PassFailures } from "./pass-failures";
import { unlessAborted } from "./abortable";
import { Recurring, seconds } from "./recurring";
import { redactUrlsIn } from "./redact";
import { urlFree } from "./redact-error";
import { checkUrlForm, UrlFormError } from "./url-form";
import {
  blockRangeConflict,
  checkOption,
  DEFAULT_INITIAL_BLOCK_RANGE,
  DEFAULT_MAX_BLOCK_RANGE,
  DEFAULT_MIN_BLOCK_RANGE,
  NESTED_OPTION_RULES,
  OPTION_RULES,
  refuseConflict,
  type NumberRule,
  type NumericOption,
} from "./option-rules";

/** Blocks within this distance of the head are checked for reorgs unless `reorgThreshold` says otherwise. */
export const DEFAULT_REORG_THRESHOLD = 50;

/**
 * A rate-limited node that named no wait: 250 ms, doubled after each refusal in a row up to 30 s (ethers starts its
 * 429 backoff at 250 ms, graph-node caps its retries' at 30 s).
 */
const RATE_LIMIT_BACKOFF_MS = 250;
const RATE_LIMIT_MAX_BACKOFF_MS = 30_000;
/** Rate-limited answers to one range in a row before the pass fails (run() then waits the backoff before the next). */
const RATE_LIMIT_RETRIES = 5;

export interface IndexerOptions {
  /** A subgraph build directory (what `graph build` writes) or a subgraph directory containing `build/`. */
  subgraph: string;
  /** JSON-RPC endpoint URL, an in-process EIP-1193 provider, or a ready transport. */
  rpc: string | Eip1193Provider | RpcTransport;
  /** SQLite database file (created if missing). */
  db: string;
  /**
   * Hold `<db>.lock` while open, so that a second indexer on the file is refused with DatabaseInUseError (default
   * true). Without it only the checkpoint check of each commit keeps a second writer out (ConcurrentIndexerError).
   */
  lock?: boolean;
  /** Blocks within this distance of the head are checked for reorgs (default 50). */
  reorgThreshold?: number;
  /** Pause between passes once at the head, in `run()` (default 1000 ms). */
  pollIntervalMs?: number;
  /**
   * Bounds of the adaptive eth_getLogs range (defaults 1 .. 10,000 blocks, starting at 100). A range of
   * minBlockRange blocks that the node refuses fails the pass (run() retries it after pollIntervalMs).
   */
  minBlockRange?: number;
  maxBlockRange?: number;
  initialBlockRange?: number;
  /**
   * Commit at the end of each fetched range and, within one, every commitIntervalMs (default 1000 ms; 0: after
   * every block; Infinity: at range ends only).
   */
  commitIntervalMs?: number;
  /** Block ranges fetched ahead of the one being processed: a whole number, at least 1 (default 2). */
  prefetchRanges?: number;
  /** HTTP JSON-RPC only: request timeout and rate limit (lowered while the node answers with rate limits, see HttpRpc). */
  rpcTimeoutMs?: number;
  maxRequestsPerSecond?: number;
  /** WASM instance reuse; see runtime/mapping.ts. */
  instancePolicy?: Partial<InstancePolicy>;
  /** run(): when the query planner's statistics are refreshed at the head; see store/statistics.ts. */
  statistics?: Partial<StatisticsPolicy>;
  /** Receives indexer and mapping log records. Default: nothing is printed. */
  logger?: (record: IndexerLogRecord) => void;
  /**
   * Milliseconds clock that schedules commits (commitIntervalMs), the progress rates and the planner statistics
   * (default Date.now). Tests pass a fake one to make the commit schedule independent of the machine's speed.
   */
  now?: () => number;
}

export interface IndexerLogRecord {
  level: "critical" | "error" | "warning" | "info" | "debug";
  message: string;
  source: "indexer" | "mapping";
  dataSource?: string;
  handler?: string | null;
  block?: number | null;
}

export interface IndexerStatus {
  deployment: string;
  network: string;
  chainId: string;
  checkpoint: BlockPointer | null;
  head: number | null;
  lag: number | null;
  failed: boolean;
  fatalError: FatalError | null;
  /** True when the last pass reached the head it saw. */
  synced: boolean;
}

export interface ProgressEvent {
  checkpoint: BlockPointer;
  head: number;
  lag: number;
  blocksPerSecond: number;
  eventsPerSecond: number;
  totalEvents: number;
  totalBlocks: number;
}

export interface ReorgEvent {
  from: BlockPointer;
  to: BlockPointer;
}

/** What the `retry` event says of a failed pass of run(), besides its error. */
export interface RetryEvent {
  /** The failed passes in a row, this one included: 1 for the first since run() began or a pass last succeeded. */
  attempt: number;
  /** How long until the next pass: pollIntervalMs, or longer where the node asked to wait (rate limit, 503). */
  delayMs: number;
}

/**
 * The events the in-process Indexer and the worker thread's handle (worker/handle.ts) both emit, with the same
 * arguments.
 */
export interface IndexingEvents {
  progress: [ProgressEvent];
  head: [number];
  synced: [IndexerStatus];
  failed: [FatalError];
  reorg: [ReorgEvent];
}

/** The in-process Indexer's events. */
export interface IndexerEvents extends IndexingEvents {
  /**
   * run(): a pass failed and is retried. Its error as thrown where it is an RpcError, otherwise a copy with every URL
   * cut (urlFree); `unknown`, as a transport passed in ready-made may throw what it likes. The thread's handle
   * re-creates it as an Error.
   */
  retry: [unknown, RetryEvent];
  /** A block's handlers start (its number), and are done (null): blocks with events only. */
  block: [number | null];
}

export interface OpenOptions {
  /**
   * Aborted, it gives the open up at once (a stop asked for while it opens): its reads through the transport end, and
   * their waits with them (a rate limit's Retry-After would hold them for up to a minute), and open rejects with
   * OpenAbortedError, leaving the database and its writer lock released.
   */
  signal?: AbortSignal;
}

export interface SyncOptions {
  /** Stop at this block even if the chain is longer (e.g. to restart mid-sync in tests). */
  toBlock?: number;
}

class ReorgDetected extends IndexerError {}

interface InFlightRange {
  readonly from: number;
  readonly to: number;
  readonly promise: Promise<FetchedRange>;
  /**
   * Ends the range's requests (they reject with RpcAbortedError, which no one hears): a range the pass no longer wants
   * would otherwise keep a slow node busy, and a socket open, until its timeout, once for every range asked again smaller.
   */
  abandon(): void;
}

function pointer(h: BlockHeader): BlockPointer {
  return { number: h.number, hash: h.hash, timestamp: h.timestamp, parentHash: h.parentHash };
}

/** The indexer's view of its transport: a ready transport passed in is the caller's, which its stop must not abort. */
function transport(options: IndexerOptions): ScopedRpc {
  const rpc = options.rpc;
  if (typeof rpc === "string") {
    const http = new HttpRpc(rpc, {
      timeoutMs: options.rpcTimeoutMs,
      maxRequestsPerSecond: options.maxRequestsPerSecond,
      logger: (level, message) => options.logger?.({ level, message, source: "indexer" }),
    });
    return new ScopedRpc(http, true);
  }
  if ("batch" in rpc && typeof rpc.batch === "function") return new ScopedRpc(rpc, false);
  return new ScopedRpc(new Eip1193Rpc(rpc as Eip1193Provider), true);
}

function openAborted(options: IndexerOptions): OpenAbortedError {
  return new OpenAbortedError(`the indexer of ${options.db} was stopped while it opened`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Refuses option values the loop cannot honour, before anything is opened. */
function validateOptions(options: IndexerOptions): void {
  for (const [name, rule] of Object.entries(OPTION_RULES) as Array<[NumericOption, NumberRule]>) checkOption(name, rule, options[name]);
  for (const [name, fields] of Object.entries(NESTED_OPTION_RULES) as Array<[keyof typeof NESTED_OPTION_RULES, Record<string, NumberRule>]>) {
    const given: Readonly<Record<string, unknown>> | undefined = options[name];
    if (given === undefined) continue;
    for (const [field, rule] of Object.entries(fields)) checkOption(`${name}.${field}`, rule, given[field]);
  }
  // A URL the HTTP transport could not use, refused like the other options (HttpRpc's own UrlFormError would cross the
  // worker thread as a bare IndexerError), quoting nothing after its scheme.
  if (typeof options.rpc === "string") {
    try {
      checkUrlForm(options.rpc, ["http", "https"]);
    } catch (error) {
      if (error instanceof UrlFormError) throw new IndexerOptionError("rpc", undefined, `rpc ${error.message}`);
      throw error;
    }
  }
  refuseConflict(blockRangeConflict(options));
}

/**
 * Indexing starts just before the earliest start block, so that the checkpoint is always a real block; graph-node's
 * earliest queryable block is that one too.
 */
function earliestBlock(build: SubgraphBuild): number {
  return Math.max(Math.min(...build.dataSources.map((d) => d.startBlock)) - 1, 0);
}

async function firstCheckpoint(fetcher: ChainFetcher, earliest: number): Promise<BlockHeader> {
  const header = await fetcher.header(earliest);
  if (header === null) throw new RpcError(`block ${earliest} does not exist yet`, "eth_getBlockByNumber");
  return header;
}

export class Indexer extends EventEmitter<IndexerEvents> {
  private checkpointPtr: BlockPointer;
  private fatal: FatalError | null;
  /** The failure of a reorg deeper than the threshold, once found: its block is gone for good, no need to look again. */
  private deepReorg: FatalError | null = null;
  private head: number | null = null;
  private synced = false;
  private stopping = false;
  private closed = false;
  private lock: WriterLock | null = null;
  private running: Promise<void> | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  private inTransaction = false;
  private lastCommit: number;
  private readonly now: () => number;
  private readonly sizer: RangeSizer;
  private readonly reorgThreshold: number;
  private readonly commitIntervalMs: number;
  private readonly prefetch: number;
  private statistics: PlannerStatistics;
  private rate: { since: number; blocks: number; events: number };
  private totals = { blocks: 0, events: 0 };
  /** The node's head below the checkpoint, pass after pass: logged when it begins, once a minute, when it ends. */
  private readonly lag: Recurring;
  /** Rate-limited answers in a row, for the backoff. */
  private rateLimits = 0;
  /** Waits that stop() cuts short. */
  private readonly sleepers = new Set<() => void>();

  private constructor(
    readonly build: SubgraphBuild,
    readonly db: IndexerDatabase,
    private deploymentId: string,
    private chain: string,
    private readonly fetcher: ChainFetcher,
    private readonly rpc: ScopedRpc,
    private readonly processor: BlockProcessor,
    private readonly options: IndexerOptions,
    checkpoint: BlockPointer,
  ) {
    super();
    this.checkpointPtr = checkpoint;
    this.fatal = db.fatalError();
    this.reorgThreshold = options.reorgThreshold ?? DEFAULT_REORG_THRESHOLD;
    this.now = options.now ?? Date.now;
    this.lastCommit = this.now();
    this.lag = new Recurring(this.now);
    this.rate = { since: this.now(), blocks: 0, events: 0 };
    this.commitIntervalMs = options.commitIntervalMs ?? 1000;
    this.prefetch = options.prefetchRanges ?? 2;
    this.statistics = new PlannerStatistics(db, { ...DEFAULT_STATISTICS_POLICY, ...options.statistics }, this.now);
    this.sizer = new RangeSizer(
      options.minBlockRange ?? DEFAULT_MIN_BLOCK_RANGE,
      options.maxBlockRange ?? DEFAULT_MAX_BLOCK_RANGE,
      options.initialBlockRange ?? DEFAULT_INITIAL_BLOCK_RANGE,
    );
  }

  /**
   * Loads the subgraph, connects to the chain and opens (or creates) the database. A database that belongs to
   * another chain or another build of the subgraph is wiped first. An aborted `signal` gives it up (OpenAbortedError).
   */
  static async open(options: IndexerOptions, { signal }: OpenOptions = {}): Promise<Indexer> {
    validateOptions(options);
    if (signal?.aborted) throw openAborted(options);
    const build = loadSubgraph(options.subgraph);
    // Before the database is opened: one of another build would wipe the index of the indexer that holds it.
    const lock = options.lock === false || options.db === ":memory:" || options.db === "" ? null : WriterLock.acquire(options.db);
    try {
      const indexer = await Indexer.openLocked(options, build, signal);
      indexer.lock = lock;
      // Aborted after the last read, before the caller heard of the open: the caller stops, and has no indexer to close.
      if (signal?.aborted) {
        await indexer.close();
        throw openAborted(options);
      }
      return indexer;
    } catch (error) {
      lock?.release();
      throw error;
    }
  }

  private static async openLocked(options: IndexerOptions, build: SubgraphBuild, signal: AbortSignal | undefined): Promise<Indexer> {
    const rpc = transport(options);
    const fetcher = new ChainFetcher(rpc, logFilterFor(build));
    const abort = (): void => rpc.abort();
    signal?.addEventListener("abort", abort, { once: true });
    try {
      return await Indexer.openWith(options, build, rpc, fetcher, (read) => (signal === undefined ? read : unlessAborted(read, signal, () => openAborted(options))));
    } catch (error) {
      // No indexer will close it. A read begun after the signal's abort (which ends only those begun before it) would
      // go on, with its timeout and its socket, for an open that gave up. Closes the transport only if the indexer
      // created it: one the caller passed in stays usable.
      rpc.close();
      throw error;
    } finally {
      signal?.removeEventListener("abort", abort);
    }
  }

  /** `read` passes each read through the transport: it rejects with OpenAbortedError once the open is given up. */
  private static async openWith(
    options: IndexerOptions,
    build: SubgraphBuild,
    rpc: ScopedRpc,
    fetcher: ChainFetcher,
    read: <T>(promise: Promise<T>) => Promise<T>,
  ): Promise<Indexer> {
    const chainId = await read(fetcher.chainId());
    const genesis = await read(fetcher.header(0));
    if (genesis === null) throw new RpcError("the node has no genesis block", "eth_getBlockByNumber");
    const db = IndexerDatabase.open(options.db);
    try {
      const { reset, deployment } = db.initialise(
        { chainId, genesisHash: genesis.hash, buildHash: build.buildHash, network: build.network },
        build.schema,
      );
      const log = options.logger ?? (() => undefined);
      if (reset) {
        log({ level: "warning", source: "indexer", message: `database ${options.db} belonged to another chain or subgraph build: starting over` });
      }
      // Set on every open: a database of an older indexer lacks it.
      const earliest = earliestBlock(build);
      if (db.earliestBlock() !== earliest) db.setEarliestBlock(earliest);
      let checkpoint = db.checkpoint();
      if (checkpoint === null) {
        checkpoint = pointer(await read(firstCheckpoint(fetcher, earliest)));
        db.transaction(() => {
          db.setCheckpoint(checkpoint!);
          db.recordBlock(checkpoint!, false);
        });
      }
      const store = new EntityStore(db.db, build.schema);
      const cache = new EntityCache(store, build.schema);
      const policy: InstancePolicy = { ...DEFAULT_INSTANCE_POLICY, ...options.instancePolicy };
      const processor = new BlockProcessor(
        build,
        cache,
        policy,
        (record: MappingLogRecord) =>
          log({ level: record.level, message: record.message, source: "mapping", dataSource: record.dataSource, handler: record.handler, block: record.block }),
        (l, h, error) =>
          log({
            level: "debug",
            source: "indexer",
            message: `skipped log ${l.logIndex} of block ${l.blockNumber}: it does not decode as ${h.event} (${(error as Error).message})`,
          }),
      );
      return new Indexer(build, db, deployment, chainId, fetcher, rpc, processor, options, checkpoint);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** The database's deployment id: it changes when the chain is restarted under the indexer (a new genesis). */
  get deployment(): string {
    return this.deploymentId;
  }

  get chainId(): string {
    return this.chain;
  }

  private log(level: IndexerLogRecord["level"], message: string): void {
    this.options.logger?.({ level, message, source: "indexer" });
  }

  /**
   * Emits an event to its listeners, whose throw is theirs, not the indexer's: thrown through emit() it would fail the
   * pass that emitted it (a `synced` listener's), or end run() from its catch (a `retry` listener's). Logged instead.
   */
  private notify<K extends keyof IndexerEvents>(event: K, ...args: IndexerEvents[K]): void {
    try {
      // emit()'s argument type is a conditional type TypeScript does not resolve for a generic K.
      (this.emit as (event: K, ...args: IndexerEvents[K]) => boolean).call(this, event, ...args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log("error", `a listener of the indexer's "${event}" event threw: ${redactUrlsIn(message)}`);
    }
  }

  status(): IndexerStatus {
    return {
      deployment: this.deployment,
      network: this.build.network,
      chainId: this.chainId,
      checkpoint: this.checkpointPtr,
      head: this.head,
      lag: this.head === null ? null : Math.max(0, this.head - this.checkpointPtr.number),
      failed: this.fatal !== null,
      fatalError: this.fatal,
      synced: this.synced,
    };
  }

  /** Indexes up to the head seen at the start of the pass (or `toBlock`), then resolves with the status. */
  syncOnce(options: SyncOptions = {}): Promise<IndexerStatus> {
    const pass = this.pass();
    const current = pass
      .then(() => this.sync(options))
      .catch((error: unknown) => {
        // A request stop() gave up (see stop): the pass ends where it was, as one stopped between two blocks does,
        // at the last block committed; nothing failed.
        if (this.stopping && error instanceof RpcAbortedError) return this.status();
        throw error;
      });
    this.inFlight = current.then(
      () => undefined,
      () => undefined,
    );
    return current;
  }

  /** Resolves when no pass is in flight (passes never overlap: they share one transaction). */
  private pass(): Promise<void> {
    return this.inFlight;
  }

  private async sync(options: SyncOptions): Promise<IndexerStatus> {
    this.synced = false;
    this.checkDeployment();
    const head = await this.fetcher.headNumber();
    this.head = head;
    this.notify("head", head);
    if (this.fatal !== null) {
      // A deterministic failure holds only while its block is on the chain: a reorg that replaced the failing block
      // gives the subgraph a new chance, as in graph-node. Nothing is run again until then: the failing block's
      // handlers would fail the same way (graph-node reverts its head and re-runs them on a restart, to the same end).
      // A node behind the failed block (a lagging backend) cannot tell: the failure stands until it has the block.
      if (this.fatal.blockNumber > head || this.fatal === this.deepReorg) return this.failedStatus();
      const failing = await this.fetcher.header(this.fatal.blockNumber);
      if (failing === null || failing.hash === this.fatal.blockHash) return this.failedStatus();
      if (this.fatal.blockNumber > this.checkpointPtr.number) {
        // Failed before the checkpoint moved onto the failing block (a database of an earlier version): the checkpoint
        // is the block before, and nothing above it is stored to revert.
        this.db.transaction(() => {
          this.checkDeployment();
          this.db.setFatalError(null);
        });
        this.log("info", `the failed block ${this.fatal.blockNumber} (${this.fatal.blockHash}) is no longer on the chain: indexing resumes`);
        this.fatal = null;
      } else {
        // The checkpoint is the failed block (or, for a reorg deeper than the threshold, the block that was reorganised
        // away): revert to the common ancestor, which clears the failure (and says so), or find the reorg too deep.
        await this.handleReorg();
        if (this.fatal !== null) return this.failedStatus();
      }
    }
    await this.verifyCheckpoint(head);
    if (this.fatal !== null) return this.failedStatus(); // a reorg deeper than the threshold
    const target = Math.min(head, options.toBlock ?? Number.MAX_SAFE_INTEGER);
    let next = this.checkpointPtr.number + 1;
    // Ranges in flight, in order: while one is processed the next ones are already being fetched.
    const queue: InFlightRange[] = [];
    // The ranges in flight, given up: each range asked again smaller would otherwise leave the ones after it running.
    const drop = (): void => {
      for (const range of queue.splice(0)) range.abandon();
    };
    const fill = (): void => {
      let from = queue.length > 0 ? queue[queue.length - 1]!.to + 1 : next;
      while (queue.length < this.prefetch && from <= target) {
        const range = this.launch(from, target, head);
        queue.push(range);
        from = range.to + 1;
      }
    };
    let inconsistencies = 0;
    let rateLimited = 0;
    try {
      while (next <= target && !this.stopping && this.fatal === null) {
        if (queue.length === 0 || queue[0]!.from !== next) drop();
        fill();
        const current = queue.shift()!;
        let data: FetchedRange;
        try {
          data = await current.promise;
        } catch (error) {
          drop(); // later ranges were sized for this one; start again from `next`
          if (error instanceof RangeTooLargeError) {
            // Nothing smaller to try: asking for the same blocks again would loop forever with no sign of it.
            if (current.to - current.from + 1 <= this.sizer.min) {
              throw new RangeTooLargeError(
                `eth_getLogs refused blocks ${current.from}-${current.to}, the smallest range allowed (minBlockRange ${this.sizer.min}): ${error.message}`,
                error.method,
                error.code,
                { cause: error },
              );
            }
            this.sizer.refused(current.to - current.from + 1);
            this.log("debug", `${error.message}: retrying with ${this.sizer.current} blocks`);
            continue;
          }
          if (error instanceof RateLimitedError && rateLimited++ < RATE_LIMIT_RETRIES) {
            // The node refused the rate, not the range: the same blocks once it lets us, as a smaller range would only
            // mean more requests against the same limit.
            const delay = this.rateLimitDelay(error);
            this.log("debug", `${error.message}: asking for blocks ${current.from}-${current.to} again in ${delay} ms`);
            await this.pause(delay);
            continue;
          }
          if (error instanceof InconsistentChainDataError && inconsistencies++ < 20) {
            this.log("info", `${error.message}: fetching again`);
            await sleep(100);
            continue;
          }
          throw error;
        }
        this.sizer.succeeded(data.logCount);
        this.rateLimits = 0;
        rateLimited = 0;
        // Keep fetching ahead while this range is processed.
        next = data.to + 1;
        fill();
        try {
          await this.processRange(data, head);
        } catch (error) {
          if (!(error instanceof ReorgDetected)) throw error;
          drop();
          this.log("warning", error.message);
          const before = this.checkpointPtr.number;
          await this.handleReorg();
          // Nothing to roll back although a child does not link to its parent: the node contradicts itself
          // (seen with Hardhat's hardhat_mine after evm_revert). Retry a little, never loop forever.
          if (this.checkpointPtr.number === before && inconsistencies++ >= 5) {
            throw new InconsistentChainDataError(`the node keeps returning blocks that do not link to block ${before}: ${error.message}`);
          }
          next = this.checkpointPtr.number + 1;
          continue;
        }
      }
    } finally {
      // A pass that failed, or ended on a handler's failure or a stop, leaves the ranges fetched ahead unwanted.
      drop();
    }
    this.checkDeployment();
    if (this.fatal === null && !this.stopping) {
      this.db.pruneBlocks(head - this.reorgThreshold, this.checkpointPtr.number);
      this.synced = this.checkpointPtr.number >= target;
      if (this.checkpointPtr.number >= head && this.db.syncedAt() === null) {
        // Once: the index-node's `synced` says, as graph-node's, that the subgraph has reached the head at some point.
        this.db.transaction(() => {
          this.checkDeployment();
          this.db.setSyncedAt(this.checkpointPtr.number);
        });
      }
    }
    // Catching up, inserts skip the query indexes (maintaining them row by row cost as much as the mappings); they
    // are built in one go once the pass ends within the head's reorg window, and kept up from then on. Until then
    // queries are answered by scans, and a reorg rollback in the window scans the tables: both rare during a sync.
    if (this.fatal !== null) return this.failedStatus();
    if (!this.stopping && this.checkpointPtr.number > head - this.reorgThreshold) this.db.createQueryIndexes(this.build.schema);
    return this.status();
  }

  /**
   * The status of a failed subgraph, once it has its query indexes: it no longer advances, so they cost nothing to keep
   * up, and without them its queries would scan the tables for good when it failed far from the head.
   */
  private failedStatus(): IndexerStatus {
    if (!this.stopping) {
      this.checkDeployment();
      this.db.createQueryIndexes(this.build.schema);
    }
    return this.status();
  }

  private launch(from: number, target: number, head: number): InFlightRange {
    const finalBoundary = head - this.reorgThreshold;
    let to = Math.min(target, from + this.sizer.current - 1);
    // Keep a range entirely final or entirely near the head: only the latter needs every header.
    if (from <= finalBoundary && to > finalBoundary) to = finalBoundary;
    const nearHead = to > finalBoundary;
    const controller = new AbortController();
    // A range of minBlockRange blocks is not asked for again smaller: a count at a cap is taken as it is.
    const promise = this.fetcher.fetchRange(from, to, nearHead, to - from + 1 > this.sizer.min, { signal: controller.signal });
    promise.catch(() => undefined); // a prefetch may be abandoned; its error is seen when awaited
    return { from, to, promise, abandon: () => controller.abort() };
  }

  /**
   * Throws DeploymentReplacedError when the database no longer belongs to this indexer's deployment: another build
   * of the subgraph (or another chain) reset it. Its checkpoint, tables and block pointers are not this indexer's.
   */
  private checkDeployment(): void {
    const found = this.db.deployment();
    if (found !== this.deployment) throw new DeploymentReplacedError(this.db.path, this.deployment, found);
  }

  private begin(): void {
    if (!this.inTransaction) {
      this.db.db.exec("BEGIN IMMEDIATE");
      this.inTransaction = true;
      try {
        this.checkDeployment();
      } catch (error) {
        this.rollbackTransaction();
        throw error;
      }
      // Holding the write lock now: the checkpoint must still be the one this indexer committed.
      const stored = this.db.checkpoint();
      if (stored?.number !== this.checkpointPtr.number || stored.hash !== this.checkpointPtr.hash) {
        this.rollbackTransaction();
        const error = new ConcurrentIndexerError(this.db.path, this.checkpointPtr.number, stored?.number ?? null);
        // The pass fails (and forgets what it cached); the next one goes on from what the database holds.
        if (stored !== null) this.checkpointPtr = stored;
        throw error;
      }
    }
  }

  private commit(checkpoint: BlockPointer): void {
    this.begin();
    this.db.setCheckpoint(checkpoint);
    this.db.recordBlock(checkpoint, false);
    this.db.db.exec("COMMIT");
    this.inTransaction = false;
    this.checkpointPtr = checkpoint;
    this.lastCommit = this.now();
    this.emitProgress();
  }

  private rollbackTransaction(): void {
    if (this.inTransaction) {
      this.inTransaction = false;
      // After a full disk or an I/O error SQLite has rolled back already: another ROLLBACK would fail and hide why.
      if (this.db.db.inTransaction) this.db.db.exec("ROLLBACK");
    }
  }

  private emitProgress(): void {
    const now = this.now();
    const elapsed = Math.max(0.001, (now - this.rate.since) / 1000);
    const head = Math.max(this.head ?? 0, this.checkpointPtr.number);
    const event: ProgressEvent = {
      checkpoint: this.checkpointPtr,
      head,
      lag: head - this.checkpointPtr.number,
      blocksPerSecond: this.rate.blocks / elapsed,
      eventsPerSecond: this.rate.events / elapsed,
      totalBlocks: this.totals.blocks,
      totalEvents: this.totals.events,
    };
    if (now - this.rate.since > 5000) this.rate = { since: now, blocks: 0, events: 0 };
    this.notify("progress", event);
  }

  /** Processes one fetched range; commits at its end and every commitIntervalMs. */
  private async processRange(data: FetchedRange, head: number): Promise<void> {
    const nearHead = data.to > head - this.reorgThreshold;
    const byNumber = new Map(data.blocks.map((b) => [b.header.number, b]));
    let last: BlockPointer = this.checkpointPtr;
    let lastYield = Date.now();
    const numbers = nearHead
      ? Array.from({ length: data.to - data.from + 1 }, (_, i) => data.from + i)
      : data.blocks.map((b) => b.header.number);
    try {
      for (const number of numbers) {
        if (this.stopping) break;
        const block = byNumber.get(number);
        const header = block?.header ?? data.headers.get(number)!;
        if (nearHead && header.parentHash !== last.hash && !(await this.reservedBlockLinks(header, last))) {
          throw new ReorgDetected(
            `reorg: block ${number} (${header.hash}) has parent ${header.parentHash}, but block ${last.number} is ${last.hash}`,
          );
        }
        this.begin();
        if (block !== undefined) {
          let result;
          // A block's writes stand or fall together: one that fails halfway through them (an immutable entity
          // stored again, say) must not leave the versions written before it, which failAt would commit.
          this.db.db.exec("SAVEPOINT block");
          try {
            // Tells a worker thread's watchdog which block a hang would be in (see worker/handle.ts).
            this.notify("block", number);
            try {
              result = this.processor.processBlock(block);
            } finally {
              this.notify("block", null);
            }
            this.db.db.exec("RELEASE block");
          } catch (error) {
            // SQLite may have rolled the whole transaction back already (a full disk, an I/O error).
            if (this.db.db.inTransaction) {
              this.db.db.exec("ROLLBACK TO block");
              this.db.db.exec("RELEASE block");
            }
            if (error instanceof HandlerError || error instanceof BlockWriteError) {
              // The cache remembers what the block wrote before it failed.
              this.processor.cache.clear();
              this.failAt(error, header);
              return;
            }
            throw error;
          }
          this.rate.events += result.events;
          this.totals.events += result.events;
        }
        const ptr = pointer(header);
        if (block !== undefined || nearHead) this.db.recordBlock(ptr, block !== undefined);
        this.rate.blocks += ptr.number - last.number;
        this.totals.blocks += ptr.number - last.number;
        last = ptr;
        if (this.now() - this.lastCommit >= this.commitIntervalMs) this.commit(last);
        // Real time, not this.now(): the event loop needs its turn whatever clock schedules the commits.
        if (Date.now() - lastYield >= 10) {
          // Let the prefetch's responses and control messages in.
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastYield = Date.now();
        }
      }
      if (this.stopping) {
        if (last.number > this.checkpointPtr.number) this.commit(last);
        else this.rollbackTransaction();
        return;
      }
      const end = data.headers.get(data.to) ?? byNumber.get(data.to)?.header;
      const final = end === undefined ? last : pointer(end);
      // An interval commit may have landed on the range's last block already: committing it again would only
      // repeat the progress event.
      if (this.inTransaction || final.number !== this.checkpointPtr.number) this.commit(final);
    } catch (error) {
      this.rollbackTransaction();
      this.processor.reset();
      // The cache holds what the rolled-back blocks wrote: a later pass from the checkpoint must not see it.
      this.processor.cache.clear();
      throw error;
    }
  }

  /**
   * Whether a block that reports the zero parent hash follows `last`. Hardhat's hardhat_mine reserves the blocks it
   * mines at once and serves most of them so (no block after genesis has that parent on a real chain): such a block
   * links if its predecessor is still the block we hold. Only these blocks cost the extra header read.
   */
  private async reservedBlockLinks(header: BlockHeader, last: BlockPointer): Promise<boolean> {
    if (header.parentHash !== ZERO_HASH || header.number !== last.number + 1) return false;
    const previous = await this.fetcher.header(last.number);
    return previous !== null && previous.hash === last.hash;
  }

  /**
   * Stores the failure and moves the checkpoint onto the failing block (its writes already discarded), in one
   * transaction, as graph-node transacts a failing block with only its proof of indexing and records the error at
   * it: `_meta.block` and the index-node's `latestBlock` are the failing block, and reads of it carry the error.
   */
  private failAt(error: HandlerError | BlockWriteError, failing: BlockHeader): void {
    const fatal: FatalError = {
      message: error.message,
      handler: error instanceof HandlerError ? error.handler : null,
      dataSource: error instanceof HandlerError ? error.dataSource : null,
      blockNumber: failing.number,
      blockHash: failing.hash,
      transactionHash: error instanceof HandlerError ? error.transactionHash : null,
      logIndex: error instanceof HandlerError ? error.logIndex : null,
    };
    this.begin();
    this.db.setFatalError(fatal);
    this.commit(pointer(failing));
    this.fatal = fatal;
    this.log("error", `subgraph failed: ${fatal.message}`);
    this.notify("failed", fatal);
  }

  /** Re-checks the checkpoint against the chain; a different hash (or a shorter chain) means a reorg. */
  private async verifyCheckpoint(head: number): Promise<void> {
    const cp = this.checkpointPtr;
    if (cp.number > head) {
      // The node's chain ends below the checkpoint: a node that is behind (a load-balanced endpoint's lagging
      // backend, a node resyncing) or a shorter branch. Only a stored block the node has, with another hash, proves a
      // reorg; otherwise wait for the node rather than revert blocks it simply does not have yet (or fail the
      // subgraph for a "reorg" deeper than the threshold).
      const below = this.db.blockAtOrBelow(head);
      const known = below === null ? null : await this.fetcher.header(below.number);
      if (below === null || (known !== null && known.hash === below.hash)) {
        // A chain restarted from scratch (`npx hardhat node` again) is also below the checkpoint, and may have none of
        // the stored blocks to compare: waiting would last until it passes the checkpoint, only to fail then.
        if (await this.startOverOnNewGenesis()) return;
        // Asked at every poll while the node lags (a restart, a backend that stays behind for minutes): once logged, only
        // how long it has lasted is news, and that once a minute.
        const lag = this.lag.occurred(String(cp.number));
        if (lag?.kind === "lasting") {
          this.log("warning", `the node's head ${head} is still behind the checkpoint ${cp.number}, for ${seconds(lag.lastedMs)}: waiting for it`);
        } else if (lag !== null) {
          this.log("warning", `the node's head ${head} is behind the checkpoint ${cp.number}: waiting for it`);
        }
        return;
      }
    }
    const lagged = this.lag.ended();
    if (lagged !== null && cp.number <= head) {
      this.log("info", `the node's head ${head} has reached the checkpoint ${cp.number} after ${seconds(lagged.lastedMs)} behind it: indexing resumes`);
    }
    const onChain = cp.number <= head ? await this.fetcher.header(cp.number) : null;
    // A block below the head the node reports, missing: the node contradicts itself (a load-balanced endpoint whose
    // backends differ), which says nothing about a reorg.
    if (onChain === null && cp.number <= head) {
      throw new InconsistentChainDataError(`the node's head is block ${head}, but it has no block ${cp.number} (the checkpoint)`);
    }
    if (onChain === null || onChain.hash !== cp.hash) {
      this.log("warning", `reorg: the checkpoint block ${cp.number} (${cp.hash}) is no longer on the chain`);
      await this.handleReorg();
    }
  }

  /** Walks back to the highest stored block still on the chain and reverts everything above it. */
  private async handleReorg(): Promise<void> {
    const from = this.checkpointPtr;
    const candidates = this.db.blocksDescending(from.number - this.reorgThreshold - 1, from.number);
    const onChain = await this.fetcher.headers(candidates.map((c) => c.number));
    const ancestor = candidates.find((c) => onChain.get(c.number)?.hash === c.hash);
    const lowest = candidates[candidates.length - 1];
    const head = this.head ?? Number.MAX_SAFE_INTEGER;
    if (ancestor === undefined && lowest !== undefined && lowest.number <= head && (onChain.get(lowest.number) ?? null) === null) {
      // Only another hash at the bottom of the window proves a reorg deeper than the threshold; a node that reports a
      // head above that block but does not have it is behind (or one of a load-balanced endpoint's backends is): not a
      // reason to fail. (A shorter branch ends below it: verifyCheckpoint found a stored block it replaced.)
      throw new InconsistentChainDataError(
        `the node has no block ${lowest.number} to compare with the stored one: it is behind, not on another branch`,
      );
    }
    if (ancestor === undefined) {
      if (await this.startOverOnNewGenesis()) return;
      const error = new ReorgTooDeepError(
        `reorg deeper than the reorg threshold (${this.reorgThreshold} blocks): no stored block between ${from.number - this.reorgThreshold} and ${from.number} is on the chain any more`,
      );
      const fatal: FatalError = {
        message: error.message,
        handler: null,
        dataSource: null,
        blockNumber: from.number,
        blockHash: from.hash,
        transactionHash: null,
        logIndex: null,
      };
      // The checkpoint of a subgraph that failed so is the block reorganised away: each later pass (or a restart)
      // finds the same reorg again, which is nothing new to store or announce.
      this.deepReorg = fatal;
      if (this.fatal !== null && JSON.stringify(this.fatal) === JSON.stringify(fatal)) {
        this.deepReorg = this.fatal;
        return;
      }
      this.db.transaction(() => {
        this.checkDeployment();
        this.db.setFatalError(fatal);
      });
      this.fatal = fatal;
      this.notify("failed", fatal);
      return;
    }
    this.db.transaction(() => {
      this.checkDeployment();
      this.db.rollbackEntities(this.build.schema, ancestor.number);
      this.db.setCheckpoint(ancestor);
      this.db.recordBlock(ancestor, false);
      if (this.fatal !== null && this.fatal.blockNumber > ancestor.number) this.db.setFatalError(null);
    });
    if (this.fatal !== null && this.fatal.blockNumber > ancestor.number) {
      this.log("info", `the failed block ${this.fatal.blockNumber} was reorganised away: indexing resumes`);
      this.fatal = null;
    }
    this.processor.reset();
    this.processor.cache.clear();
    this.checkpointPtr = ancestor;
    this.log("warning", `reverted from block ${from.number} to common ancestor ${ancestor.number}`);
    const event: ReorgEvent = { from, to: ancestor };
    this.notify("reorg", event);
  }

  /**
   * A chain restarted under the indexer (same chain id, new genesis: a developer's `npx hardhat node` again) looks like
   * a reorg deeper than the threshold, and would fail the subgraph until the indexer is reopened, which starts over
   * as the database belongs to the old genesis. Asked only where that failure (or endless waiting) would follow, it
   * starts over in place as `open` would: wipes the database, warns, and indexes the new chain from its start.
   * Returns whether it did.
   */
  private async startOverOnNewGenesis(): Promise<boolean> {
    const genesis = await this.fetcher.header(0);
    const stored = this.db.meta("genesis_hash");
    if (genesis === null || stored === null || genesis.hash.toLowerCase() === stored) return false;
    const chainId = await this.fetcher.chainId();
    // Before the wipe: a chain that does not have the first block yet is retried on the next pass, old index intact.
    const earliest = earliestBlock(this.build);
    const first = pointer(await firstCheckpoint(this.fetcher, earliest));
    const previous = this.deploymentId;
    // One transaction: readers never see the new deployment without its checkpoint.
    const { deployment } = this.db.transaction(() => {
      this.checkDeployment();
      const identity = { chainId, genesisHash: genesis.hash, buildHash: this.build.buildHash, network: this.build.network };
      const initialised = this.db.initialise(identity, this.build.schema);
      this.db.setEarliestBlock(earliest);
      this.db.setCheckpoint(first);
      this.db.recordBlock(first, false);
      return initialised;
    });
    this.deploymentId = deployment;
    this.chain = chainId;
    this.checkpointPtr = first;
    this.fatal = null;
    this.synced = false;
    this.processor.reset();
    this.processor.cache.clear();
    this.statistics = new PlannerStatistics(this.db, { ...DEFAULT_STATISTICS_POLICY, ...this.options.statistics }, this.now);
    this.lag.ended(); // the old chain's lag: the new one is indexed from its start, not waited for
    this.log(
      "warning",
      `the chain was restarted (genesis ${stored} is now ${genesis.hash.toLowerCase()}): database ${this.db.path} starts over ` +
        `(deployment ${previous} is now ${deployment})`,
    );
    return true;
  }

  /**
   * Indexes continuously until stop(): to the head, then polls for new blocks (and reorgs). Failed passes are
   * retried; it rejects only with DeploymentReplacedError (the database was reset for another deployment).
   */
  run(): Promise<void> {
    if (this.running !== null) return this.running;
    this.stopping = false;
    this.running = (async () => {
      const interval = this.options.pollIntervalMs ?? 1000;
      const failures = new PassFailures(this.now);
      let failedInRow = 0;
      while (!this.stopping) {
        let delay = this.fatal !== null ? Math.max(interval, 1000) : interval;
        try {
          await this.syncOnce();
          // Ended by stop(), perhaps before it reached the node at all: it says nothing of the node's recovery.
          if (this.stopping) break;
          this.rateLimits = 0;
          failedInRow = 0;
          const recovered = failures.succeeded();
          if (recovered !== null) this.log("info", recovered);
          if (this.synced) {
            this.refreshStatistics();
            this.notify("synced", this.status());
          }
        } catch (error) {
          if (this.stopping) break;
          // Not for retrying: the database is another deployment's now.
          if (error instanceof DeploymentReplacedError) {
            this.log("error", error.message);
            throw error;
          }
          // Network trouble is not the subgraph's fault: report it and try again ("retry", not "error", which
          // would throw without a listener). Logged once while it repeats (see PassFailures), emitted every time.
          // A transport's RpcError has cut the URLs in what it quotes (as JSON text where it quotes JSON, which plain
          // text would read otherwise); any other error (a transport passed in ready-made throws what it likes) may
          // quote a URL as it is, and its path or query may hold a key.
          // The `retry` event's error is cut the same way, with its cause chain (what a listener's logger prints of it):
          // an RpcError's cause has been cut as it was made.
          const message = (error as Error).message;
          const line = failures.failed(error instanceof RpcError ? message : redactUrlsIn(message));
          if (line !== null) this.log("error", line);
          if (error instanceof RateLimitedError) {
            delay = Math.max(delay, this.rateLimitDelay(error));
            this.log("debug", `rate limited: the next pass in ${delay} ms`);
          } else if (error instanceof RpcUnavailableError && error.retryAfterMs !== null) {
            // The node said when it would be back (a 503's Retry-After, longer than the transport waits itself).
            delay = Math.max(delay, error.retryAfterMs);
            this.log("debug", `unavailable: the next pass in ${delay} ms`);
          }
          // Once the delay is known: the event says it.
          const retry: RetryEvent = { attempt: ++failedInRow, delayMs: delay };
          this.notify("retry", error instanceof RpcError ? error : urlFree(error), retry);
        }
        if (this.stopping) break;
        await this.pause(delay);
      }
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** What a rate-limited node asked to wait, or the backoff for the refusals in a row so far. */
  private rateLimitDelay(error: RateLimitedError): number {
    this.rateLimits++;
    return error.retryAfterMs ?? Math.min(RATE_LIMIT_MAX_BACKOFF_MS, RATE_LIMIT_BACKOFF_MS * 2 ** Math.min(this.rateLimits - 1, 16));
  }

  /** Waits `ms`, or until stop(): a rate limit's backoff may last a minute. */
  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  /** At the head, between passes (no transaction open): the planner's statistics, when due. */
  private refreshStatistics(): void {
    try {
      const ms = this.statistics.refreshIfDue(this.checkpointPtr.number);
      if (ms !== null) this.log("info", `query planner statistics refreshed at block ${this.checkpointPtr.number} (${ms} ms)`);
    } catch (error) {
      // Only an optimisation: indexing goes on, and the next pass at the head tries again.
      this.log("warning", `query planner statistics not refreshed: ${(error as Error).message}`);
    }
  }

  /**
   * Asks the loop (or the passes in flight) to stop after the block it is processing; resolves when it has. Later
   * passes (syncOnce, run) index again.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of [...this.sleepers]) wake();
    // The indexer's requests in flight and their waits in the transport too (a rate limit's Retry-After holds every
    // request for up to a minute): they end with RpcAbortedError, which the pass takes for this stop (syncOnce, run).
    // Only the indexer's: a transport the caller passed in may be sending others' requests. Later requests are sent.
    this.rpc.abort();
    if (this.running !== null) await this.running;
    await this.inFlight;
    this.stopping = this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
    this.rollbackTransaction();
    // The transport too, if the indexer created it.
    this.rpc.close();
    this.db.close();
    this.lock?.release();
  }
}
