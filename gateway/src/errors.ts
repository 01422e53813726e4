// Errors the gateway answers with. Every one is a GraphQLError with a standard `extensions.code`, so clients branch
// on the code (and on the structured extensions), never on message text.
import { GraphQLError } from "graphql";
import type { PinnedBlock } from "./model/cursor";

/**
 * The codes this gateway uses: Apollo's standard ones, two for the sources of network state, four that end
 * subscriptions, one that refuses a subscription, one that refuses a cursor whose block is gone.
 */
export const ErrorCode = {
  /** An argument or variable is invalid (malformed address, bad cursor, `first` over the cap, unknown model id). */
  BadUserInput: "BAD_USER_INPUT",
  /** The query is valid GraphQL but exceeds a limit (depth, cost) or selects something not allowed where it is. */
  ValidationFailed: "GRAPHQL_VALIDATION_FAILED",
  /** The subgraph endpoint or the embedded indexer did not answer, or answered with an error. */
  SourceUnavailable: "SOURCE_UNAVAILABLE",
  /** The chain RPC (live reads) did not answer, or is not configured. */
  ChainUnavailable: "CHAIN_UNAVAILABLE",
  /** A subscription ended because its client left more than `maxQueued` events unread (`extensions.maxQueued`). */
  SubscriberTooSlow: "SUBSCRIBER_TOO_SLOW",
  /**
   * A subscription ended, or a request was answered HTTP 503 at the end of the stop's grace, because the gateway is
   * stopping: ask or subscribe again, of another instance or later.
   */
  ShuttingDown: "SHUTTING_DOWN",
  /**
   * jobUpdated (or clientJobsUpdated) ended because a chain reorganisation removed the job it followed (or one it sent,
   * `extensions.jobId`): the index no longer holds it, or holds another job, with other terms, under its id, at
   * `extensions.blockNumber`.
   */
  JobReorged: "JOB_REORGED",
  /**
   * jobOpened(sinceBlock) ended because its replay and the live jobs posted while it was read were more than a feed
   * queues at once (`extensions.maximum`): subscribe again from a later block, or page openJobs.
   */
  ReplayOverflow: "REPLAY_OVERFLOW",
  /** A subscription refused because its connection or the server runs as many as allowed (`extensions.limit`). */
  TooManySubscriptions: "TOO_MANY_SUBSCRIPTIONS",
  /**
   * `after` pins a block the source no longer serves (reorged away, pruned, or above its head), or comes from an
   * earlier version of its list that this one cannot continue: page from the start.
   */
  CursorExpired: "CURSOR_EXPIRED",
  /**
   * The document holds no operation `operationName` picks: several and no name, or none of that name (Apollo's code
   * over HTTP, graphql-js's messages; the WebSocket answers the same).
   */
  OperationResolutionFailure: "OPERATION_RESOLUTION_FAILURE",
  /** A request the transport cannot serve: a subscription sent over HTTP (Apollo's code for its own HTTP refusals). */
  BadRequest: "BAD_REQUEST",
  Internal: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * What every refusal of an argument carries besides its code: `value`, the refused value as the client sent it (for a
 * bound, range or combination refused, the value that breaks it), so that a client can show or log it without parsing
 * the message; and whatever else says why (`minimum`, `maximum`, `knownModels`...). Required, so that no refusal leaves
 * it out.
 */
export type RefusalExtensions = { value: unknown } & Record<string, unknown>;

/** An invalid argument: `argument` names it as the client wrote it (e.g. "requirements.gpuModels[1]"). */
export function badUserInput(argument: string, problem: string, extra: RefusalExtensions): GraphQLError {
  return new GraphQLError(`${argument}: ${problem}`, {
    extensions: { code: ErrorCode.BadUserInput, argument, ...extra },
  });
}

/**
 * An invalid argument of `field` (e.g. "Provider.jobs"), refused before the query runs: such an error has no `path`
 * to say whose argument it is, so `extensions.field` says it, and `extensions.argument` names the argument as it does
 * wherever else an argument is refused.
 */
export function badFieldArgument(field: string, argument: string, problem: string, extra: RefusalExtensions): GraphQLError {
  return new GraphQLError(`${field}(${argument}): ${problem}`, {
    extensions: { code: ErrorCode.BadUserInput, argument, field, ...extra },
  });
}

/** A query that breaks one of the server's limits (`limit` says which). */
export function limitExceeded(limit: "depth" | "cost" | "liveInList", message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.ValidationFailed, limit, ...extra } });
}

/** Ends a subscription whose client reads too slowly (the events it left unread are dropped with it). */
export function subscriberTooSlow(maxQueued: number): GraphQLError {
  return new GraphQLError(`subscriber too slow: more than ${maxQueued} undelivered events`, {
    extensions: { code: ErrorCode.SubscriberTooSlow, maxQueued },
  });
}

/**
 * Ends a jobUpdated feed whose job a reorganisation removed (or a clientJobsUpdated feed one of whose jobs it removed). The job's creation may be included again on the new
 * branch, under the same id or (another job having taken it) under another: the client looks for its transaction.
 */
export function jobReorged(jobId: string, blockNumber: number, reason: "gone" | "otherTerms"): GraphQLError {
  const what = reason === "gone" ? "no longer holds it" : "holds another job, with other terms, under its id";
  return new GraphQLError(
    `job ${jobId} was removed by a chain reorganisation: at block ${blockNumber} the index ${what}; ` +
      "look for the transaction that created it (it may be included again, possibly under another id)",
    { extensions: { code: ErrorCode.JobReorged, jobId, blockNumber } },
  );
}

/**
 * Ends a jobOpened(sinceBlock) whose replay and the live jobs held back while it was read come to more than
 * `maximum`, the events a feed queues at once: the jobs held are dropped with it rather than kept without bound.
 */
export function replayOverflow(sinceBlock: number, maximum: number): GraphQLError {
  return new GraphQLError(
    `jobOpened(sinceBlock: ${sinceBlock}): more than ${maximum} jobs to send at once (the replay and the jobs posted ` +
      "while it was read); subscribe again with a later sinceBlock, or page openJobs",
    { extensions: { code: ErrorCode.ReplayOverflow, argument: "sinceBlock", maximum } },
  );
}

/**
 * A subscription operation sent over HTTP, where graphql-js runs it once as a query: its fields have no event to
 * answer with. Subscriptions are served over graphql-ws on the same URL.
 */
export function subscriptionOverHttp(field: string): GraphQLError {
  return new GraphQLError(
    `subscription ${field}: subscriptions are served over the WebSocket (graphql-ws, ws:// or wss:// on this same URL), not over HTTP`,
    { extensions: { code: ErrorCode.BadRequest } },
  );
}

/** Ends every subscription when the gateway stops. */
export function shuttingDown(): GraphQLError {
  return new GraphQLError("the gateway is shutting down", { extensions: { code: ErrorCode.ShuttingDown } });
}

/**
 * Refuses one more subscription: `limit` says whose cap it hit (the connection's or the whole server's), `maximum`
 * what the cap is. Nothing else on the connection is affected; a slot freed by completing a subscription is reusable.
 * `what` is "queries" for a query over the WebSocket refused while its connection's earlier ones are unanswered.
 */
export function tooManySubscriptions(limit: "connection" | "server", maximum: number, what: "subscriptions" | "queries" = "subscriptions"): GraphQLError {
  const whose = limit === "connection" ? "on one connection" : "on this gateway";
  const first = what === "subscriptions" ? "complete one first" : "read their results first";
  return new GraphQLError(`too many ${what}: at most ${maximum} may run at once ${whose}; ${first}`, {
    extensions: { code: ErrorCode.TooManySubscriptions, limit, maximum },
  });
}

/**
 * A page sequence's block can no longer be read (`detail` is the source's reason, safe to show). Not a bad argument:
 * the cursor was valid; the client starts the sequence again without `after`, at the latest block.
 */
export function cursorExpired(blockNumber: number, detail: string): GraphQLError {
  return new GraphQLError(
    `after: the cursor reads block ${blockNumber}, which the source no longer serves (${detail}); start again without \`after\``,
    { extensions: { code: ErrorCode.CursorExpired, argument: "after", blockNumber } },
  );
}

/**
 * A cursor whose block is above the index's head (`head`, null where the source could not say). A cursor the gateway
 * issued gets there only if the index went back since (a reorganisation, a rebuilt database); a forged one gets
 * there at will. Nothing a cursor carries tells the two apart (its hash is of a block the index no longer has; one
 * that copies a real block's hash is cursorBlockMismatch), so both are expired and the message names both.
 */
export function cursorAboveHead(blockNumber: number, head: number | null): GraphQLError {
  const where = head === null ? "above the index's head (which it could not read)" : `above the index's head, block ${head}`;
  return new GraphQLError(
    `after: the cursor reads block ${blockNumber}, ${where}: either the index went back since the cursor was issued ` +
      "(a reorganisation, or its database was rebuilt), or this gateway did not issue it; start again without `after`",
    { extensions: { code: ErrorCode.CursorExpired, argument: "after", blockNumber } },
  );
}

/**
 * A cursor whose block number is not that of the block its hash names (`read`, as the source resolved the hash): the
 * gateway writes both from one block, and a reorganisation changes which block a number names, never a hash's
 * number, so the cursor was edited. Read by its hash, the page would report the edited number beside another
 * block's rows.
 */
export function cursorBlockMismatch(blockNumber: number, blockHash: string, read: number): GraphQLError {
  return badUserInput(
    "after",
    `the cursor names block ${blockNumber} but carries the hash of block ${read}: this gateway did not issue it; start again without \`after\``,
    { value: blockNumber, blockNumber, blockHash, hashBlockNumber: read },
  );
}

/**
 * A cursor whose block time is not that of the block its hash names (`read`, as the source tells it): the gateway
 * writes the time from the block itself, so the cursor was edited. Its pages would judge deadlines, the guardian's
 * pause and proposal states at the edited time (openJobs, governance.proposals).
 */
export function cursorTimeMismatch(blockNumber: number, blockTime: number, read: number): GraphQLError {
  return badUserInput(
    "after",
    `the cursor gives block ${blockNumber} the time ${blockTime} but the block its hash names has ${read}: this gateway did not issue it; start again without \`after\``,
    { value: blockTime, blockNumber, blockTime, hashBlockTime: read },
  );
}

/**
 * A cursor an earlier release of the list handed out, which this one cannot continue (`change` says why): like a
 * cursor whose block is gone, the client starts the sequence again without `after`.
 */
export function cursorRetired(argument: string, change: string): GraphQLError {
  const message = `${argument}: the cursor comes from an earlier version of this list (${change}); start again without \`${argument}\``;
  return new GraphQLError(message, { extensions: { code: ErrorCode.CursorExpired, argument } });
}

/** Raised by a source when the subgraph endpoint cannot answer; `detail` is safe to show to clients. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "SourceError";
  }
}

/**
 * A source that failed on an error of its own (graph-node's store, a panic, an error it answered with that the gateway
 * does not know to be the query's), whose message may quote its internals (SQL, schema and table names): `detail`
 * names the failure by `failure`, a code, and the message is for the operator's log only (formatError logs it as it
 * answers the client).
 */
export class SourceInternalError extends SourceError {
  constructor(
    message: string,
    detail: string,
    readonly failure: string,
  ) {
    super(message, detail);
    this.name = "SourceInternalError";
  }
}

const SOURCE_REQUEST_GIVEN_UP = "no one waits for its answer (the gateway is stopping, or the client left)";

/**
 * A source request given up because its caller no longer wants the answer (the gateway is stopping: its head watcher
 * stopped, or the source was closed; or the client of the request that read it left), not because the source failed:
 * nothing to log as the source being unavailable.
 */
export class SourceRequestAbortedError extends SourceError {
  constructor(what: string, options?: { cause?: unknown }) {
    super(`${what} was given up: ${SOURCE_REQUEST_GIVEN_UP}`, SOURCE_REQUEST_GIVEN_UP, options);
    this.name = "SourceRequestAbortedError";
  }
}

/** Why a source no longer serves a block: a reorganisation replaced it, the index went back below it, or it was pruned. */
export type BlockGone = "replaced" | "aboveHead" | "pruned";

export const BLOCK_GONE_DETAIL: Record<BlockGone, string> = {
  replaced: "a reorganisation replaced it",
  aboveHead: "the index is now below it",
  pruned: "its history was pruned",
};

/**
 * How graph-node (and the embedded indexer, which answers in its words) refuses a block it does not serve: a hash it
 * does not know (reorged away), a number above its head (its index went back), or one below its history (pruned).
 * graph-node words the last "subgraph <id> only has data starting at block number <n> and data for block number <m>
 * is therefore not available" (DeploymentState::block_queryable), where it keeps `history_blocks` blocks.
 */
export const BLOCK_GONE: readonly [RegExp, BlockGone][] = [
  [/no block with that hash/i, "replaced"],
  [/not yet available/i, "aboveHead"],
  [/only has data starting at block number|earliest block|pruned/i, "pruned"],
];

/**
 * A read at a block the source no longer serves, where no cursor named that block (a cursor's is CURSOR_EXPIRED): the
 * block a request pinned, or the one a first page read. Typed, so that a request can tell that its pinned head was
 * lost (RequestBlock runs it again at a fresh head) from any other failure; clients see SOURCE_UNAVAILABLE.
 */
export class BlockNotServedError extends SourceError {
  constructor(
    readonly block: PinnedBlock,
    readonly reason: BlockGone,
    options?: { cause?: unknown },
  ) {
    super(
      `subgraph read at block ${block.number} failed: ${BLOCK_GONE_DETAIL[reason]}`,
      `block ${block.number}, which this answer was read at, is no longer served (${BLOCK_GONE_DETAIL[reason]}); ask again`,
      options,
    );
    this.name = "BlockNotServedError";
  }
}

/** Raised by live chain reads when the RPC fails or is not configured. */
export class ChainError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ChainError";
  }
}

/** A live chain read given up because the gateway is stopping (the chain reader was closed, or its caller gave up). */
export class ChainReadAbortedError extends ChainError {
  constructor(what: string, options?: { cause?: unknown }) {
    super(`${what} was given up: the gateway is stopping`, options);
    this.name = "ChainReadAbortedError";
  }
}

export function sourceUnavailable(error: SourceError): GraphQLError {
  return new GraphQLError(`network state is unavailable: ${error.detail}`, {
    extensions: { code: ErrorCode.SourceUnavailable },
    originalError: error,
  });
}

export function chainUnavailable(error: ChainError): GraphQLError {
  return new GraphQLError(`live chain state is unavailable: ${error.message}`, {
    extensions: { code: ErrorCode.ChainUnavailable },
    originalError: error,
  });
}

/** Turns what a resolver threw into the error the client sees; unknown errors are internal and say nothing more. */
export function toClientError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (error instanceof SourceError) return sourceUnavailable(error);
  if (error instanceof ChainError) return chainUnavailable(error);
  return new GraphQLError("internal error", { extensions: { code: ErrorCode.Internal }, originalError: error instanceof Error ? error : undefined });
}
