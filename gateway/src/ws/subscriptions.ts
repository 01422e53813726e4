// Subscriptions over graphql-ws (the graphql-transport-ws protocol) on the HTTP server's port, at the GraphQL path.
// Each operation goes through the same validation, limits and error policy as over HTTP; connections and running
// subscriptions are capped (SubscriptionLimits).
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import {
  GraphQLError,
  execute,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type ValidationRule,
} from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { GatewayContext } from "../context";
import { ErrorCode, tooManySubscriptions } from "../errors";
import { formatError } from "../format-error";
import { originAllowed, type CorsOrigins } from "../http/cors";
import { checkQueryLimits, type QueryLimits } from "../limits/query-limits";
import { DEFAULT_SUBSCRIPTION_LIMITS, type SubscriptionLimits, type SubscriptionSlot } from "../limits/subscription-limits";
import type { Logger } from "../logger";
import { executeOnLiveHead } from "../services/request-block";
import { subscribeWithFreshContexts } from "./fresh-context-subscribe";

export interface SubscriptionServerOptions {
  httpServer: Server;
  path: string;
  schema: GraphQLSchema;
  limits: QueryLimits;
  /** Connections and running subscriptions (default DEFAULT_SUBSCRIPTION_LIMITS). */
  subscriptionLimits?: SubscriptionLimits;
  corsOrigins: CorsOrigins;
  logger: Logger;
  /** A new context (its own DataLoaders): one per operation, and one per event of a subscription. */
  context: () => GatewayContext;
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
  close(): Promise<void>;
}

/** Validation errors as Apollo codes them over HTTP: BAD_USER_INPUT when a scalar refused a value, else validation. */
function validationError(error: GraphQLError): GraphQLError {
  // graphql-js reports a scalar's GraphQLError as it is, or wraps other errors as the originalError.
  const cause = error.originalError instanceof GraphQLError ? error.originalError : error;
  const code = cause.extensions.code === ErrorCode.BadUserInput ? ErrorCode.BadUserInput : ErrorCode.ValidationFailed;
  return new GraphQLError(error.message, { nodes: error.nodes, extensions: { code } });
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

/** `result` with the block its request read in `extensions.block` (see graphql-http's blockPlugin), where it read one. */
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
async function startSubscription(args: ExecutionArgs, freshContext: () => unknown): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  try {
    return await subscribeWithFreshContexts(args, freshContext);
  } catch (error) {
    const cause = error instanceof Error ? error : new Error(String(error));
    return { errors: [new GraphQLError(cause.message, { originalError: cause })] };
  }
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
  // The event streams each connection runs, by subscribe payload, and the connection and payload of each operation's
  // context (what `subscribe` is handed). graphql-ws ends only the streams its table of ids holds when a connection
  // closes; a client that completes a subscription while it is still starting and then reuses its id replaces the
  // first stream there, which would run on, feeding the hub's subscriber, after its connection is gone.
  const streams = new WeakMap<object, Map<object, AsyncIterableIterator<ExecutionResult>>>();
  const operations = new WeakMap<object, { connection: object; payload: object }>();
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
    const started = await startSubscription(args, options.context);
    const operation = typeof args.contextValue === "object" && args.contextValue !== null ? operations.get(args.contextValue) : undefined;
    if (operation !== undefined && Symbol.asyncIterator in started) {
      const running = streams.get(operation.connection) ?? new Map<object, AsyncIterableIterator<ExecutionResult>>();
      running.set(operation.payload, started);
      streams.set(operation.connection, running);
      if (evicted.has(operation.payload)) void started.return?.();
    }
    return started;
  };

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

  const disposable = useServer<Record<string, unknown> | undefined>(
    {
      schema,
      context: () => options.context(),
      // Each push is answered like a new query: fresh DataLoaders, so its nested fields are as new as the event.
      subscribe: track,
      // A query runs as over HTTP: again at a fresh head where its pinned one was lost, and names the block it read.
      execute: async (args) => {
        const { result, context, rerun } = await executeOnLiveHead(
          args.contextValue as GatewayContext,
          options.context,
          async (contextValue) => execute({ ...args, contextValue }),
          (answer) => answer.errors ?? [],
        );
        // The one line such a query writes: queries over the WebSocket have no request log.
        if (rerun !== null) logger.info("a reorganisation replaced the head a query read: it ran again at the new head", { ...rerun });
        return withBlock(result, context);
      },
      onSubscribe: (ctx, _id, payload) => {
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          const message = error instanceof GraphQLError ? error.message : "the query cannot be parsed";
          return [new GraphQLError(message, { extensions: { code: "GRAPHQL_PARSE_FAILED" } })];
        }
        const errors = validate(schema, document, specifiedRules);
        if (errors.length > 0) return errors.map(validationError);
        if (options.introspection === false) {
          const refused = validate(schema, document, [NoIntrospection]);
          if (refused.length > 0) return refused;
        }
        const operation = getOperationAST(document, payload.operationName ?? undefined);
        if (operation === null || operation === undefined) {
          return [new GraphQLError("no operation to run (name it with operationName)", { extensions: { code: ErrorCode.BadUserInput } })];
        }
        const variables = payload.variables ?? {};
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
        } else {
          const mine = queries.get(ctx) ?? new Set<object>();
          if (mine.size >= caps.maxSubscriptionsPerConnection) return [tooManySubscriptions("connection", caps.maxSubscriptionsPerConnection, "queries")];
          mine.add(payload);
          queries.set(ctx, mine);
        }
        const contextValue = options.context();
        if (operation.operation === "subscription") {
          operations.set(contextValue, { connection: ctx, payload });
          contextValue.subscriptionSlot = slotOf(ctx, payload);
        }
        return { schema, document, operationName: payload.operationName ?? undefined, variableValues: variables, contextValue };
      },
      onNext: (_ctx, _id, _payload, _args, result) => formatResult(result as ExecutionResult, logger),
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((e) => {
          const f = formatError(e.toJSON(), e, logger);
          return new GraphQLError(f.message, { extensions: f.extensions, path: f.path });
        }),
      // Called however the operation ended: completed by either side, failed, or its socket closed.
      onComplete: (ctx, _id, payload) => {
        release(ctx, payload);
        streams.get(ctx)?.delete(payload);
      },
      // Whatever did not reach onComplete (its socket failed mid-send) is freed when the connection ends.
      onClose: async (ctx) => {
        const running = streams.get(ctx);
        streams.delete(ctx);
        await Promise.all([...(running?.values() ?? [])].map((stream) => stream.return?.()));
        queries.delete(ctx);
        heldTotal -= (held.get(ctx)?.size ?? 0) + (waiving.get(ctx)?.size ?? 0);
        held.delete(ctx);
        waiving.delete(ctx);
      },
      onConnect: () => {
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
    async close() {
      options.httpServer.off("upgrade", onUpgrade);
      await disposable.dispose();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
