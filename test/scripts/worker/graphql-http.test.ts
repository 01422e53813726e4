// queryGateway's time limit, against a server that takes requests and never answers them; and how it reads an HTTP
// status without GraphQL errors, which decides whether the worker reconnects or stops.
import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { GatewayNetworkError, GatewayProtocolError, GatewayTimeoutError } from "../../../scripts/worker/gateway-errors";
import { queryGateway } from "../../../scripts/worker/graphql-http";
import { HttpStatusError, isTransientError } from "../../../scripts/worker/retry";

/** An HTTP server that reads each request and never responds; `requests` counts what it received. */
async function silentServer(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const server = http.createServer((request) => {
    requests += 1;
    request.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    requests: () => requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("GraphQL queries to the gateway", function () {
  let server: Awaited<ReturnType<typeof silentServer>>;
  beforeEach(async () => {
    server = await silentServer();
  });
  afterEach(() => server.close());

  it("fails a query the gateway never answers with a transient GatewayTimeoutError naming the gateway, the query and the limit", async () => {
    let caught: unknown;
    try {
      // Long enough for the request to reach the server first on a loaded machine: with 50 ms the limit passed before
      // fetch had sent it (0 requests) in 5 of 5 runs beside four busy loops.
      await queryGateway(server.url, "openJobs", "{ __typename }", {}, { timeoutMs: 1_000 });
    } catch (error) {
      caught = error;
    }
    expect(server.requests()).to.equal(1);
    expect(caught).to.be.instanceOf(GatewayTimeoutError);
    expect(caught).to.include({ url: server.url, operation: "openJobs", timeoutMs: 1_000 });
    expect((caught as Error).message).to.equal(`the gateway at ${server.url} did not answer openJobs within 1000 ms`);
    expect(isTransientError(caught)).to.equal(true);
  });

  it("fails a query the gateway's host refuses with a transient GatewayNetworkError naming the gateway without its credentials and the query", async () => {
    const url = server.url.replace("http://", "http://worker:pAsSwOrD@");
    await server.close();
    let caught: unknown;
    try {
      await queryGateway(url, "openJobs", "{ __typename }", {}, { timeoutMs: 5_000 });
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(GatewayNetworkError);
    const error = caught as GatewayNetworkError;
    expect(error.url).to.equal(server.url);
    expect(error.message).to.match(new RegExp(`^cannot reach the gateway at ${server.url.replace(/\./g, "\\.")} for openJobs: fetch failed: connect ECONNREFUSED `));
    expect(error.message).not.to.contain("pAsSwOrD");
    expect(isTransientError(error)).to.equal(true);
  });

  it("reports the caller's abort as the abort, not as a timeout", async () => {
    const controller = new AbortController();
    const query = queryGateway(server.url, "openJobs", "{ __typename }", {}, { timeoutMs: 60_000, signal: controller.signal });
    const reason = new Error("shutting down");
    controller.abort(reason);
    let caught: unknown;
    try {
      await query;
    } catch (error) {
      caught = error;
    }
    expect(caught).to.equal(reason);
  });
});

describe("GraphQL queries to a gateway that answers an HTTP error", function () {
  // A 5xx is the gateway being unwell (reconnect); a 404 is a wrong gateway.httpUrl, which no retry can fix (stop).
  for (const [status, transient] of [
    [404, false],
    [502, true],
    [503, true],
  ] as const) {
    it(`reports ${status} without GraphQL errors as HttpStatusError ${status}, ${transient ? "" : "not "}transient`, async () => {
      const server = http.createServer((request, response) => {
        request.resume();
        response.statusCode = status;
        response.end("<html>error</html>");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
        const caught = await queryGateway(url, "openJobs", "{ __typename }", {}, { timeoutMs: 10_000 }).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(caught).to.be.instanceOf(HttpStatusError);
        expect(caught).to.include({ url, status });
        expect(isTransientError(caught)).to.equal(transient);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  }
});

describe("GraphQL queries to a gateway URL that redirects", function () {
  // The WebSocket (ws, without followRedirects) refuses a redirect with its status; the HTTP path refuses it the same
  // way, so a gateway.httpUrl that redirects stops the worker at start as a gateway.wsUrl that redirects does.
  for (const status of [301, 308]) {
    it(`reports a ${status} as HttpStatusError ${status}, not transient, without following it`, async () => {
      let followed = 0;
      const server = http.createServer((request, response) => {
        request.resume();
        if (request.url === "/graphql") {
          followed += 1;
          response.setHeader("content-type", "application/json");
          response.end(JSON.stringify({ data: { __typename: "Query" } }));
          return;
        }
        response.statusCode = status;
        response.setHeader("location", "/graphql");
        response.end();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/old`;
        const caught = await queryGateway(url, "openJobs", "{ __typename }", {}, { timeoutMs: 10_000 }).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(caught).to.be.instanceOf(HttpStatusError);
        expect(caught).to.include({ url, status });
        expect(isTransientError(caught)).to.equal(false);
        expect(followed).to.equal(0);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  }

  it("sends a URL's credentials as Authorization: Basic, percent-decoded, to the URL without them (fetch refuses a URL with credentials)", async () => {
    const seen: Array<{ path: string | undefined; authorization: string | undefined }> = [];
    const server = http.createServer((request, response) => {
      request.resume();
      seen.push({ path: request.url, authorization: request.headers.authorization });
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ data: { __typename: "Query" } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://worker:p%40ss%3Aw0rd@127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
      const data = await queryGateway(url, "openJobs", "{ __typename }", {}, { timeoutMs: 10_000 });
      expect(data).to.deep.equal({ __typename: "Query" });
      expect(seen).to.deep.equal([{ path: "/graphql", authorization: `Basic ${Buffer.from("worker:p@ss:w0rd").toString("base64")}` }]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("GraphQL queries to a gateway URL with credentials", function () {
  // The errors name the gateway without `user:password@`: they reach library callers and logs beyond the CLI's redaction.
  const PASSWORD = "s3cret-pass";
  let server: http.Server;
  let answer: (response: http.ServerResponse) => void;
  let base: string;
  beforeEach(async () => {
    server = http.createServer((request, response) => {
      request.resume();
      answer(response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /**
   * The error of a query to the test server. Its limit is short only where the server never answers: an answer over
   * loopback took up to 118 ms of the 200 ms all these had at load average 26 beside two busy loops.
   */
  async function failure(timeoutMs = 10_000): Promise<Error> {
    const caught = await queryGateway(`http://worker:${PASSWORD}@${base}`, "openJobs", "{ __typename }", {}, { timeoutMs }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(caught).to.be.instanceOf(Error);
    return caught as Error;
  }

  it("names the gateway without its credentials in an HttpStatusError", async () => {
    answer = (response) => {
      response.statusCode = 503;
      response.end("unavailable");
    };
    const error = await failure();
    expect(error).to.be.instanceOf(HttpStatusError);
    expect(error).to.include({ url: `http://${base}`, message: `http://${base} answered HTTP 503` });
  });

  it("names the gateway without its credentials in a GatewayTimeoutError", async () => {
    answer = () => undefined;
    const error = await failure(200);
    expect(error).to.be.instanceOf(GatewayTimeoutError);
    expect(error).to.include({ url: `http://${base}` });
    expect(error.message).to.not.include(PASSWORD);
  });

  it("names the gateway without its credentials in a GatewayProtocolError", async () => {
    answer = (response) => response.end("not json");
    const error = await failure();
    expect(error).to.be.instanceOf(GatewayProtocolError);
    expect(error).to.include({ url: `http://${base}` });
    expect(error.message).to.equal(`unexpected answer from the gateway at http://${base}: openJobs answered with a body that is not JSON`);
  });
});
