// The HTTP handler on its own (schema without resolvers, no source): what it refuses before anything executes.
import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { buildSchema } from "graphql";
import { createGraphQLHttpHandler, type GraphQLHttpHandler } from "../../../gateway/src/http/graphql-http";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import { silentLogger } from "../../../gateway/src/logger";
import { loadTypeDefs } from "../../../gateway/src/schema/executable-schema";
import { bareContext } from "../helpers/bare-context";

describe("GraphQL over HTTP", function () {
  let handler: GraphQLHttpHandler;
  let server: http.Server;
  let url: string;

  before(async function () {
    handler = await createGraphQLHttpHandler({
      schema: buildSchema(loadTypeDefs()),
      limits: DEFAULT_QUERY_LIMITS,
      logger: silentLogger,
      context: bareContext,
    });
    server = http.createServer((req, res) => {
      const [, query = ""] = (req.url ?? "/").split("?", 2);
      void handler.handle(req, res, query === "" ? "" : `?${query}`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });

  after(async function () {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await handler.stop();
  });

  async function post(body: Record<string, unknown>): Promise<{ status: number; errors: { extensions?: Record<string, unknown> }[] }> {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const json = (await response.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
    return { status: response.status, errors: json.errors ?? [] };
  }

  it("judges the limits of the operation named, not of another operation of the same document judged before", async function () {
    const wide = Array.from({ length: 600 }, (_, i) => `a${i}: indexingStatus { indexedBlock }`).join(" ");
    const query = `query Cheap { __typename } query Wide { ${wide} }`;
    const cheap = await post({ query, operationName: "Cheap" });
    expect(cheap.status).to.equal(200);
    const refused = await post({ query, operationName: "Wide" });
    expect(refused.status).to.equal(400);
    expect(refused.errors[0]?.extensions?.limit).to.equal("cost");
  });

  // The README's error shape: `code` and what names the fault. Apollo's `http` (the status the limit check asks for)
  // is its own, and a BAD_USER_INPUT answered `"http": {"status": 400, "headers": {}}` besides.
  it("answers a page over the cap with BAD_USER_INPUT naming the argument, and nothing of Apollo's internals", async function () {
    const refused = await post({ query: "{ providers(first: 101) { nodes { address } } }" });
    expect(refused.status).to.equal(400);
    const extensions = refused.errors[0]?.extensions;
    expect(extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "Query.providers(first)", maximum: 100 });
  });
});
