// The gateway's schema and subscription feeds served over HTTP and WebSocket on 127.0.0.1 by the gateway's own
// server, over a test's index and head watcher, with a graphql-ws client connected: what the WebSocket tests share.
import { createClient, type Client } from "graphql-ws";
import * as os from "node:os";
import WebSocket from "ws";
import { SubscriptionHub } from "../../../gateway/src/feeds/subscription-hub";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import { silentLogger, type Logger } from "../../../gateway/src/logger";
import { createResolvers } from "../../../gateway/src/resolvers";
import { buildSchema } from "../../../gateway/src/schema/executable-schema";
import { startHttpServer } from "../../../gateway/src/server";
import type { HeadWatcher } from "../../../gateway/src/sources/head-watcher";
import type { SubgraphSource } from "../../../gateway/src/sources/source";
import { SubgraphReader } from "../../../gateway/src/subgraph/reader";

export interface ServedGatewayWs {
  client: Client;
  /** Disposes of the client, closes the server, stops the hub and the head watcher. */
  stop(): Promise<void>;
}

/**
 * Starts the hub on `head` (refreshed once, not started: the test moves the index and refreshes it) and serves it.
 * `logger` is the server's (its request and subscription log lines).
 */
export async function serveGatewayWs(source: SubgraphSource, head: HeadWatcher, logger: Logger = silentLogger): Promise<ServedGatewayWs> {
  const reader = new SubgraphReader(source);
  const hub = new SubscriptionHub(reader, head, silentLogger, { reorgThreshold: 5 });
  hub.start();
  await head.refresh();
  const server = await startHttpServer({
    schema: buildSchema(createResolvers(hub)),
    services: { reader, head, chain: null, chainHead: null, deployment: null, sourceKind: source.kind, limits: DEFAULT_QUERY_LIMITS, maxLag: 10, logger },
    host: "127.0.0.1",
    port: 0,
    corsOrigins: "*",
    staticDir: os.tmpdir(),
  });
  const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
  return {
    client,
    async stop() {
      await client.dispose();
      await server.close();
      hub.stop();
      await head.stop();
    },
  };
}
