// The HTTP server over services that have no source (only what answers without one): how it reads requests.
import { expect } from "chai";
import type { GatewayServices } from "../../../gateway/src/context";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import { createJsonLogger, silentLogger } from "../../../gateway/src/logger";
import { buildSchema } from "../../../gateway/src/schema/executable-schema";
import { createResolvers } from "../../../gateway/src/resolvers";
import { startHttpServer, type RunningHttpServer } from "../../../gateway/src/server";
import { DEFAULT_STATIC_DIR } from "../../../gateway/src";
import { FakeHeadWatcher } from "../helpers/fake-head-watcher";
import { FakeHub } from "../helpers/fake-hub";
import { FakeReader } from "../helpers/fake-reader";

describe("gateway HTTP server", function () {
  let server: RunningHttpServer;

  before(async function () {
    const services: GatewayServices = {
      // Never read: only withSignal, as each request's context is built with its own signal.
      reader: new FakeReader({ withSignal: () => services.reader }),
      head: new FakeHeadWatcher({}),
      chain: null,
      chainHead: null,
      deployment: null,
      sourceKind: "subgraphUrl",
      limits: DEFAULT_QUERY_LIMITS,
      maxLag: 5,
      logger: silentLogger,
    };
    server = await startHttpServer({
      schema: buildSchema(createResolvers(new FakeHub())),
      services,
      host: "127.0.0.1",
      port: 0,
      corsOrigins: "*",
      staticDir: DEFAULT_STATIC_DIR,
    });
  });

  after(async function () {
    await server.close();
  });

  it("reads the whole query string of a GET, a `?` inside it included", async function () {
    const response = await fetch(`${server.url}?operationName=Q&what=?&query=query%20Q%20%7B%20__typename%20%7D`, {
      headers: { "apollo-require-preflight": "true" },
    });
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ data: { __typename: "Query" } });
  });

  it("gives a browser opening /graphql (a GET or HEAD asking for HTML, no query) a page saying how to send a query, linking the dashboard", async function () {
    const response = await fetch(server.url, { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.equal("text/html; charset=utf-8");
    const page = await response.text();
    expect(page).to.include("<title>Latent GraphQL API</title>");
    expect(page).to.include(`curl -s ${server.url} -H 'content-type: application/json'`);
    expect(page).to.include('<a href="/">dashboard</a>');
    const head = await fetch(server.url, { method: "HEAD", headers: { accept: "text/html" } });
    expect([head.status, head.headers.get("content-type"), Number(head.headers.get("content-length"))]).to.deep.equal([200, "text/html; charset=utf-8", Buffer.byteLength(page)]);
    expect(await head.text()).to.equal("");
  });

  it("still answers a GET without a query that does not ask for HTML with Apollo's refusal, and one with a query with its result", async function () {
    const refused = await fetch(server.url, { headers: { accept: "application/json" } });
    expect(refused.status).to.equal(400);
    expect(refused.headers.get("content-type")).to.match(/^application\/json/);
    const answered = await fetch(`${server.url}?query=%7B%20__typename%20%7D`, { headers: { accept: "text/html,*/*;q=0.8", "apollo-require-preflight": "true" } });
    expect(answered.status).to.equal(200);
    expect(await answered.json()).to.deep.equal({ data: { __typename: "Query" } });
  });

  it("answers a request that failed 500 INTERNAL_SERVER_ERROR, logged as a `graphql request` line and a `request failed` error line", async function () {
    const lines: Record<string, unknown>[] = [];
    const failing = await startHttpServer({
      schema: buildSchema(createResolvers(new FakeHub())),
      services: {
        // A request's context cannot be built: what a bug anywhere in the handler amounts to.
        reader: new FakeReader({ withSignal: () => { throw new Error("no reader"); } }),
        head: new FakeHeadWatcher({}),
        chain: null,
        chainHead: null,
        deployment: null,
        sourceKind: "subgraphUrl",
        limits: DEFAULT_QUERY_LIMITS,
        maxLag: 5,
        logger: createJsonLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }),
      },
      host: "127.0.0.1",
      port: 0,
      corsOrigins: "*",
      staticDir: DEFAULT_STATIC_DIR,
    });
    try {
      const response = await fetch(failing.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect([response.status, body.errors.map((error) => error.extensions.code)]).to.deep.equal([500, ["INTERNAL_SERVER_ERROR"]]);
      const logged = lines.map(({ msg, level, status, codes, path }) => ({ msg, level, status, codes, path }));
      expect(logged.filter((line) => line.msg !== "gateway listening")).to.deep.equal([
        { msg: "graphql request", level: "info", status: 500, codes: ["INTERNAL_SERVER_ERROR"], path: undefined },
        { msg: "request failed", level: "error", status: undefined, codes: undefined, path: "/graphql" },
      ]);
    } finally {
      await failing.close();
    }
  });
});
