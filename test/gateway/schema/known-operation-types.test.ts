// A mutation (a dApp developer's first guess at posting a job) against the gateway, which has none: over HTTP and over
// WebSocket it is refused in validation, with a code and what to do instead, not answered "internal error".
import { expect } from "chai";
import type { Client } from "graphql-ws";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import { createJsonLogger, silentLogger } from "../../../gateway/src/logger";
import { createResolvers } from "../../../gateway/src/resolvers";
import { buildSchema } from "../../../gateway/src/schema/executable-schema";
import { HeadWatcher } from "../../../gateway/src/sources/head-watcher";
import { bareContext } from "../helpers/bare-context";
import { EmptyIndex } from "../helpers/empty-index";
import { FakeHub } from "../helpers/fake-hub";
import { serveGatewayWs, type ServedGatewayWs } from "../helpers/served-gateway-ws";
import { serveGraphQLHttp, type ServedGraphQLHttp } from "../helpers/served-graphql-http";

const MUTATION = 'mutation Post { createJob(specURI: "data:,") { id } }';
const MESSAGE =
  "mutation: this API only reads and has no mutations; a job is posted by the client's own transaction " +
  "(JobEscrow.createJob, with the terms an offer's jobTerms gives), and followed with the jobUpdated subscription";

type Errors = { message: string; locations?: unknown; extensions?: Record<string, unknown> }[];

describe("a mutation", function () {
  describe("over HTTP", function () {
    let served: ServedGraphQLHttp;
    const logged: Record<string, unknown>[] = [];

    before(async function () {
      served = await serveGraphQLHttp({
        schema: buildSchema(createResolvers(new FakeHub())),
        limits: DEFAULT_QUERY_LIMITS,
        logger: createJsonLogger({ level: "debug", write: (line) => logged.push(JSON.parse(line) as Record<string, unknown>) }),
        context: bareContext,
      });
    });

    after(() => served.close());

    it("is refused GRAPHQL_VALIDATION_FAILED saying the API has none and how a job is posted, and logged as no internal error", async function () {
      const response = await fetch(served.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: MUTATION }) });
      const body = (await response.json()) as { errors?: Errors };
      expect(body.errors).to.deep.equal([{ message: MESSAGE, locations: [{ line: 1, column: 1 }], extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }]);
      expect(logged.filter((line) => line.level === "error")).to.deep.equal([]);
    });
  });

  describe("over WebSocket", function () {
    let served: ServedGatewayWs;
    let client: Client;

    before(async function () {
      // Validation refuses before anything reads.
      const source = new EmptyIndex();
      served = await serveGatewayWs(source, new HeadWatcher(source, { logger: silentLogger }));
      client = served.client;
    });

    after(async function () {
      await served.stop();
    });

    it("is refused GRAPHQL_VALIDATION_FAILED with the same message as over HTTP", async function () {
      let refused: Errors | undefined;
      try {
        await client.iterate({ query: MUTATION }).next();
      } catch (errors) {
        refused = errors as Errors;
      }
      expect(refused?.map((e) => [e.message, e.extensions])).to.deep.equal([[MESSAGE, { code: "GRAPHQL_VALIDATION_FAILED" }]]);
    });
  });
});
