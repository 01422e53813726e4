// The gateway's HTTP server: GraphQL (Apollo) and subscriptions (graphql-ws) on /graphql, /healthz, /readyz, and
// the dashboard's static files at /.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { GraphQLSchema } from "graphql";
import { createContext, type GatewayServices } from "./context";
import { ConnectionDrain } from "./http/connection-drain";
import { handleCors, type CorsOrigins } from "./http/cors";
import { opensEndpointInBrowser, sendEndpointPage } from "./http/endpoint-page";
import { createGraphQLHttpHandler } from "./http/graphql-http";
import { healthz, readyz } from "./http/health";
import { sendJsonError } from "./http/refusal";
import { serveStatic } from "./http/static-files";
import type { SubscriptionLimits } from "./limits/subscription-limits";
import { startSubscriptionServer, type SubscriptionServer } from "./ws/subscriptions";

export const GRAPHQL_PATH = "/graphql";

export interface HttpServerOptions {
  schema: GraphQLSchema;
  services: GatewayServices;
  host: string;
  /** 0 picks a free port. */
  port: number;
  corsOrigins: CorsOrigins;
  /** Directory served at / (the dashboard). */
  staticDir: string;
  introspection?: boolean;
  maxBodyBytes?: number;
  /** WebSocket connections and subscriptions (default DEFAULT_SUBSCRIPTION_LIMITS). */
  subscriptionLimits?: SubscriptionLimits;
  /** How long close() lets requests in flight finish before it answers them SHUTTING_DOWN (default 2000 ms). */
  stopGraceMs?: number;
}

export const DEFAULT_STOP_GRACE_MS = 2_000;

export interface RunningHttpServer {
  url: string;
  wsUrl: string;
  port: number;
  subscriptions: SubscriptionServer;
  close(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { services } = options;
  const logger = services.logger;
  const context = (signal?: AbortSignal) => createContext(services, signal);
  const graphql = await createGraphQLHttpHandler({
    schema: options.schema,
    limits: services.limits,
    logger,
    context,
    introspection: options.introspection,
    maxBodyBytes: options.maxBodyBytes,
  });

  const server = http.createServer((req, res) => {
    // Split at the first "?" only: a query string may hold more of them (split's limit would drop what follows).
    const url = req.url ?? "/";
    const mark = url.indexOf("?");
    const pathname = mark === -1 ? url : url.slice(0, mark);
    const search = mark === -1 || mark === url.length - 1 ? "" : url.slice(mark);
    handle(pathname, search, req, res).catch((error: unknown) => {
      // The stop answered it at the end of its grace: the handler's late answer found the response written.
      if (connections.wasAnsweredOnStop(res)) return;
      logger.error("request failed", { path: pathname, error });
      if (!res.headersSent) sendJsonError(res, 500, "internal error", "INTERNAL_SERVER_ERROR");
      else res.end();
    });
  });

  // A /graphql request the stop answers writes its log line then: its handler may never end (a body still arriving).
  const connections = new ConnectionDrain(server, (res, refusal) => graphql.answeredElsewhere(res, refusal));

  const handle = async (pathname: string, search: string, req: http.IncomingMessage, res: http.ServerResponse) => {
    if (handleCors(req, res, options.corsOrigins)) return;
    if (pathname === GRAPHQL_PATH) {
      if (opensEndpointInBrowser(req, search)) return sendEndpointPage(res, `http://${req.headers.host ?? "127.0.0.1"}${GRAPHQL_PATH}`, req.method === "HEAD");
      await graphql.handle(req, res, search);
      return;
    }
    if (pathname === "/healthz") return healthz(res);
    if (pathname === "/readyz") return readyz(res, services);
    if ((req.method === "GET" || req.method === "HEAD") && (await serveStatic(options.staticDir, pathname, res, req.method === "HEAD"))) return;
    sendJsonError(res, 404, `nothing at ${pathname}: GraphQL is at ${GRAPHQL_PATH}`);
  };

  const subscriptions = startSubscriptionServer({
    httpServer: server,
    path: GRAPHQL_PATH,
    schema: options.schema,
    limits: services.limits,
    subscriptionLimits: options.subscriptionLimits,
    corsOrigins: options.corsOrigins,
    logger,
    context,
    introspection: options.introspection,
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host.includes(":") ? `[${options.host}]` : options.host;
  logger.info("gateway listening", { url: `http://${hostForUrl}:${port}${GRAPHQL_PATH}` });

  return {
    url: `http://${hostForUrl}:${port}${GRAPHQL_PATH}`,
    wsUrl: `ws://${hostForUrl}:${port}${GRAPHQL_PATH}`,
    port,
    subscriptions,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Requests in flight get a moment to finish, each connection closing as its last one is answered; then
      // what is unanswered is refused, and the connections left (a response cut short, headers half sent) closed.
      connections.drain();
      const graceOver = new AbortController();
      const grace = setTimeout(() => graceOver.abort(), options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
      grace.unref();
      graceOver.signal.addEventListener("abort", () => void connections.refuseUnanswered().then(() => server.closeAllConnections()), { once: true });
      // Meanwhile each subscriber is told its subscriptions end, and its socket closed once it has been (or once the
      // grace is over, for a client that reads nothing).
      await subscriptions.close(graceOver.signal);
      await closed;
      clearTimeout(grace);
      await graphql.stop();
    },
  };
}
