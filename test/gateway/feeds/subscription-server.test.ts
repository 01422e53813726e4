// The graphql-ws server on its own (schema without resolvers, no source): what it refuses before anything executes.
import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { buildSchema } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import { silentLogger } from "../../../gateway/src/logger";
import { loadTypeDefs } from "../../../gateway/src/schema/executable-schema";
import { startSubscriptionServer, type SubscriptionServer } from "../../../gateway/src/ws/subscriptions";
import { bareContext } from "../helpers/bare-context";

interface Outcome {
  data?: unknown;
  errors: { message?: string; extensions?: Record<string, unknown> }[];
}

describe("subscription server", function () {
  let server: http.Server;
  let subscriptions: SubscriptionServer;
  let url: string;

  before(async function () {
    server = http.createServer((_req, res) => res.writeHead(404).end());
    subscriptions = startSubscriptionServer({
      httpServer: server,
      path: "/graphql",
      schema: buildSchema(loadTypeDefs()),
      limits: DEFAULT_QUERY_LIMITS,
      corsOrigins: "*",
      logger: silentLogger,
      context: bareContext,
      introspection: false,
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });

  after(async function () {
    await subscriptions.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** The first result of an operation, or the errors it was refused with. */
  async function run(query: string, variables?: Record<string, unknown>, operationName?: string): Promise<Outcome> {
    const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    try {
      const result = await client.iterate({ query, variables, ...(operationName === undefined ? {} : { operationName }) }).next();
      const value = result.value as { data?: unknown; errors?: Outcome["errors"] } | undefined;
      return { data: value?.data, errors: value?.errors ?? [] };
    } catch (error) {
      return { errors: Array.isArray(error) ? (error as Outcome["errors"]) : [] };
    } finally {
      await client.dispose();
    }
  }

  it("with introspection: false refuses __schema and __type over WebSocket too", async function () {
    for (const query of [`{ __schema { queryType { name } } }`, `{ __type(name: "Query") { name } }`]) {
      const outcome = await run(query);
      expect(outcome.data ?? null, query).to.equal(null);
      expect(outcome.errors.map((e) => e.extensions?.code), query).to.deep.equal(["GRAPHQL_VALIDATION_FAILED"]);
      expect(outcome.errors[0]?.extensions?.validationErrorCode, query).to.equal("INTROSPECTION_DISABLED");
    }
  });

  it("refuses variables their types refuse with BAD_USER_INPUT, graphql-js's message, extensions.variable naming them and extensions.value the value refused, as over HTTP", async function () {
    const cases: [string, Record<string, unknown>, RegExp, Record<string, unknown>][] = [
      ["query Q($id: ID!) { job(id: $id) { id } }", {}, /^Variable "\$id" of required type "ID!" was not provided\.$/, { variable: "id", value: null }],
      ["query Q($first: Int) { jobs(first: $first) { nodes { id } } }", { first: "ten" }, /^Variable "\$first" got invalid value "ten"; Int cannot represent/, { variable: "first", value: "ten" }],
      ["subscription S($id: ID!) { jobUpdated(id: $id) { id } }", {}, /^Variable "\$id" of required type "ID!" was not provided\.$/, { variable: "id", value: null }],
      [
        "subscription S($r: JobFeedFilter) { jobOpened(requirements: $r) { id } }",
        { r: { tier: "GOLD" } },
        /^Variable "\$r" got invalid value "GOLD" at "r\.tier"/,
        { variable: "r", value: "GOLD" },
      ],
    ];
    for (const [query, variables, message, named] of cases) {
      const outcome = await run(query, variables);
      expect(outcome.data ?? null, query).to.equal(null);
      expect(outcome.errors.map((e) => e.extensions), query).to.deep.equal([{ code: "BAD_USER_INPUT", ...named }]);
      expect((outcome.errors[0] as { message?: string }).message, query).to.match(message);
    }
  });

  it("refuses a document with no operation to run (several and none named, or none of the name asked) with OPERATION_RESOLUTION_FAILURE and graphql-js's message, as over HTTP", async function () {
    const two = "query A { __typename } query B { __typename }";
    const cases: [string | undefined, string][] = [
      [undefined, "Must provide operation name if query contains multiple operations."],
      ["C", 'Unknown operation named "C".'],
    ];
    for (const [operationName, message] of cases) {
      const outcome = await run(two, undefined, operationName);
      expect(outcome.data ?? null, operationName).to.equal(null);
      expect(outcome.errors.map((e) => [e.message, e.extensions]), operationName).to.deep.equal([[message, { code: "OPERATION_RESOLUTION_FAILURE" }]]);
    }
  });
});
