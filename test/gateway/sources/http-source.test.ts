import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { startGateway, type GatewayHandle } from "../../../gateway/src";
import { SourceError, SourceInternalError, SourceRequestAbortedError } from "../../../gateway/src/errors";
import { gatewayRedactor } from "../../../gateway/src/gateway";
import { HttpSourceConfigError, HttpSubgraphSource, endpointFailure } from "../../../gateway/src/sources/http-source";
import { startSilentNode, type SilentNode } from "../../helpers/silent-node";
import { waitUntil } from "../../helpers/wait";
import { fakeGraphNode, type FakeGraphNode } from "../helpers/fake-graph-node";
import { recordingLogger } from "../helpers/recording-logger";

const META = "{ _meta { block { number } } }";

/**
 * A graph-node behind a proxy that wants `authorization`: it answers a query sent with it, 401 to any other, and
 * keeps what each request carried.
 */
async function guardedGraphNode(authorization: string): Promise<{ port: number; seen: { url?: string; authorization?: string }[]; close(): Promise<void> }> {
  const seen: { url?: string; authorization?: string }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url, authorization: req.headers.authorization });
    req.resume();
    req.on("end", () => {
      if (req.headers.authorization !== authorization) res.writeHead(401, { "content-type": "text/html" }).end("<h1>401 Authorization Required</h1>");
      else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { _meta: { block: { number: 7 } } } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;

describe("HttpSubgraphSource", () => {
  it("names the reason graph-node gives when it refuses a request with HTTP 400 and its {\"error\"} body (an invalid subgraph id in the URL)", async () => {
    // graph-node answers a ClientError so, not as a GraphQL response with `errors`.
    const server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: "Invalid subgraph id `latent`" })));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const source = new HttpSubgraphSource({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/subgraphs/id/latent` });
      let caught: unknown;
      await source.request(META).catch((error: unknown) => (caught = error));
      expect(caught).to.be.instanceOf(SourceError);
      expect((caught as SourceError).detail).to.equal("the subgraph endpoint answered HTTP 400: Invalid subgraph id `latent`");
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("names an endpoint it cannot reach by its host and route, without its credentials or query", async () => {
    // Port 9 (discard): nothing answers there on a test machine.
    const source = new HttpSubgraphSource({ url: "http://user:pw@127.0.0.1:9/subgraphs/name/latent?token=abc" });
    let caught: unknown;
    await source.request(META).catch((error: unknown) => (caught = error));
    expect(caught).to.be.instanceOf(SourceError);
    expect((caught as SourceError).message).to.equal("subgraph request to http://127.0.0.1:9/subgraphs/name/latent?… failed");
  });

  it("sends a URL's credentials as Authorization: Basic, percent-decoded, and the URL without them", async () => {
    const node = await guardedGraphNode(basic("us@er", "p:ss wörd%"));
    try {
      // URL keeps a lone % as it is: it stays a %, as a browser reads it.
      const source = new HttpSubgraphSource({ url: `http://us%40er:p%3Ass%20w%C3%B6rd%@127.0.0.1:${node.port}/subgraphs/name/latent` });
      expect(await source.request(META)).to.deep.equal({ _meta: { block: { number: 7 } } });
      expect(node.seen).to.deep.equal([{ url: "/subgraphs/name/latent", authorization: basic("us@er", "p:ss wörd%") }]);
    } finally {
      await node.close();
    }
  });

  it("sends a bearer token as Authorization: Bearer", async () => {
    const node = await guardedGraphNode("Bearer key-123");
    try {
      const source = new HttpSubgraphSource({ url: `http://127.0.0.1:${node.port}/subgraphs/name/latent`, bearerToken: "key-123" });
      expect(await source.request(META)).to.deep.equal({ _meta: { block: { number: 7 } } });
    } finally {
      await node.close();
    }
  });

  it("says the endpoint refused the gateway (HTTP 401), naming neither the credentials nor the URL's", async () => {
    const node = await guardedGraphNode(basic("user", "right"));
    try {
      const source = new HttpSubgraphSource({ url: `http://user:wrong-secret@127.0.0.1:${node.port}/subgraphs/name/latent` });
      const caught: unknown = await source.request(META).catch((error: unknown) => error);
      expect(caught).to.be.instanceOf(SourceError);
      expect((caught as SourceError).detail).to.equal("the subgraph endpoint refused the gateway (HTTP 401)");
      expect((caught as SourceError).message).to.equal("subgraph endpoint answered HTTP 401: the gateway sent credentials it refused");
      expect(JSON.stringify([(caught as SourceError).message, (caught as SourceError).detail])).not.to.match(/wrong-secret|user/);
    } finally {
      await node.close();
    }
  });

  it("says an endpoint answering HTTP 403 refused the gateway too, and logs that it sent no credentials where it sent none", async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(403, { "content-type": "text/html" }).end("<h1>403 Forbidden</h1>"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const source = new HttpSubgraphSource({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/subgraphs/name/latent` });
      const caught: unknown = await source.request(META).catch((error: unknown) => error);
      expect(caught).to.be.instanceOf(SourceError);
      expect([(caught as SourceError).detail, (caught as SourceError).message]).to.deep.equal([
        "the subgraph endpoint refused the gateway (HTTP 403)",
        "subgraph endpoint answered HTTP 403: the gateway sent no credentials",
      ]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("refuses credentials in the URL together with a bearer token, and a token a header cannot carry, without repeating them", () => {
    const both = () => new HttpSubgraphSource({ url: "https://user:secret@graph.example/subgraphs/name/latent", bearerToken: "key-123" });
    expect(both).to.throw(HttpSourceConfigError, /https:\/\/graph\.example\/subgraphs\/name\/latent carries credentials and a bearer token/);
    expect(both).to.throw(/^(?!.*(secret|key-123))/);
    for (const token of ["", "key 123", "key\r\nx-injected: 1"]) {
      expect(() => new HttpSubgraphSource({ url: "https://graph.example/subgraphs/name/latent", bearerToken: token }), JSON.stringify(token))
        .to.throw(HttpSourceConfigError, /bearer token is empty or holds whitespace/);
    }
  });

  it("keeps the bearer token out of what the gateway logs, as it keeps a URL's credentials", () => {
    const url = "https://graph.example/subgraphs/name/latent";
    const redact = gatewayRedactor({ source: { subgraphUrl: url, bearerToken: "key-123" }, chain: null });
    expect(redact?.(`asked ${url} with Bearer key-123`)).to.equal(`asked ${url} with Bearer …`);
    const withCredentials = gatewayRedactor({ source: { subgraphUrl: "https://user:secret@graph.example/subgraphs/name/latent" }, chain: null });
    expect(withCredentials?.("asked https://user:secret@graph.example/subgraphs/name/latent")).to.equal(`asked ${url}`);
  });
});

describe("HttpSubgraphSource's errors from graph-node", function () {
  // What graph-node answers when Postgres refuses the SQL it built: QueryExecutionError::StoreError, which quotes it.
  const STORE_ERROR =
    'Store error: store error: column c.gpu_model_key does not exist in query select \'Provider\' as entity, to_jsonb(c.*) as data from "sgd7"."provider" c';
  let node: FakeGraphNode;
  let handle: GatewayHandle | undefined;

  beforeEach(async function () {
    node = await fakeGraphNode("QmStoreErrorStoreErrorStoreErrorStoreErrorStore", { health: "healthy", fatalError: null, nonFatalErrors: [] });
  });

  afterEach(async function () {
    await handle?.stop();
    handle = undefined;
    await node.close();
  });

  async function failure(): Promise<SourceError> {
    const source = new HttpSubgraphSource({ url: node.subgraphUrl });
    let caught: unknown;
    await source.request("{ providers(first: 1) { id } }").catch((error: unknown) => (caught = error));
    expect(caught).to.be.instanceOf(SourceError);
    return caught as SourceError;
  }

  it("tells clients a graph-node store error as SOURCE_UNAVAILABLE naming STORE_ERROR, not the SQL it quotes, and logs graph-node's message", async function () {
    node.queryErrors = [STORE_ERROR];
    const { logger, lines } = recordingLogger();
    handle = await startGateway({ source: { subgraphUrl: node.subgraphUrl }, chain: null, port: 0, headPollMs: 20, logger });
    const response = await fetch(new URL("/graphql", handle.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ providers(first: 1) { nodes { address } } }" }),
    });
    const answer = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(answer.errors, JSON.stringify(answer)).to.have.length(1);
    expect(answer.errors?.[0]).to.deep.include({
      message: "network state is unavailable: the subgraph endpoint failed: its store failed (STORE_ERROR); its message is in the gateway's log",
      extensions: { code: "SOURCE_UNAVAILABLE" },
    });
    const logged = lines().find((line) => line.msg === "subgraph source failed");
    expect(logged, "the operator's log line").to.deep.include({ level: "error", failure: "STORE_ERROR" });
    expect(JSON.stringify(logged)).to.include("column c.gpu_model_key does not exist");
  });

  it("passes on as it is an error that says what is wrong with the query", async function () {
    node.queryErrors = ["Type `Provider` has no field `nope`"];
    const error = await failure();
    expect(error).not.to.be.instanceOf(SourceInternalError);
    expect(error.detail).to.equal("the subgraph endpoint answered with an error: Type `Provider` has no field `nope`");
  });

  it("passes on graph-node's refusal of a block, which a cursor's CURSOR_EXPIRED is made of", async function () {
    node.queryErrors = ["Failed to decode `block.hash` value: `no block with that hash found`"];
    expect((await failure()).detail).to.equal("the subgraph endpoint answered with an error: Failed to decode `block.hash` value: `no block with that hash found`");
  });

  it("tells an error it does not know to be the query's as UNKNOWN_ERROR, keeping the message for the log", async function () {
    // The embedded indexer's HTTP server answers a failure of its database with SQLite's message as it is.
    node.queryErrors = ["no such table: ent_Provider"];
    const error = await failure();
    expect(error).to.be.instanceOf(SourceInternalError);
    expect((error as SourceInternalError).failure).to.equal("UNKNOWN_ERROR");
    expect(error.detail).not.to.include("ent_Provider");
    expect(error.message).to.include("no such table: ent_Provider");
  });
});

describe("endpointFailure", function () {
  it("names graph-node's own failures by its variant, before any query error's words its message may hold", function () {
    expect(endpointFailure('Store error: relation "sgd7.provider" does not exist; it was pruned', 200)?.code).to.equal("STORE_ERROR");
    expect(endpointFailure("Failed to get entities from store: timeout", 200)?.code).to.equal("RESOLVE_ENTITIES_ERROR");
    expect(endpointFailure("panic processing query: index out of bounds", 200)?.code).to.equal("PANIC");
  });

  it("tells an unknown error answered with HTTP 5xx by its status (the embedded indexer's server answers a thrown error so), a query error by none", function () {
    expect(endpointFailure("SQLITE_BUSY: database is locked", 500)).to.deep.include({ code: "HTTP_500" });
    expect(endpointFailure("service is overloaded and can not run the query right now. Please try again in a few minutes", 503)).to.equal(null);
    expect(endpointFailure("indexing_error", 200)).to.equal(null);
  });
});

describe("HttpSubgraphSource on an endpoint that accepts connections and never answers", function () {
  // Far above the tests' own timeout: a request that waited for it fails its test by timing out.
  const TEN_MINUTES_MS = 600_000;
  let node: SilentNode;
  let source: HttpSubgraphSource;

  beforeEach(async function () {
    this.timeout(10_000);
    node = await startSilentNode();
    source = new HttpSubgraphSource({ url: `${node.url}/subgraphs/name/latent`, timeoutMs: TEN_MINUTES_MS });
  });

  afterEach(async function () {
    await source.close();
    await node.close();
  });

  it("close() gives up the requests in flight with SourceRequestAbortedError, and ends their connections", async function () {
    this.timeout(10_000);
    const pending = source.request(META).catch((error: unknown) => error);
    await waitUntil(() => node.connections > 0, "the source asked the endpoint");
    await source.close();
    const error = await pending;
    expect(error).to.be.instanceOf(SourceRequestAbortedError);
    expect((error as SourceError).detail).to.equal("no one waits for its answer (the gateway is stopping, or the client left)");
    await waitUntil(() => node.open === 0, "the source closed its connection");
  });

  it("gives up a request whose signal aborts, and no other", async function () {
    this.timeout(10_000);
    const controller = new AbortController();
    const given = source.request(META, {}, { signal: controller.signal }).catch((error: unknown) => error);
    const other = source.request(META).catch((error: unknown) => error);
    await waitUntil(() => node.connections === 2, "the source asked the endpoint twice");
    controller.abort();
    expect(await given).to.be.instanceOf(SourceRequestAbortedError);
    await waitUntil(() => node.open === 1, "the given-up request's connection closed");
    await source.close();
    expect(await other).to.be.instanceOf(SourceRequestAbortedError);
  });
});
