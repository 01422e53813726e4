// Failures talking to the gateway, typed so that retry.ts's isTransientError (which reads a boolean `transient`)
// tells an outage, worth waiting out, from a mismatch between this worker and the gateway, which stops the worker.

import { endpointName } from "./endpoint-name";
import { briefError, isTransientError } from "./retry";

/** One entry of a GraphQL response's `errors`. */
export interface GraphQLErrorEntry {
  message: string;
  /** extensions.code, e.g. BAD_USER_INPUT, SOURCE_UNAVAILABLE. */
  code?: string;
  /** extensions.argument: the argument a BAD_USER_INPUT refused. */
  argument?: string;
}

// The gateway's codes for "cannot answer right now" (its source or the chain is down, it failed internally, or it is
// stopping: a restart ends every subscription with SHUTTING_DOWN before its socket closes); everything else (bad input,
// validation, unknown fields) will fail the same way on every try.
const TRANSIENT_CODES = new Set(["SOURCE_UNAVAILABLE", "CHAIN_UNAVAILABLE", "INTERNAL_SERVER_ERROR", "SHUTTING_DOWN"]);

/** The gateway answered a query or subscription with GraphQL errors. */
export class GatewayResponseError extends Error {
  readonly transient: boolean;
  /** The gateway refused a page's `after` cursor whose block a reorganisation replaced: the listing starts again. */
  readonly cursorExpired: boolean;

  constructor(
    readonly operation: string,
    readonly errors: readonly GraphQLErrorEntry[],
  ) {
    const text = errors.map((e) => (e.code === undefined ? e.message : `${e.message} [${e.code}]`)).join("; ");
    super(`the gateway refused ${operation}: ${text || "an error without a message"}`);
    this.name = "GatewayResponseError";
    this.cursorExpired = errors.length > 0 && errors.every((e) => e.code === "CURSOR_EXPIRED");
    // A cursor expired by a reorganisation: a listing starts again at once once (gateway-source.ts pages), and one that
    // expires again is the chain still reorganising (a devnet's reorg storm), which a wait with backoff outlasts.
    this.transient = this.cursorExpired || (errors.length > 0 && errors.every((e) => e.code !== undefined && TRANSIENT_CODES.has(e.code)));
  }
}

/** The gateway's answer was not the JSON shape this worker expects (another API, or another version of it). */
export class GatewayProtocolError extends Error {
  readonly transient = false;
  /** The gateway's URL without credentials. */
  readonly url: string;

  constructor(url: string, problem: string) {
    const shown = endpointName(url);
    super(`unexpected answer from the gateway at ${shown}: ${problem}`);
    this.url = shown;
    this.name = "GatewayProtocolError";
  }
}

/** A query got no complete answer within its time limit: an outage, worth retrying. */
export class GatewayTimeoutError extends Error {
  readonly transient = true;
  /** The gateway's URL without credentials. */
  readonly url: string;

  constructor(
    url: string,
    readonly operation: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    const shown = endpointName(url);
    super(`the gateway at ${shown} did not answer ${operation} within ${timeoutMs} ms`, options);
    this.url = shown;
    this.name = "GatewayTimeoutError";
  }
}

/** A query's request failed on the way (refused, reset, a DNS name not found): `fetch failed` alone names no gateway. */
export class GatewayNetworkError extends Error {
  readonly transient: boolean;
  /** The gateway's URL without credentials. */
  readonly url: string;

  constructor(
    url: string,
    readonly operation: string,
    cause: unknown,
  ) {
    const shown = endpointName(url);
    super(`cannot reach the gateway at ${shown} for ${operation}: ${briefError(cause)}`, { cause });
    this.url = shown;
    this.name = "GatewayNetworkError";
    this.transient = isTransientError(cause);
  }
}

// graphql-ws close codes after which connecting again cannot help: the server does not speak the protocol, or
// refuses this client (4400 bad request, 4401 unauthorized, 4403 forbidden, 4406 subprotocol not acceptable,
// 4409 duplicate subscriber id, 4429 too many initialisations).
const FATAL_CLOSE_CODES = new Set([4400, 4401, 4403, 4406, 4409, 4429]);

/** The subscription's WebSocket closed or could not be opened. */
export class GatewayConnectionError extends Error {
  readonly transient: boolean;
  /** The WebSocket's URL without credentials. */
  readonly url: string;

  constructor(
    url: string,
    /** The WebSocket close code, when there was one. */
    readonly closeCode: number | undefined,
    reason: string,
    options?: { cause?: unknown },
  ) {
    const shown = endpointName(url);
    super(
      `the gateway's WebSocket at ${shown} ${closeCode === undefined ? "failed" : `closed (${closeCode})`}` +
        (reason ? `: ${reason}` : ""),
      options,
    );
    this.url = shown;
    this.name = "GatewayConnectionError";
    this.transient = closeCode === undefined || !FATAL_CLOSE_CODES.has(closeCode);
  }
}

/** `errors` of a GraphQL response as entries; anything unexpected becomes one entry saying so. */
export function graphQLErrorEntries(errors: unknown): GraphQLErrorEntry[] {
  if (!Array.isArray(errors)) return [{ message: "malformed errors" }];
  return errors.map((error: unknown) => {
    if (typeof error !== "object" || error === null) return { message: String(error) };
    const entry = error as { message?: unknown; extensions?: { code?: unknown; argument?: unknown } };
    return {
      message: typeof entry.message === "string" ? entry.message : "an error without a message",
      code: typeof entry.extensions?.code === "string" ? entry.extensions.code : undefined,
      ...(typeof entry.extensions?.argument === "string" ? { argument: entry.extensions.argument } : {}),
    };
  });
}
