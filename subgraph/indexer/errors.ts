// Typed errors of the embedded indexer. Callers (the CLI, the gateway, tests) branch on the class, never on
// message text; messages are written for the person reading the log.
import { urlFree } from "./redact-error";

export class IndexerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * An option value the indexer cannot work with, refused before anything is opened: `option` is its name as the caller
 * wrote it ("minBlockRange", "statistics.everyMs", "restart.maxDelayMs"), `value` what was given; the message names
 * both. `rpc` is refused without its value, as its URL may carry a key.
 */
export class IndexerOptionError extends IndexerError {
  constructor(
    readonly option: string,
    readonly value: unknown,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Another indexer moved the database's checkpoint since this one last committed: two indexers on one database would
 * close each other's versions and insert theirs twice, so this one's pass writes nothing, and its next pass goes on
 * from the checkpoint the database holds.
 */
export class ConcurrentIndexerError extends IndexerError {
  constructor(
    readonly database: string,
    /** The checkpoint this indexer committed last, and the one the database holds. */
    readonly expected: number,
    readonly found: number | null,
  ) {
    super(`another indexer is writing to ${database}: its checkpoint is block ${found ?? "none"}, where this indexer left block ${expected}`);
  }
}

/**
 * Another indexer, alive, has the database open (it holds `lockFile`): this one does not open it, as two indexers on
 * one file would write over each other. `pid` is the holder's process (null when it could not be read).
 */
export class DatabaseInUseError extends IndexerError {
  constructor(
    readonly database: string,
    readonly lockFile: string,
    readonly pid: number | null,
  ) {
    const holder = pid === null ? "" : pid === process.pid ? ` in this process (pid ${pid})` : ` (pid ${pid})`;
    super(`${database} is being indexed by another indexer${holder}, which holds ${lockFile}: stop it, or index into another file`);
  }
}

/**
 * The database was reset for another deployment (an indexer of another build of the subgraph, or of another chain,
 * opened it) while this indexer had it open: this indexer writes nothing more to it. `run()` ends with this error.
 */
export class DeploymentReplacedError extends IndexerError {
  constructor(
    readonly database: string,
    /** This indexer's deployment, and the one the database now belongs to. */
    readonly expected: string,
    readonly found: string | null,
  ) {
    super(
      `${database} was reset for another deployment (${found ?? "none"}) while this indexer (deployment ${expected}) had it ` +
        "open: it writes nothing more to it",
    );
  }
}

/**
 * No indexer worker thread indexes the database any more: it died ({@link IndexerWorkerDiedError}) or hung
 * ({@link IndexerWorkerHungError}). The data it committed stays queryable, but nothing follows the chain until the
 * worker is restarted, in `restartInMs` (null: it is not, see `IndexerWorker`).
 */
export class IndexerWorkerDownError extends IndexerError {
  constructor(
    message: string,
    readonly restartInMs: number | null,
    options?: { cause?: unknown },
    /**
     * The message without `restartInMs`, which is out of date once read later: what a status shows while the worker
     * is down, next to the time the restart is due (it still says when the worker is not restarted).
     */
    readonly summary: string = message,
  ) {
    super(message, options);
  }
}

/**
 * The indexer's worker thread ended without being stopped: an uncaught exception, running out of memory,
 * `process.exit` in the thread, or `run()` ending with an error.
 */
export class IndexerWorkerDiedError extends IndexerWorkerDownError {
  constructor(
    /** The thread's exit code. */
    readonly exitCode: number,
    /** What killed it, when the thread reported it (null for a bare `process.exit`). */
    readonly reason: string | null,
    restartInMs: number | null,
    options?: { cause?: unknown },
  ) {
    const what = `the indexer worker thread died (exit code ${exitCode}): ${reason ?? "it exited without an error"}`;
    super(
      `${what}; ${restartInMs === null ? "it is not restarted" : `restarting it in ${restartInMs} ms`}`,
      restartInMs,
      options,
      restartInMs === null ? `${what}; it is not restarted` : what,
    );
  }
}

/**
 * The indexer's worker thread is alive but answered nothing for `timeoutMs`: a mapping in an endless loop, or a
 * call that never returns. It is terminated. `block` is the block whose handlers it was running (null: none);
 * `starting`: it hung before it was ready (opening the database, loading the subgraph, compiling the WASM).
 */
export class IndexerWorkerHungError extends IndexerWorkerDownError {
  constructor(
    readonly timeoutMs: number,
    readonly block: number | null,
    restartInMs: number | null,
    readonly starting = false,
  ) {
    const what =
      `the indexer worker thread did not answer for ${timeoutMs} ms ` +
      (starting ? "while it started" : block === null ? "(it was not running a block's handlers)" : `while processing block ${block}`);
    super(
      `${what}; it is terminated and ${restartInMs === null ? "not restarted" : `restarted in ${restartInMs} ms`}`,
      restartInMs,
      undefined,
      `${what}; it is terminated${restartInMs === null ? " and not restarted" : ""}`,
    );
  }
}

/** The built manifest, an ABI or the WASM cannot be loaded or uses something this indexer does not support. */
export class ManifestError extends IndexerError {}

/** The GraphQL schema of the subgraph is invalid or uses a feature this indexer does not support. */
export class SchemaError extends IndexerError {}

/**
 * A JSON-RPC request failed. `code` is the JSON-RPC error code when the node answered with one. Its `cause` (what the
 * transport got from fetch or the provider) is kept with every URL in it cut (see urlFree): of the same class, with its
 * code, its stack and its own cause chain, but no URL's path, query or credentials, which an API key may be, for
 * util.inspect (console.error, a logger) to print.
 */
export class RpcError extends IndexerError {
  constructor(
    message: string,
    readonly method: string,
    readonly code?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options === undefined || !("cause" in options) ? options : { cause: urlFree(options.cause) });
  }
}

/** eth_getLogs refused the block range (too many results, response too large, timeout): retry with a smaller one. */
export class RangeTooLargeError extends RpcError {}

/**
 * eth_getLogs answered a range of several blocks with exactly as many logs as a node or proxy caps its answers at
 * (`logCount`, see ChainFetcher): an answer cut at the cap, without an error, would lose the later blocks' logs. The
 * range is fetched again smaller, as one refused.
 */
export class TruncatedLogsError extends RangeTooLargeError {
  constructor(
    message: string,
    readonly logCount: number,
  ) {
    super(message, "eth_getLogs");
  }
}

/**
 * The node refused the request for its rate (HTTP 429, or an error that says so: per second, per day, compute units),
 * not for what it asked: the same request can succeed later, and a smaller eth_getLogs range would only mean more
 * requests. `retryAfterMs`: the wait the node asked for (Retry-After, Infura's backoff_seconds), at most
 * MAX_RETRY_AFTER_MS; null when it named none.
 */
export class RateLimitedError extends RpcError {
  constructor(
    message: string,
    method: string,
    code: number | undefined,
    readonly retryAfterMs: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, method, code, options);
  }
}

/**
 * HTTP 502, 503 or 504 (`status`): a load balancer without a backend to answer, or a node restarting, not a refusal
 * of the request. The transport asks again a few times before it gives up with this error. `retryAfterMs`: the wait
 * its Retry-After named, at most MAX_RETRY_AFTER_MS; null when it named none. Its `cause`: the error an EIP-1193
 * provider threw for it (Hardhat's HH110 with the gateway's page, viem's HttpRequestError), where one did.
 */
export class RpcUnavailableError extends RpcError {
  constructor(
    message: string,
    method: string,
    readonly status: number,
    readonly retryAfterMs: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, method, undefined, options);
  }
}

/** The request never got an answer: the connection was refused, reset or never made (fetch threw, not a timeout). */
export class RpcConnectionError extends RpcError {}

/**
 * The request was given up before the node answered, nor waited out what it was held for (a rate limit's Retry-After,
 * the request rate's spacing, a retry's backoff): its signal was aborted (the indexer's `stop()` aborts its requests'),
 * or its transport was aborted (`RpcTransport.abort`) or closed. It says nothing about the node; the indexer that is
 * stopping takes it for its own stop.
 */
export class RpcAbortedError extends RpcError {}

/**
 * The node answered `method` with something that is not what JSON-RPC promises there: a field missing, null where it
 * may not be, not hex, of the wrong length, or a number past what the indexer can hold. `subject` names the block, log
 * or transaction (`block 0x1f4`, `log 3`: the answer's fourth log, as its own index may be what is wrong; `the result`), `field` its field (`.logIndex`), `expected` what it should
 * have been (`a hex quantity`). The message quotes the value only cut short and with every URL in it cut (a node or
 * proxy may put one there, with its key). The pass fails with it: asked again at once, a node that sends garbage
 * usually sends it again (a bad backend of a load-balanced endpoint is asked again at the next pass, as any failed one).
 */
export class MalformedAnswerError extends RpcError {
  constructor(
    method: string,
    readonly subject: string,
    readonly field: string,
    readonly expected: string,
    /** The value as it may be quoted: cut and redacted (see `quoteValue` in chain/types.ts). */
    readonly found: string,
  ) {
    super(`${method}'s answer is malformed: ${subject}${field === "" ? "" : ` ${field}`} is ${found}, expected ${expected}`, method);
  }
}

/** The node returned data from two different forks within one fetch (a reorg happened meanwhile): fetch again. */
export class InconsistentChainDataError extends IndexerError {}

/** A chain reorganisation went deeper than the configured threshold, below blocks considered final. */
export class ReorgTooDeepError extends IndexerError {}

/**
 * The error a host function raises inside a mapping. It unwinds the WASM stack; the runtime then wraps it in a
 * {@link HandlerError} that names the handler and the trigger.
 */
export class HostError extends IndexerError {}

/** `env.abort`: an `assert`, a `throw` or a null dereference in AssemblyScript. */
export class MappingAbortError extends HostError {}

/** A host call this indexer cannot serve during handling (it needs the network, or templates). */
export class UnsupportedHostCallError extends HostError {
  constructor(
    readonly call: string,
    reason: string,
  ) {
    super(`host call ${call} is not supported by the embedded indexer: ${reason}`);
  }
}

/** store.set/remove with data that violates the schema (graph-node's EntityValidationError). */
export class EntityValidationError extends HostError {}

/** A handler failed: deterministic, so the subgraph is marked failed at this block, as graph-node does. */
export class HandlerError extends IndexerError {
  constructor(
    message: string,
    readonly handler: string,
    readonly dataSource: string,
    readonly blockNumber: number,
    readonly blockHash: string,
    readonly transactionHash: string | null,
    readonly logIndex: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The subgraph has failed earlier; it does not advance until the failing block is reorganised away. */
export class SubgraphFailedError extends IndexerError {}

/** A query was well-formed GraphQL but asked for something impossible (block not indexed yet, first over the cap...). */
export class QueryError extends IndexerError {}

/** The indexer was stopped while an operation was in flight. */
export class StoppedError extends IndexerError {}

/**
 * `Indexer.open` was given up: the signal it was given was aborted (a stop asked for while it opened) before it was
 * open. Nothing it opened stays open (the database and its writer lock are released). A StoppedError: whoever stops
 * takes it for that stop, not for a failure.
 */
export class OpenAbortedError extends StoppedError {}
