// The `graphql request` log line, one per query or mutation whichever transport carried it, so that request counts
// and error rates read from the log cover HTTP and the WebSocket alike. It names the operation and the codes of the
// errors answered, never the query, its variables or an error's message: a message may quote a variable's value (a
// scalar refusing it) or a source's URL.
import type { GraphQLError } from "graphql";
import { formatError } from "./format-error";
import { silentLogger, type Logger } from "./logger";
import type { PinnedBlock } from "./model/cursor";
import type { RequestRerun } from "./services/request-block";

export type Transport = "http" | "ws";

/**
 * The status an operation whose client left before its answer is logged with (nginx's "client closed request"): an
 * HTTP request whose connection closed, or a WebSocket operation whose socket closed or that its client completed.
 */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * The codes `errors` are answered with (formatError's): what a resolver threw carries none of its own where it is a
 * source's or the chain's failure, or a bug. Without logging: the answer's formatting logs what it must, once.
 */
export function answeredCodes(errors: readonly GraphQLError[]): unknown[] {
  return [...new Set(errors.map((e) => formatError(e.toJSON(), e, silentLogger).extensions?.code))];
}

export interface RequestOutcome {
  transport: Transport;
  /** The HTTP status answered; over the WebSocket none, but CLIENT_CLOSED_REQUEST where the client left the query. */
  status?: number;
  /** The name of the operation run, null where it has none (or none was found). */
  operation: string | null;
  /** When the request started (process.hrtime.bigint()). */
  started: bigint;
  errors: readonly GraphQLError[] | undefined;
  /**
   * The indexed block the request read, as its answer names it in `extensions.block`; null where it read none (refused
   * before it ran, or every field followed a cursor or read no index), so that a line can be matched to its answer.
   */
  block: Pick<PinnedBlock, "number" | "hash"> | null;
  /** Where a reorganisation had the request run again: the block its first run read, and the one answered. */
  rerun: RequestRerun | null;
}

export function logRequest(logger: Logger, outcome: RequestOutcome): void {
  const { errors } = outcome;
  logger.info("graphql request", {
    transport: outcome.transport,
    status: outcome.status,
    operation: outcome.operation,
    durationMs: elapsedMs(outcome.started),
    errors: errors?.length ?? 0,
    codes: errors === undefined ? undefined : answeredCodes(errors),
    block: outcome.block ?? undefined,
    rerun: outcome.rerun ?? undefined,
  });
}

/** An HTTP request answered before any run: a method, body or request Apollo (or the gateway) refused, or a failure. */
export interface RefusedHttpRequest {
  /** When the request started (process.hrtime.bigint()). */
  started: bigint;
  status: number;
  /** How many errors the answer holds. */
  errors: number;
  /** Their codes, as the client got them. */
  codes: readonly unknown[];
}

/** The same `graphql request` line as logRequest's, for a request no run answered: it names no operation or block. */
export function logRefusedHttpRequest(logger: Logger, refused: RefusedHttpRequest): void {
  logger.info("graphql request", {
    transport: "http",
    status: refused.status,
    operation: null,
    durationMs: elapsedMs(refused.started),
    errors: refused.errors,
    codes: [...new Set(refused.codes)],
  });
}

export function elapsedMs(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}
