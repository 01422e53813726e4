// GraphQL over HTTP: Apollo Server 5 driven from Node's HTTP server through its integration API
// (executeHTTPGraphQLRequest), with the gateway's limits, logging and error policy as plugins.
import { AsyncLocalStorage } from "node:async_hooks";
import { setMaxListeners } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { GraphQLError, GraphQLSchema, OperationDefinitionNode } from "graphql";
import type { GatewayContext } from "../context";
import { ErrorCode } from "../errors";
import { formatError } from "../format-error";
import { checkQueryLimits, type QueryLimits } from "../limits/query-limits";
import type { Logger } from "../logger";
import { CLIENT_CLOSED_REQUEST, logRefusedHttpRequest, logRequest } from "../request-log";
import { refusedVariableValues } from "../schema/refused-variables";
import { KnownOperationTypes } from "../schema/known-operation-types";
import { LiteralArguments } from "../schema/scalars";
import { executeOnLiveHead, type RequestBlock } from "../services/request-block";
import { readBody } from "./body";
import { HttpRefusal, sendRefusal } from "./refusal";

export interface GraphQLHttpOptions {
  schema: GraphQLSchema;
  limits: QueryLimits;
  logger: Logger;
  /** Builds each request's context (fresh DataLoaders), its reads given up once `signal` aborts. */
  context: (signal?: AbortSignal) => GatewayContext;
  /** Largest request body (default 100 KB). */
  maxBodyBytes?: number;
  introspection?: boolean;
}

export interface GraphQLHttpHandler {
  handle(req: IncomingMessage, res: ServerResponse, search: string): Promise<void>;
  /**
   * `res`, a request `handle` is answering, was answered with `refusal` by someone else (the server's stop, at the
   * end of its grace): its line is written now, and `handle` writes none, whether it ever ends (a body still arriving).
   * Its reads are given up: nobody will receive what they find.
   */
  answeredElsewhere(res: ServerResponse, refusal: HttpRefusal): void;
  stop(): Promise<void>;
}

/**
 * Limit results per operation and variables: the same operation with the same variables is judged once. Keyed by the
 * operation, not the document: a document may hold a cheap and an expensive operation, picked by operationName.
 */
function limitsPlugin(schema: GraphQLSchema, limits: QueryLimits): ApolloServerPlugin<GatewayContext> {
  const judged = new WeakMap<OperationDefinitionNode, Map<string, GraphQLError | null>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (operation === undefined || operation === null) return;
          const variablesKey = JSON.stringify(request.variables ?? {});
          let byVariables = judged.get(operation);
          let verdict = byVariables?.get(variablesKey);
          if (verdict === undefined) {
            const result = checkQueryLimits(schema, document, operation, request.variables ?? {}, limits);
            verdict = result.errors[0] ?? null;
            if (verdict !== null) verdict.extensions.http = { status: 400, headers: new HeaderMap() };
            if (byVariables === undefined) {
              byVariables = new Map();
              judged.set(operation, byVariables);
            }
            if (byVariables.size < 256) byVariables.set(variablesKey, verdict);
          }
          if (verdict !== null) throw verdict;
        },
      };
    },
  };
}

/**
 * Tells the client which indexed block the answer read (`extensions.block`): every field of a request reads one
 * (RequestBlock), which a field's own figures (`blockNumber`, `pageInfo.blockNumber`) may not show. Absent where no
 * field read it: every list followed a cursor (each reads its sequence's block), or nothing read the index at all.
 */
function blockPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          const block = contextValue.block.pinned;
          if (block === null || response.body.kind !== "single") return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, block };
        },
      };
    },
  };
}

/**
 * Keeps the errors each request's execution ended with, unformatted (what resolvers threw is their originalError):
 * the answer leaves executeHTTPGraphQLRequest as text, and executeOnLiveHead must tell from them whether a read lost
 * the request's pinned head. By the request's RequestBlock: Apollo hands plugins a copy of the context, not the one
 * given, but a shallow one.
 */
function executionErrorsPlugin(errorsOf: WeakMap<RequestBlock, readonly GraphQLError[]>): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ contextValue, errors }) {
          errorsOf.set(contextValue.block, [...(errorsOf.get(contextValue.block) ?? []), ...errors]);
        },
      };
    },
  };
}

/**
 * Adds `extensions.value` to the refusals of a request's variables, as every other refusal of an argument carries the
 * value it refused (see refusedVariableValues). In place: the errors this hook is handed are the ones Apollo then
 * formats.
 */
function refusedVariablesPlugin(schema: GraphQLSchema): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ request, errors }) {
          for (const [error, value] of refusedVariableValues(schema, errors, request.variables)) {
            if (!("value" in error.extensions)) error.extensions.value = value;
          }
        },
      };
    },
  };
}

/** How a run of a request ended, for the request's log line. */
interface RunOutcome {
  operation: string | null;
  errors: readonly GraphQLError[] | undefined;
}

/**
 * Keeps how each run of a request ended, by its RequestBlock as executionErrorsPlugin does. `handle` writes the line,
 * once per request: a run whose pinned head a reorganisation replaced is followed by another (executeOnLiveHead), and
 * a line per run would count one request twice.
 */
function runOutcomePlugin(outcomes: WeakMap<RequestBlock, RunOutcome>): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operationName, errors, contextValue }) {
          outcomes.set(contextValue.block, { operation: operationName ?? null, errors });
        },
      };
    },
  };
}

export async function createGraphQLHttpHandler(options: GraphQLHttpOptions): Promise<GraphQLHttpHandler> {
  const { logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 100_000;
  const executionErrors = new WeakMap<RequestBlock, readonly GraphQLError[]>();
  const outcomes = new WeakMap<RequestBlock, RunOutcome>();
  // The codes of the errors each request's answer was formatted with, by the request's async context: Apollo hands
  // formatError nothing of the request, and a request it refuses without a run (a GET without a query, CSRF
  // prevention) reaches no plugin hook that has one. Its line reads them from here.
  const formattedCodes = new AsyncLocalStorage<unknown[]>();
  // When each request in flight was received.
  const received = new WeakMap<ServerResponse, bigint>();
  // Gives up each request's reads: once the stop has answered it, or its connection closed before its answer ended.
  const giveUps = new WeakMap<ServerResponse, AbortController>();
  const apollo = new ApolloServer<GatewayContext>({
    schema: options.schema,
    validationRules: [LiteralArguments, KnownOperationTypes],
    introspection: options.introspection ?? true,
    includeStacktraceInErrorResponses: false,
    // Batched requests would multiply every limit by the batch size.
    allowBatchedHttpRequests: false,
    // Whoever runs the gateway stops it (the CLI and `npm start` on their signals, library users with stop()).
    // Apollo's own handlers would stop only Apollo, then re-raise the signal once they had removed themselves:
    // the process died of it (status 143) before the indexer and its database were closed.
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => {
      const answered = formatError(formatted, error, logger);
      formattedCodes.getStore()?.push(answered.extensions?.code);
      return answered;
    },
    logger: {
      debug: (m) => logger.debug(String(m)),
      info: (m) => logger.info(String(m)),
      warn: (m) => logger.warn(String(m)),
      error: (m) => logger.error(String(m)),
    },
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Cache hints are per field and wrap every resolver; answers here are cached per indexed block instead.
      ApolloServerPluginCacheControlDisabled(),
      limitsPlugin(options.schema, options.limits),
      runOutcomePlugin(outcomes),
      blockPlugin(),
      executionErrorsPlugin(executionErrors),
      refusedVariablesPlugin(options.schema),
    ],
  });
  await apollo.start();

  /** The line of a request no run answered. */
  const logRefusal = (started: bigint, refusal: HttpRefusal) =>
    logRefusedHttpRequest(logger, { started, status: refusal.status, errors: 1, codes: [refusal.code] });

  /**
   * Answers one request, and writes its `graphql request` line: a run's (logRequest) or, for a request no run answered
   * (a method, body or request refused before it ran), one naming its status and the codes the client got. Once the
   * server's stop has answered it (the response's headers are sent), it neither answers nor logs: that line is
   * answeredElsewhere's.
   */
  const answer = async (req: IncomingMessage, res: ServerResponse, search: string, received: bigint, signal: AbortSignal): Promise<void> => {
    const refuse = (refusal: HttpRefusal) => {
      sendRefusal(res, refusal);
      logRefusal(received, refusal);
    };
    if (req.method !== "GET" && req.method !== "POST") {
      res.setHeader("allow", "GET, POST, OPTIONS");
      refuse(new HttpRefusal(405, `${req.method ?? "?"} is not supported: use POST (or GET for queries)`));
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    let body: unknown = undefined;
    if (req.method === "POST") {
      let text: string;
      try {
        text = await readBody(req, maxBodyBytes);
      } catch (error) {
        if (res.headersSent) return;
        refuse(error instanceof HttpRefusal ? error : new HttpRefusal(400, error instanceof Error ? error.message : "unreadable body"));
        return;
      }
      if (res.headersSent) return;
      if ((headers.get("content-type") ?? "").includes("application/json")) {
        try {
          body = text.length === 0 ? {} : JSON.parse(text);
        } catch {
          refuse(new HttpRefusal(400, "the request body is not valid JSON"));
          return;
        }
      } else {
        body = text;
      }
    }
    const httpGraphQLRequest = { method: req.method, headers, search, body };
    const started = process.hrtime.bigint();
    const codes: unknown[] = [];
    const { result: response, context, rerun } = await formattedCodes.run(codes, () =>
      executeOnLiveHead(
        options.context(signal),
        () => options.context(signal),
        (context) => apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => context }),
        (_answer, context) => executionErrors.get(context.block) ?? [],
      ),
    );
    // The stop answered it SHUTTING_DOWN at the end of its grace (this run's reads were given up then).
    if (res.headersSent) return;
    // Its connection closed before the answer (the client left): nothing can be sent, and the errors of the reads
    // given up then are no source's failure. Logged with nginx's 499, "client closed request", and no codes.
    const closed = signal.aborted;
    const status = closed ? CLIENT_CLOSED_REQUEST : (response.status ?? 200);
    // None where Apollo refused the request before running it (a GET without a query...): the one error its answer
    // holds is the one formatted for it.
    const outcome = outcomes.get(context.block);
    if (outcome !== undefined) {
      logRequest(logger, { transport: "http", status, ...outcome, ...(closed ? { errors: [] } : {}), started, block: context.block.pinned, rerun });
    } else {
      logRefusedHttpRequest(logger, { started, status, errors: closed ? 0 : codes.length, codes: closed ? [] : codes });
    }
    if (closed) return;
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = status;
    if (response.body.kind === "complete") {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  return {
    async handle(req, res, search) {
      const started = process.hrtime.bigint();
      received.set(res, started);
      const giveUp = new AbortController();
      // Each read in flight listens on it: a request may run more than Node's ten at once.
      setMaxListeners(0, giveUp.signal);
      giveUps.set(res, giveUp);
      // A response that closes unfinished lost its connection (the client left, or the stop dropped it): what its
      // reads would find has nowhere to go. One that finished has no reads left to give up.
      const onClose = () => {
        if (!res.writableFinished) giveUp.abort();
      };
      res.once("close", onClose);
      try {
        await answer(req, res, search, started, giveUp.signal);
      } catch (error) {
        // Past the answer's line (a socket that failed as the answer was written, or the stop answered it), the
        // line is written already.
        if (!res.headersSent) {
          const failure = new HttpRefusal(500, "internal error", ErrorCode.Internal);
          sendRefusal(res, failure);
          logRefusal(started, failure);
        }
        throw error;
      } finally {
        received.delete(res);
        giveUps.delete(res);
        res.off("close", onClose);
      }
    },
    answeredElsewhere(res, refusal) {
      const started = received.get(res);
      if (started !== undefined) logRefusal(started, refusal);
      giveUps.get(res)?.abort();
    },
    stop: () => apollo.stop(),
  };
}
