// Subscriptions over graphql-ws (the graphql-transport-ws protocol) on the HTTP server's port, at the GraphQL path.
// Each operation goes through the same validation, limits and error policy as over HTTP; connections and running
// subscriptions are capped (SubscriptionLimits).
import { setMaxListeners } from "node:events";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import {
  GraphQLError,
  execute,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationTypeNode,
  type ValidationRule,
} from "graphql";
import type { SubscribePayload } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocket, WebSocketServer } from "ws";
import type { GatewayContext } from "../context";
import { ErrorCode, shuttingDown, tooManySubscriptions } from "../errors";
import { formatError } from "../format-error";
import { originAllowed, type CorsOrigins } from "../http/cors";
import { checkQueryLimits, type QueryLimits } from "../limits/query-limits";
import { DEFAULT_SUBSCRIPTION_LIMITS, type SubscriptionLimits, type SubscriptionSlot } from "../limits/subscription-limits";
import type { Logger } from "../logger";
import type { PinnedBlock } from "../model/cursor";
import { CLIENT_CLOSED_REQUEST, answeredCodes, elapsedMs, logRequest } from "../request-log";
import { refusedVariableValues } from "../schema/refused-variables";
import { KnownOperationTypes } from "../schema/known-operation-types";
import { LiteralArguments } from "../schema/scalars";
import { executeOnLiveHead } from "../services/request-block";
import { ANSWER_HANDOVER_MS } from "../answer-handover";
import { failOnAbort, failedStream } from "./fail-on-abort";
import { subscribeWithFreshContexts } from "./fresh-context-subscribe";
import { OpenOperations } from "./open-operations";
import { OperationSignals } from "./operation-signals";

export interface SubscriptionServerOptions {
  httpServer: Server;
  path: string;
  schema: GraphQLSchema;
  limits: QueryLimits;
  /** Connections and running subscriptions (default DEFAULT_SUBSCRIPTION_LIMITS). */
  subscriptionLimits?: SubscriptionLimits;
  corsOrigins: CorsOrigins;
  logger: Logger;
  /**
   * A new context (its own DataLoaders): one per operation, and one per event of a subscription; its reads are given
   * up once `signal` aborts.
   */
  context: (signal?: AbortSignal) => GatewayContext;
  /** Largest message (default 64 KB). */
  maxPayloadBytes?: number;
  /** As over HTTP (default true): graphql-ws runs queries too, so `false` must hold here as well. */
  introspection?: boolean;
}

export interface SubscriptionServer {
  /** Connected sockets. */
  readonly clientCount: number;
  /** Subscriptions running (or starting), all connections together. */
  readonly subscriptionCount: number;
  /**
   * Ends every subscription with a SHUTTING_DOWN error (one still starting too, and one asked for from now on) and
   * lets the queries in flight run until `giveUp` aborts (the grace), when those still unanswered are answered
   * SHUTTING_DOWN. Waits until each of those answers is handed to its socket, then closes every connection with 1001:
   * no longer than the grace for subscriptions (a client that reads nothing), and ANSWER_HANDOVER_MS past it for the
   * queries it ended.
   */
  close(giveUp?: AbortSignal): Promise<void>;
}

/** Validation errors as Apollo codes them over HTTP: BAD_USER_INPUT when a scalar refused a value, else validation. */
function validationError(error: GraphQLError): GraphQLError {
  // graphql-js reports a scalar's GraphQLError as it is, or wraps other errors as the originalError.
  const cause = error.originalError instanceof GraphQLError ? error.originalError : error;
  const code = cause.extensions.code === ErrorCode.BadUserInput ? ErrorCode.BadUserInput : ErrorCode.ValidationFailed;
  return new GraphQLError(error.message, { nodes: error.nodes, extensions: code === ErrorCode.BadUserInput ? { ...cause.extensions, code } : { code } });
}

/** Refuses `__schema` and `__type` (`__typename` is no introspection), coded as Apollo refuses them over HTTP. */
const NoIntrospection: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value !== "__schema" && node.name.value !== "__type") return;
    context.reportError(
      new GraphQLError(`introspection is disabled on this gateway, but the operation selects ${node.name.value}`, {
        nodes: [node],
        extensions: { code: ErrorCode.ValidationFailed, validationErrorCode: "INTROSPECTION_DISABLED" },
      }),
    );
  },
});

function formatResult(result: ExecutionResult, logger: Logger): ExecutionResult {
  if (result.errors === undefined || result.errors.length === 0) return result;
  return {
    ...result,
    errors: result.errors.map((e) => {
      const f = formatError(e.toJSON(), e, logger);
      return new GraphQLError(f.message, { extensions: f.extensions, path: f.path });
    }),
  };
}

/**
 * `result` with the block its request (or subscription event) read in `extensions.block` (see graphql-http's
 * blockPlugin), where it read one.
 */
function withBlock(result: ExecutionResult, context: GatewayContext): ExecutionResult {
  const block = context.block.pinned;
  return block === null ? result : { ...result, extensions: { ...result.extensions, block } };
}

/**
 * graphql-js answers a start that fails with a GraphQLError (what a subscribe resolver throws, located) as a result,
 * but rethrows anything else, such as a resolver that returns no event stream. graphql-ws then closes the whole
 * connection (4500) and never completes the operation, so its slot and the connection's other subscriptions would
 * go with it. As a result instead, graphql-ws sends the error (INTERNAL_SERVER_ERROR, logged by formatResult) and
 * completes the operation, which frees its slot in onComplete.
 */
async function startSubscription(
  args: ExecutionArgs,
  freshContext: () => GatewayContext,
  answer: (result: ExecutionResult, context: GatewayContext) => ExecutionResult,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  try {
    return await subscribeWithFreshContexts(args, freshContext, answer);
  } catch (error) {
    const cause = error instanceof Error ? error : new Error(String(error));
    return { errors: [new GraphQLError(cause.message, { originalError: cause })] };
  }
}

/** Why a subscription that started ended, in its `graphql subscription end` log line. */
export type SubscriptionEnd =
  /** The client sent `complete`. */
  | "client-completed"
  /** Its connection closed (the client left, or its socket failed). */
  | "connection-closed"
  /** Ended by the server for maxSubscriptionsPerConnection (the oldest of those that gave their slot back). */
  | "server-limit"
  /** The gateway stopped. */
  | "server-stopped"
  /** Its feed ended. */
  | "feed-ended"
  /** Its feed failed: the client got the error. */
  | "failed";

/** An operation over the WebSocket, for its log lines. */
interface OperationLog {
  kind: OperationTypeNode;
  operation: string | null;
  started: bigint;
  /** A subscription whose start was accepted (its start line written). */
  running: boolean;
  events: number;
  errors: GraphQLError[];
  /** Why it ended, where the server knows before graphql-ws completes it. */
  end: SubscriptionEnd | null;
  /** The block the latest event executed read, where one did (an event may read none, or follow a cursor). */
  block: PinnedBlock | null;
}

export function startSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const { logger, schema, limits } = options;
  const caps = options.subscriptionLimits ?? DEFAULT_SUBSCRIPTION_LIMITS;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 64_000 });
  // The subscriptions each connection holds, by the payload of their subscribe message: graphql-ws hands
  // onComplete that same object, where an id may already be taken again by a new subscription of the client's.
  const held = new WeakMap<object, Set<object>>();
  let heldTotal = 0;
  // The queries each connection runs. graphql-ws reads a connection's messages whatever its client has left unread,
  // and completes a query only once its result is written: without a cap, a client that sends queries and reads
  // nothing has the server execute them all and buffer every result (each up to the cost limit's worth of rows).
  const queries = new WeakMap<object, Set<object>>();
  // The subscriptions of each connection that gave their slot back (SubscriptionSlot), oldest first: still counted in
  // heldTotal, not in the connection's slots.
  const waiving = new WeakMap<object, Set<object>>();
  const release = (connection: object, payload: object) => {
    if (held.get(connection)?.delete(payload) === true || waiving.get(connection)?.delete(payload) === true) heldTotal--;
    queries.get(connection)?.delete(payload);
  };
  // The event streams each connection runs, by subscribe payload, and the connection, payload and signal of each
  // operation's context (what `subscribe` and `execute` are handed). graphql-ws ends only the streams its table of
  // ids holds when a connection closes; a client that completes a subscription while it is still starting and then
  // reuses its id replaces the first stream there, which would run on, feeding the hub's subscriber, after its
  // connection is gone.
  const streams = new WeakMap<object, Map<object, AsyncIterableIterator<ExecutionResult>>>();
  const operations = new WeakMap<object, { connection: object; payload: object; signal: AbortSignal }>();
  // Each operation's log, by its context (what `execute` and `subscribe` are handed) and by its subscribe payload.
  const logsByContext = new WeakMap<object, OperationLog>();
  const logs = new WeakMap<object, OperationLog>();
  // Aborted by close(): every subscription's stream fails SHUTTING_DOWN (failOnAbort), and none starts any more.
  const closing = new AbortController();
  // Aborted at the end of close()'s grace: the queries still running are answered SHUTTING_DOWN, their reads given up.
  const graceOver = new AbortController();
  // Every operation's reads listen to one of them while they run (a subscription's start, an event's, a query's).
  setMaxListeners(0, closing.signal, graceOver.signal);
  // What each operation's reads listen to: its client leaving it, or the stop giving it up.
  const signals = new OperationSignals();
  // The queries each connection runs, from their admission until graphql-ws has handed their answer to the socket.
  const openQueries = new OpenOperations();
  const open = new OpenOperations();
  // Subscriptions ended early (see slotOf) before their stream was tracked, by payload.
  const evicted = new WeakSet<object>();
  const slotOf = (connection: object, payload: object): SubscriptionSlot => ({
    release: () => {
      if (held.get(connection)?.delete(payload) !== true) return;
      const mine = waiving.get(connection) ?? new Set<object>();
      mine.add(payload);
      waiving.set(connection, mine);
      if (mine.size <= caps.maxSubscriptionsPerConnection) return;
      // Bounded as the slots are: one connection must not fill maxSubscriptions with feeds of jobs that are over.
      const [oldest] = mine;
      if (oldest === undefined) return;
      release(connection, oldest);
      const log = logs.get(oldest);
      if (log !== undefined) log.end = "server-limit";
      const stream = streams.get(connection)?.get(oldest);
      // One still starting has no stream yet: track ends it once it has.
      if (stream === undefined) evicted.add(oldest);
      else void stream.return?.();
    },
    retake: () => {
      if (waiving.get(connection)?.delete(payload) !== true) return;
      held.get(connection)?.add(payload);
    },
  });
  const track = async (args: ExecutionArgs) => {
    const key = typeof args.contextValue === "object" && args.contextValue !== null ? args.contextValue : null;
    const log = key === null ? undefined : logsByContext.get(key);
    const operation = key === null ? undefined : operations.get(key);
    // Each event names the block it read, as a query's answer does, so a client can line events and queries up.
    // One starting as the server stops is refused as soon as the stop comes: its start may wait on a source read
    // that the stop gives up only after the server has closed. One whose client leaves it while it starts ends then,
    // its start's reads given up.
    const started = closing.signal.aborted
      ? null
      : await unlessGivenUp(
          startSubscription(args, () => options.context(closing.signal), (result, context) => {
            const block = context.block.pinned;
            if (log !== undefined && block !== null) log.block = block;
            return withBlock(result, context);
          }),
          operation?.signal ?? closing.signal,
        );
    if (started === null && operation !== undefined && signals.clientLeft(operation.payload)) {
      if (log !== undefined) logSubscriptionStart(log, [], { clientLeft: true });
      // Sent to nobody: graphql-ws sends nothing for an operation whose client left it.
      return { data: null };
    }
    if (started === null) {
      if (log !== undefined) logSubscriptionStart(log, [shuttingDown()]);
      return failedStream<ExecutionResult>(shuttingDown());
    }
    if (log !== undefined) {
      log.running = Symbol.asyncIterator in started;
      const refusal = Symbol.asyncIterator in started ? [] : (started.errors ?? []);
      logSubscriptionStart(log, refusal);
    }
    if (!(Symbol.asyncIterator in started)) return started;
    const stream = failOnAbort(started, closing.signal, shuttingDown);
    if (operation !== undefined) {
      const running = streams.get(operation.connection) ?? new Map<object, AsyncIterableIterator<ExecutionResult>>();
      running.set(operation.payload, stream);
      streams.set(operation.connection, running);
      if (evicted.has(operation.payload)) void stream.return?.();
    }
    return stream;
  };

  /**
   * What `starting` resolves to, or null if `signal` aborts first (the server starts closing, or the client left): a
   * stream it gives then is ended.
   */
  const unlessGivenUp = (
    starting: Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>,
    signal: AbortSignal,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult | null> =>
    new Promise((resolve, reject) => {
      const onAbort = () => {
        resolve(null);
        void starting.then((late) => (Symbol.asyncIterator in late ? late.return?.() : undefined), () => undefined);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
      starting.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (pathname !== options.path || !originAllowed(req.headers.origin, options.corsOrigins, req.headers.host)) {
      socket.write("HTTP/1.1 403 Forbidden\r\nconnection: close\r\n\r\n");
      socket.destroy();
      return;
    }
    if (wss.clients.size >= caps.maxConnections) {
      // Closed after the handshake rather than refused with an HTTP status: a browser sees the close code and reason
      // (1013, try again later), and never the status of a failed upgrade.
      wss.handleUpgrade(req, socket, head, (ws) => ws.close(1013, `too many connections: the gateway accepts at most ${caps.maxConnections}`));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  };
  options.httpServer.on("upgrade", onUpgrade);

  /** The arguments `payload` runs with, or the errors it is refused with. */
  const admit = (ctx: object, id: string, payload: SubscribePayload, started: bigint): GraphQLError[] | ExecutionArgs => {
    let document;
    try {
      document = parse(payload.query);
    } catch (error) {
      const message = error instanceof GraphQLError ? error.message : "the query cannot be parsed";
      return [new GraphQLError(message, { extensions: { code: "GRAPHQL_PARSE_FAILED" } })];
    }
    // Found before validation, so that an invalid document's refusal is logged as the kind of operation it is.
    const operation = getOperationAST(document, payload.operationName ?? undefined);
    if (operation !== null && operation !== undefined) {
      logs.set(payload, { kind: operation.operation, operation: operation.name?.value ?? null, started, running: false, events: 0, errors: [], end: null, block: null });
    }
    const errors = validate(schema, document, [...specifiedRules, LiteralArguments, KnownOperationTypes]);
    if (errors.length > 0) return errors.map(validationError);
    if (options.introspection === false) {
      const refused = validate(schema, document, [NoIntrospection]);
      if (refused.length > 0) return [...refused];
    }
    if (operation === null || operation === undefined) {
      // What a client is told over HTTP (Apollo answers graphql-js's refusal), so that it branches the same on both. A
      // valid document holds an operation (a lone fragment is unused): several, then, where none is named.
      const name = payload.operationName ?? null;
      const message = name !== null ? `Unknown operation named "${name}".` : "Must provide operation name if query contains multiple operations.";
      return [new GraphQLError(message, { extensions: { code: ErrorCode.OperationResolutionFailure } })];
    }
    const variables = payload.variables ?? {};
    // graphql-js's execute reports a variable its type refuses as an uncoded error, which the error policy would
    // answer as INTERNAL_SERVER_ERROR without its message; Apollo codes it BAD_USER_INPUT over HTTP.
    const coercion = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
    if (coercion.errors !== undefined) {
      // The scalar's own error kept as the cause: the answer names the scalar that refused the value, as over HTTP.
      const refused = refusedVariableValues(schema, coercion.errors, variables);
      return coercion.errors.map(
        (e) =>
          new GraphQLError(e.message, {
            nodes: e.nodes,
            originalError: e.originalError,
            extensions: { code: ErrorCode.BadUserInput, ...(refused.has(e) ? { value: refused.get(e) } : {}) },
          }),
      );
    }
    const verdict = checkQueryLimits(schema, document, operation, variables, limits);
    if (verdict.errors.length > 0) return verdict.errors;
    // A subscription holds a slot until it ends; a query or mutation one of its own until its result is written.
    if (operation.operation === "subscription") {
      const mine = held.get(ctx) ?? new Set<object>();
      if (mine.size >= caps.maxSubscriptionsPerConnection) return [tooManySubscriptions("connection", caps.maxSubscriptionsPerConnection)];
      if (heldTotal >= caps.maxSubscriptions) return [tooManySubscriptions("server", caps.maxSubscriptions)];
      mine.add(payload);
      held.set(ctx, mine);
      heldTotal++;
      open.add(ctx, payload);
    } else {
      const mine = queries.get(ctx) ?? new Set<object>();
      if (mine.size >= caps.maxSubscriptionsPerConnection) return [tooManySubscriptions("connection", caps.maxSubscriptionsPerConnection, "queries")];
      mine.add(payload);
      queries.set(ctx, mine);
      openQueries.add(ctx, payload);
    }
    // A subscription's reads (its start's, as each event's) are given up as the server stops: its start is refused
    // then, and its events no longer sent, and the stop must not wait on them, nor leave them to the source's close.
    // A query's are given up at the end of the stop's grace, when it is answered SHUTTING_DOWN. A query's, and a
    // subscription's start's, are given up too once the client leaves the operation: nobody would receive what they
    // find.
    const signal = signals.open(ctx, id, payload, operation.operation === "subscription" ? closing.signal : graceOver.signal);
    const contextValue = options.context(signal);
    const log = logs.get(payload);
    if (log !== undefined) logsByContext.set(contextValue, log);
    operations.set(contextValue, { connection: ctx, payload, signal });
    if (operation.operation === "subscription") contextValue.subscriptionSlot = slotOf(ctx, payload);
    return { schema, document, operationName: payload.operationName ?? undefined, variableValues: variables, contextValue };
  };

  /**
   * The one line a subscription's start writes: it runs, or the codes it was refused with, or (`clientLeft`) that its
   * client left it before it started, as a query's line says so: status 499 and no codes.
   */
  const logSubscriptionStart = (log: OperationLog, refusal: readonly GraphQLError[], { clientLeft = false } = {}) => {
    logger.info("graphql subscription start", {
      transport: "ws",
      ...(clientLeft ? { status: CLIENT_CLOSED_REQUEST } : {}),
      operation: log.operation,
      accepted: !clientLeft && refusal.length === 0,
      durationMs: elapsedMs(log.started),
      codes: clientLeft ? [] : refusal.length === 0 ? undefined : answeredCodes(refusal),
    });
  };

  const disposable = useServer<Record<string, unknown> | undefined>(
    {
      schema,
      context: () => options.context(),
      // Each push is answered like a new query: fresh DataLoaders, so its nested fields are as new as the event.
      subscribe: track,
      // A query runs as over HTTP: again at a fresh head where its pinned one was lost, and names the block it read.
      // One still running at the end of the stop's grace is answered SHUTTING_DOWN, as an HTTP request is then; one
      // whose client left it (closed its socket, or sent `complete`) ends then, logged as an HTTP request whose
      // client closed its connection: 499, no codes (the given-up reads are no source's failure).
      execute: async (args) => {
        const operation = operations.get(args.contextValue as GatewayContext);
        const signal = operation?.signal ?? graceOver.signal;
        const running = executeOnLiveHead(
          args.contextValue as GatewayContext,
          () => options.context(signal),
          async (contextValue) => execute({ ...args, contextValue }),
          (answer) => answer.errors ?? [],
        );
        const ran = await untilAborted(running, signal);
        const log = logsByContext.get(args.contextValue as GatewayContext);
        if (ran === undefined && operation !== undefined && signals.clientLeft(operation.payload)) {
          running.catch(() => undefined);
          if (log !== undefined) {
            logRequest(logger, { transport: "ws", status: CLIENT_CLOSED_REQUEST, operation: log.operation, started: log.started, errors: [], block: null, rerun: null });
          }
          // Sent to nobody: graphql-ws sends nothing for an operation whose client left it.
          return { data: null };
        }
        if (ran === undefined) {
          // Its reads are given up (its context's signal): what it ends with is not answered.
          running.catch(() => undefined);
          const errors = [shuttingDown()];
          if (log !== undefined) logRequest(logger, { transport: "ws", operation: log.operation, started: log.started, errors, block: null, rerun: null });
          return { errors };
        }
        const { result, context, rerun } = ran;
        // Logged as the answer is ready, as over HTTP: whether the client still waits for it, it was run.
        if (log !== undefined) {
          const { operation, started } = log;
          logRequest(logger, { transport: "ws", operation, started, errors: result.errors, block: context.block.pinned, rerun });
        }
        return withBlock(result, context);
      },
      onSubscribe: (ctx, id, payload) => {
        const started = process.hrtime.bigint();
        const admitted = admit(ctx, id, payload, started);
        if (!Array.isArray(admitted)) return admitted;
        const log = logs.get(payload);
        // A document that did not parse, or named no operation of its own, is refused as a request over HTTP is.
        if (log?.kind === "subscription") logSubscriptionStart(log, admitted);
        else logRequest(logger, { transport: "ws", operation: log?.operation ?? null, started, errors: admitted, block: null, rerun: null });
        return admitted;
      },
      onNext: (_ctx, _id, payload, _args, result) => {
        const formatted = formatResult(result as ExecutionResult, logger);
        const log = logs.get(payload);
        if (log?.running === true) {
          log.events++;
          log.errors.push(...(result as ExecutionResult).errors ?? []);
        }
        return formatted;
      },
      onError: (_ctx, _id, payload, errors) => {
        const log = logs.get(payload);
        if (log?.running === true) {
          log.end ??= closing.signal.aborted && errors.every((e) => e.extensions.code === ErrorCode.ShuttingDown) ? "server-stopped" : "failed";
          log.errors.push(...errors);
        }
        return errors.map((e) => {
          const f = formatError(e.toJSON(), e, logger);
          return new GraphQLError(f.message, { extensions: f.extensions, path: f.path });
        });
      },
      // Called however the operation ended: completed by either side, failed, or its socket closed.
      onComplete: (ctx, id, payload) => {
        signals.end(ctx, id, payload);
        release(ctx, payload);
        openQueries.delete(ctx, payload);
        streams.get(ctx)?.delete(payload);
        open.delete(ctx, payload);
        const log = logs.get(payload);
        if (log?.running !== true) return;
        log.running = false;
        // graphql-ws forgets an id the client completed, or all of them as the connection closes, before ending it.
        const end: SubscriptionEnd =
          log.end ??
          (closing.signal.aborted ? "server-stopped" : id in ctx.subscriptions ? "feed-ended" : ctx.extra.socket.readyState === WebSocket.OPEN ? "client-completed" : "connection-closed");
        logger.info("graphql subscription end", {
          transport: "ws",
          operation: log.operation,
          durationMs: elapsedMs(log.started),
          events: log.events,
          end,
          errors: log.errors.length,
          codes: answeredCodes(log.errors),
          block: log.block ?? undefined,
        });
      },
      // Whatever did not reach onComplete (its socket failed mid-send) is freed when the connection ends.
      onClose: async (ctx) => {
        const running = streams.get(ctx);
        streams.delete(ctx);
        await Promise.all([...(running?.values() ?? [])].map((stream) => stream.return?.()));
        queries.delete(ctx);
        open.forget(ctx);
        openQueries.forget(ctx);
        heldTotal -= (held.get(ctx)?.size ?? 0) + (waiving.get(ctx)?.size ?? 0);
        held.delete(ctx);
        waiving.delete(ctx);
      },
      onConnect: (ctx) => {
        signals.watch(ctx, ctx.extra.socket);
        logger.debug("subscription client connected");
        return true;
      },
    },
    wss,
  );

  return {
    get clientCount() {
      return wss.clients.size;
    },
    get subscriptionCount() {
      return heldTotal;
    },
    async close(giveUp) {
      options.httpServer.off("upgrade", onUpgrade);
      closing.abort();
      const endGrace = () => graceOver.abort();
      if (giveUp?.aborted === true) endGrace();
      else giveUp?.addEventListener("abort", endGrace, { once: true });
      // graphql-ws hands an operation's error or answer to its socket, and completes the operation only once it has:
      // sent before the close frame (ws sends in order), it reaches the client.
      await untilAborted(Promise.all([open.whenNone(), openQueries.whenNone()]), giveUp);
      if (graceOver.signal.aborted) {
        const handover = new AbortController();
        const timer = setTimeout(() => handover.abort(), ANSWER_HANDOVER_MS);
        timer.unref();
        await untilAborted(openQueries.whenNone(), handover.signal);
        clearTimeout(timer);
      }
      giveUp?.removeEventListener("abort", endGrace);
      await disposable.dispose();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** What `work` resolves to, or undefined if `signal` aborts first (at once if it has). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
