// The HTTP handler on its own (schema without resolvers, no source): what it refuses before anything executes.
import { expect } from "chai";
import { buildSchema } from "graphql";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import type { GatewayContext } from "../../../gateway/src/context";
import { createJsonLogger, silentLogger } from "../../../gateway/src/logger";
import { loadTypeDefs } from "../../../gateway/src/schema/executable-schema";
import { bareContext } from "../helpers/bare-context";
import { serveGraphQLHttp, type ServedGraphQLHttp } from "../helpers/served-graphql-http";

describe("GraphQL over HTTP", function () {
  let served: ServedGraphQLHttp;

  before(async function () {
    served = await serveGraphQLHttp({
      schema: buildSchema(loadTypeDefs()),
      limits: DEFAULT_QUERY_LIMITS,
      logger: silentLogger,
      context: bareContext,
    });
  });

  after(() => served.close());

  async function post(body: Record<string, unknown>): Promise<{ status: number; errors: { message: string; extensions?: Record<string, unknown> }[] }> {
    const response = await fetch(served.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const json = (await response.json()) as { errors?: { message: string; extensions?: Record<string, unknown> }[] };
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

  // The WebSocket answers the same (test/gateway/feeds/subscription-server.test.ts).
  it("refuses a document with no operation to run (several and none named, or none of the name asked) with OPERATION_RESOLUTION_FAILURE and graphql-js's message", async function () {
    const query = "query A { __typename } query B { __typename }";
    const cases: [string | undefined, string][] = [
      [undefined, "Must provide operation name if query contains multiple operations."],
      ["C", 'Unknown operation named "C".'],
    ];
    for (const [operationName, message] of cases) {
      const refused = await post({ query, ...(operationName === undefined ? {} : { operationName }) });
      expect(refused.status, operationName).to.equal(400);
      expect(refused.errors.map((e) => [e.message, e.extensions]), operationName).to.deep.equal([[message, { code: "OPERATION_RESOLUTION_FAILURE" }]]);
    }
  });

  // The README's error shape: `code` and what names the fault. Apollo's `http` (the status the limit check asks for)
  // is its own, and a BAD_USER_INPUT answered `"http": {"status": 400, "headers": {}}` besides.
  it("answers a page over the cap with BAD_USER_INPUT naming the argument and its field, and nothing of Apollo's internals", async function () {
    const refused = await post({ query: "{ providers(first: 101) { nodes { address } } }" });
    expect(refused.status).to.equal(400);
    const extensions = refused.errors[0]?.extensions;
    expect(extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "first", field: "Query.providers", value: 101, minimum: 1, maximum: 100 });
  });

  it("states the page size's range when refusing a `first` below 1", async function () {
    const refused = await post({ query: "{ providers(first: 0) { nodes { address } } }" });
    expect(refused.status).to.equal(400);
    expect(refused.errors[0]?.message).to.equal("Query.providers(first): must be from 1 to 100 (got 0)");
    expect(refused.errors[0]?.extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "first", field: "Query.providers", value: 0, minimum: 1, maximum: 100 });
  });

  it("names a variable its type refuses, or a required one missing, in extensions.variable, and the value refused in extensions.value (null: missing)", async function () {
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ query: "query Q($d: Boolean) { jobs(filter: { directed: $d }) { nodes { id } } }", variables: { d: "yes" } }, { code: "BAD_USER_INPUT", variable: "d", value: "yes" }],
      [{ query: "query Q($id: ID!) { job(id: $id) { id } }", variables: {} }, { code: "BAD_USER_INPUT", variable: "id", value: null }],
      [{ query: "query Q($id: ID!) { job(id: $id) { id } }", variables: { id: null } }, { code: "BAD_USER_INPUT", variable: "id", value: null }],
      [
        { query: "query Q($f: JobFilter) { jobs(filter: $f) { nodes { id } } }", variables: { f: { statuses: ["OPEN", "NOPE"] } } },
        { code: "BAD_USER_INPUT", variable: "f", value: "NOPE" },
      ],
    ];
    for (const [body, extensions] of cases) {
      const refused = await post(body);
      expect(refused.errors, String(body.query)).to.have.length(1);
      expect(refused.errors[0]?.extensions, String(body.query)).to.deep.equal(extensions);
      expect(refused.errors[0]?.message, String(body.query)).to.match(/^Variable "\$\w+" /);
    }
  });

  // A page size sent as a variable of the wrong type ("5" for an Int) is a type error of the variable: judged as a
  // page size it read "first: must be from 1 to 100 (got 5)", naming neither the variable nor the fault.
  it("names a page size or history length sent as a variable of the wrong type as the variable its type refuses, not as a size out of range", async function () {
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ query: "query Q($n: Int) { providers(first: $n) { nodes { address } } }", variables: { n: "5" } }, { code: "BAD_USER_INPUT", variable: "n", value: "5" }],
      [{ query: "query Q($d: Int) { networkStats(days: $d) { blockNumber } }", variables: { d: 7.5 } }, { code: "BAD_USER_INPUT", variable: "d", value: 7.5 }],
    ];
    for (const [body, extensions] of cases) {
      const refused = await post(body);
      expect(refused.status, String(body.query)).to.equal(400);
      expect(refused.errors, String(body.query)).to.have.length(1);
      expect(refused.errors[0]?.extensions, String(body.query)).to.deep.equal(extensions);
      expect(refused.errors[0]?.message, String(body.query)).to.match(/^Variable "\$\w+" got invalid value .*Int cannot represent/);
    }
  });

  it("names each value refused in one variable in its own refusal's extensions.value, in graphql-js's order", async function () {
    const refused = await post({ query: "query Q($s: [JobStatus!]) { jobs(filter: { statuses: $s }) { nodes { id } } }", variables: { s: ["NOPE", "OPEN", "GONE"] } });
    expect(refused.errors.map((e) => [e.message.match(/^Variable "\$s" got invalid value "(\w+)"/)?.[1], e.extensions?.value])).to.deep.equal([
      ["NOPE", "NOPE"],
      ["GONE", "GONE"],
    ]);
  });

  it("advises `after` for a nested list too (Provider.slashes pages with its rows' cursors)", async function () {
    const refused = await post({ query: '{ provider(address: "0x0000000000000000000000000000000000000001") { slashes(first: 101) { blockNumber } } }' });
    expect(refused.status).to.equal(400);
    expect(refused.errors[0]?.message).to.equal("Provider.slashes(first): 101 is over the maximum page size of 100; page with `after` instead");
  });

  it("names a history's days over the cap as every resolver names an argument, its field beside it", async function () {
    const refused = await post({ query: '{ provider(address: "0x0000000000000000000000000000000000000001") { history(days: 366) { date } } }' });
    expect(refused.status).to.equal(400);
    expect(refused.errors[0]?.message).to.equal("Provider.history(days): must be between 1 and 365 (got 366)");
    expect(refused.errors[0]?.extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "days", field: "Provider.history", value: 366, minimum: 1, maximum: 365 });
  });
});

describe("GraphQL over HTTP: the request log", function () {
  /** A handler logging to `lines`, served on 127.0.0.1 as the gateway's server serves it; `context` builds each request's. */
  async function serve(context: () => GatewayContext = bareContext) {
    const lines: Record<string, unknown>[] = [];
    const served = await serveGraphQLHttp({
      schema: buildSchema(loadTypeDefs()),
      limits: DEFAULT_QUERY_LIMITS,
      logger: createJsonLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }),
      context,
      maxBodyBytes: 1_000,
    });
    return {
      ...served,
      /** The `graphql request` lines, without their duration. */
      requestLines: () => lines.filter((line) => line.msg === "graphql request").map(({ time: _time, durationMs: _durationMs, ...fields }) => fields),
    };
  }

  /** The status and error codes a request was answered with, and the request lines it wrote. */
  async function logged(request: (url: string) => Promise<Response>, context?: () => GatewayContext) {
    const served = await serve(context);
    try {
      const response = await request(served.url);
      const body = (await response.json()) as { errors?: { extensions?: { code?: unknown } }[] };
      return { status: response.status, codes: (body.errors ?? []).map((error) => error.extensions?.code), lines: served.requestLines() };
    } finally {
      await served.close();
    }
  }

  const refusedLine = (status: number, code: string) => ({ level: "info", msg: "graphql request", transport: "http", status, operation: null, errors: 1, codes: [code] });
  const json = { "content-type": "application/json" };

  it("logs a GET without a query, which Apollo refuses before running it, with its status and code", async function () {
    const answer = await logged((url) => fetch(url, { headers: { "apollo-require-preflight": "true" } }));
    expect([answer.status, answer.codes]).to.deep.equal([400, ["BAD_REQUEST"]]);
    expect(answer.lines).to.deep.equal([refusedLine(400, "BAD_REQUEST")]);
  });

  it("logs a POST whose body is not valid JSON with its status and code", async function () {
    const answer = await logged((url) => fetch(url, { method: "POST", headers: json, body: "{ query: " }));
    expect([answer.status, answer.codes]).to.deep.equal([400, ["BAD_REQUEST"]]);
    expect(answer.lines).to.deep.equal([refusedLine(400, "BAD_REQUEST")]);
  });

  it("logs a POST whose body holds no query, which Apollo refuses before running it, with its status and code", async function () {
    const answer = await logged((url) => fetch(url, { method: "POST", headers: json, body: JSON.stringify({ variables: {} }) }));
    expect([answer.status, answer.codes]).to.deep.equal([400, ["BAD_REQUEST"]]);
    expect(answer.lines).to.deep.equal([refusedLine(400, "BAD_REQUEST")]);
  });

  it("logs a GET that Apollo's CSRF prevention refuses (no content type, no preflight header) with its status and code", async function () {
    const answer = await logged((url) => fetch(`${url}?query=${encodeURIComponent("{ __typename }")}`));
    expect([answer.status, answer.codes]).to.deep.equal([400, ["BAD_REQUEST"]]);
    expect(answer.lines).to.deep.equal([refusedLine(400, "BAD_REQUEST")]);
  });

  it("logs a body over the size limit with status 413", async function () {
    const answer = await logged((url) => fetch(url, { method: "POST", headers: json, body: JSON.stringify({ query: `{ ${"__typename ".repeat(200)}}` }) }));
    expect([answer.status, answer.codes]).to.deep.equal([413, ["BAD_REQUEST"]]);
    expect(answer.lines).to.deep.equal([refusedLine(413, "BAD_REQUEST")]);
  });

  it("logs a method it does not serve with status 405", async function () {
    const answer = await logged((url) => fetch(url, { method: "PUT", headers: json, body: "{}" }));
    expect([answer.status, answer.codes]).to.deep.equal([405, ["BAD_REQUEST"]]);
    expect(answer.lines).to.deep.equal([refusedLine(405, "BAD_REQUEST")]);
  });

  it("logs a request whose context cannot be built with status 500 and INTERNAL_SERVER_ERROR, as answered", async function () {
    const broken = (): GatewayContext => {
      throw new Error("no context");
    };
    const answer = await logged((url) => fetch(url, { method: "POST", headers: json, body: JSON.stringify({ query: "{ __typename }" }) }), broken);
    expect([answer.status, answer.codes]).to.deep.equal([500, ["INTERNAL_SERVER_ERROR"]]);
    expect(answer.lines).to.deep.equal([refusedLine(500, "INTERNAL_SERVER_ERROR")]);
  });

  it("logs a query that ran with its HTTP status and its operation's name", async function () {
    const answer = await logged((url) => fetch(url, { method: "POST", headers: json, body: JSON.stringify({ query: "query Name { __typename }" }) }));
    expect([answer.status, answer.codes]).to.deep.equal([200, []]);
    expect(answer.lines).to.deep.equal([{ level: "info", msg: "graphql request", transport: "http", status: 200, operation: "Name", errors: 0 }]);
  });
});
