// A subscription sent over HTTP (a dApp's first try with fetch), where graphql-js runs it once as a query: the client
// is told where subscriptions are served, with a code, rather than answered "internal error" and logged as one.
import { expect } from "chai";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import { createJsonLogger } from "../../../gateway/src/logger";
import { createResolvers } from "../../../gateway/src/resolvers";
import { buildSchema } from "../../../gateway/src/schema/executable-schema";
import { bareContext } from "../helpers/bare-context";
import { FakeHub } from "../helpers/fake-hub";
import { serveGraphQLHttp, type ServedGraphQLHttp } from "../helpers/served-graphql-http";

describe("a subscription sent over HTTP", function () {
  let served: ServedGraphQLHttp;
  const logged: Record<string, unknown>[] = [];

  before(async function () {
    // Over HTTP nothing subscribes: a hub that is asked anything (it is given nothing to answer) fails the test.
    const hub = new FakeHub();
    served = await serveGraphQLHttp({
      schema: buildSchema(createResolvers(hub)),
      limits: DEFAULT_QUERY_LIMITS,
      logger: createJsonLogger({ level: "debug", write: (line) => logged.push(JSON.parse(line) as Record<string, unknown>) }),
      context: bareContext,
    });
  });

  after(() => served.close());

  it("is answered BAD_REQUEST naming the field and the WebSocket, for each subscription, and logged as no internal error", async function () {
    const queries = {
      networkStats: "subscription { networkStats { blockNumber } }",
      jobOpened: "subscription { jobOpened { id } }",
      jobUpdated: 'subscription { jobUpdated(id: "1") { id } }',
    };
    for (const [field, query] of Object.entries(queries)) {
      const response = await fetch(served.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
      const body = (await response.json()) as { data?: unknown; errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[] };
      expect(body.errors, field).to.have.length(1);
      expect(body.errors?.[0]?.extensions, field).to.deep.equal({ code: "BAD_REQUEST" });
      expect(body.errors?.[0]?.path, field).to.deep.equal([field]);
      expect(body.errors?.[0]?.message, field).to.equal(
        `subscription ${field}: subscriptions are served over the WebSocket (graphql-ws, ws:// or wss:// on this same URL), not over HTTP`,
      );
    }
    expect(logged.filter((line) => line.level === "error")).to.deep.equal([]);
    const requests = logged.filter((line) => line.msg === "graphql request");
    expect(requests.map((line) => line.codes)).to.deep.equal([["BAD_REQUEST"], ["BAD_REQUEST"], ["BAD_REQUEST"]]);
  });
});
