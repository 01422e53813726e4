// GraphQL over HTTP: Apollo Server 5 driven from Node's HTTP server through its integration API
// (executeHTTPGraphQLRequest), with the gateway's limits, logging and error policy as plugins.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type HTTPGraphQLResponse } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { GraphQLError, GraphQLSchema, OperationDefinitionNode } from "graphql";
import type { GatewayContext } from "../context";
import { ErrorCode } from "../errors";
import { formatError } from "../format-error";
import { checkQueryLimits, type QueryLimits } from "../limits/query-limits";
import type { Logger } from "../logger";
import { logRefusedHttpRequest, logRequest } from "../request-log";
import { executeOnLiveHead, type RequestBlock } from "../services/request-block";
import { BodyError, readBody } from "./body";

export interface GraphQLHttpOptions {
  schema: GraphQLSchema;
  limits: QueryLimits;
  logger: Logger;
  /** Builds each request's context (fresh DataLoaders). */
  context: () => GatewayContext;
  /** Largest request body (default 100 KB). */
  maxBodyBytes?: number;
  introspection?: boolean;
}

export interface GraphQLHttpHandler {
  handle(req: IncomingMessage, res: ServerResponse, search: string): Promise<void>;
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
  const apollo = new ApolloServer<GatewayContext>({
    schema: options.schema,
    introspection: options.introspection ?? true,
    includeStacktraceInErrorResponses: false,
    // Batched requests would multiply every limit by the batch size.
    allowBatchedHttpRequests: false,
    // Whoever runs the gateway stops it (the CLI and `npm start` on their signals, library users with stop()).
    // Apollo's own handlers would stop only Apollo, then re-raise the signal once they had removed themselves:
    // the process died of it (status 143) before the indexer and its database were closed.
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => formatError(formatted, error, logger),
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
    ],
  });
  await apollo.start();

  /**
   * Answers one request, and writes its `graphql request` line: a run's (logRequest) or, for a request no run answered
   * (a method, body or request refused before it ran), one naming its status and the codes the client got.
   */
  const answer = async (req: IncomingMessage, res: ServerResponse, search: string, received: bigint): Promise<void> => {
    const refuse = (status: number, message: string) => {
      sendJsonError(res, status, message);
      logRefusedHttpRequest(logger, { started: received, status, errors: 1, codes: ["BAD_REQUEST"] });
    };
    if (req.method !== "GET" && req.method !== "POST") {
      res.setHeader("allow", "GET, POST, OPTIONS");
      refuse(405, `${req.method ?? "?"} is not supported: use POST (or GET for queries)`);
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
        const status = error instanceof BodyError ? error.status : 400;
        refuse(status, error instanceof Error ? error.message : "unreadable body");
        return;
      }
      if ((headers.get("content-type") ?? "").includes("application/json")) {
        try {
          body = text.length === 0 ? {} : JSON.parse(text);
        } catch {
          refuse(400, "the request body is not valid JSON");
          return;
        }
      } else {
        body = text;
      }
    }
    const httpGraphQLRequest = { method: req.method, headers, search, body };
    const started = process.hrtime.bigint();
    const { result: response, context, rerun } = await executeOnLiveHead(
      options.context(),
      options.context,
      (context) => apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => context }),
      (_answer, context) => executionErrors.get(context.block) ?? [],
    );
    if (res.headersSent) {
      // The stop answered it SHUTTING_DOWN at the end of its grace (this run's reads were given up after it): that
      // is what the client got.
      logRefusedHttpRequest(logger, { started: received, status: res.statusCode, errors: 1, codes: [ErrorCode.ShuttingDown] });
      return;
    }
    const status = response.status ?? 200;
    // None where Apollo refused the request before running it (a GET without a query...): its answer, which holds
    // nothing but errors, says what the client got.
    const outcome = outcomes.get(context.block);
    if (outcome !== undefined) logRequest(logger, { transport: "http", status, ...outcome, started, block: context.block.pinned, rerun });
    else logRefusedHttpRequest(logger, { started, status, ...refusalErrors(response.body) });
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
      const received = process.hrtime.bigint();
      try {
        await answer(req, res, search, received);
      } catch (error) {
        // Past the answer's line (a socket that failed as the answer was written), the line is written already.
        if (!res.headersSent) {
          sendJsonError(res, 500, "internal error", "INTERNAL_SERVER_ERROR");
          logRefusedHttpRequest(logger, { started: received, status: 500, errors: 1, codes: ["INTERNAL_SERVER_ERROR"] });
        }
        throw error;
      }
    },
    stop: () => apollo.stop(),
  };
}

export function sendJsonError(res: ServerResponse, status: number, message: string, code = "BAD_REQUEST"): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/** How many errors an answer Apollo gave without a run holds, and their codes (formatError's). */
function refusalErrors(body: HTTPGraphQLResponse["body"]): { errors: number; codes: unknown[] } {
  if (body.kind !== "complete") return { errors: 0, codes: [] };
  let errors: unknown;
  try {
    errors = (JSON.parse(body.string) as { errors?: unknown }).errors;
  } catch {
    return { errors: 0, codes: [] };
  }
  if (!Array.isArray(errors)) return { errors: 0, codes: [] };
  return { errors: errors.length, codes: errors.map((error: { extensions?: { code?: unknown } } | null) => error?.extensions?.code) };
}
