// A literal refused in a subscription (a malformed address, an Int past 32 bits): over WebSocket, as over HTTP
// (test/gateway/http/scalar-literal-errors.test.ts), the error names the field and the argument, in the message and
// in extensions. Validation refuses it before anything reads, so the index behind the server is a bare head.
import { expect } from "chai";
import { createClient, type Client } from "graphql-ws";
import * as os from "node:os";
import WebSocket from "ws";
import { SubscriptionHub } from "../../../gateway/src/feeds/subscription-hub";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import { silentLogger } from "../../../gateway/src/logger";
import { createResolvers } from "../../../gateway/src/resolvers";
import { buildSchema } from "../../../gateway/src/schema/executable-schema";
import { startHttpServer } from "../../../gateway/src/server";
import { HeadWatcher } from "../../../gateway/src/sources/head-watcher";
import type { SourceKind, SubgraphSource } from "../../../gateway/src/sources/source";
import { SubgraphReader } from "../../../gateway/src/subgraph/reader";

/** An index at block 7 holding nothing. */
class EmptyIndex implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";

  async request<TData>(): Promise<TData> {
    const block = { number: 7, hash: `0x${"07".padStart(64, "0")}`, parentHash: `0x${"06".padStart(64, "0")}`, timestamp: 1_007 };
    return { _meta: { block, hasIndexingErrors: false, deployment: "empty" }, jobs: [], events: [] } as TData;
  }

  async close(): Promise<void> {}
}

type Refusal = { message: string; extensions?: Record<string, unknown> }[];

/** The errors graphql-ws rejects a refused subscription's first read with. */
async function refusal(client: Client, query: string): Promise<Refusal> {
  try {
    await client.iterate({ query }).next();
  } catch (errors) {
    return errors as Refusal;
  }
  throw new Error("the subscription was not refused");
}

describe("a scalar literal refused over WebSocket", function () {
  let head: HeadWatcher;
  let hub: SubscriptionHub;
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let client: Client;

  before(async function () {
    const source = new EmptyIndex();
    head = new HeadWatcher(source, { logger: silentLogger });
    const reader = new SubgraphReader(source);
    hub = new SubscriptionHub(reader, head, silentLogger, { reorgThreshold: 5 });
    hub.start();
    await head.refresh();
    server = await startHttpServer({
      schema: buildSchema(createResolvers(hub)),
      services: { reader, head, chain: null, chainHead: null, deployment: null, sourceKind: source.kind, limits: DEFAULT_QUERY_LIMITS, maxLag: 10, logger: silentLogger },
      host: "127.0.0.1",
      port: 0,
      corsOrigins: "*",
      staticDir: os.tmpdir(),
    });
    client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
  });

  after(async function () {
    await client.dispose();
    await server.close();
    hub.stop();
    await head.stop();
  });

  it("refuses clientJobsUpdated(client: \"0x12\") with BAD_USER_INPUT naming Subscription.clientJobsUpdated(client)", async function () {
    const errors = await refusal(client, 'subscription { clientJobsUpdated(client: "0x12") { id } }');
    expect(errors[0]?.message).to.equal('Subscription.clientJobsUpdated(client): Address: "0x12" is not an address (0x followed by 40 hex digits)');
    expect(errors[0]?.extensions).to.deep.equal({ code: "BAD_USER_INPUT", scalar: "Address", argument: "client", field: "Subscription.clientJobsUpdated" });
  });

  it("names the argument of an Int literal past 32 bits (jobOpened(sinceBlock)), keeping GRAPHQL_VALIDATION_FAILED", async function () {
    const errors = await refusal(client, "subscription { jobOpened(sinceBlock: 99999999999) { id } }");
    expect(errors[0]?.message).to.equal("Subscription.jobOpened(sinceBlock): Int cannot represent non 32-bit signed integer value: 99999999999");
    expect(errors[0]?.extensions).to.deep.include({ code: "GRAPHQL_VALIDATION_FAILED", argument: "sinceBlock", field: "Subscription.jobOpened" });
  });
});
