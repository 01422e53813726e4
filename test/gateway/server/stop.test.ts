// The HTTP server's close(): how the connections of requests in flight end, over services whose indexed head the
// test hands out (/readyz waits for it).
import { expect } from "chai";
import * as http from "node:http";
import type { GatewayServices } from "../../../gateway/src/context";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import { createJsonLogger } from "../../../gateway/src/logger";
import { createResolvers } from "../../../gateway/src/resolvers";
import { buildSchema } from "../../../gateway/src/schema/executable-schema";
import { startHttpServer, type RunningHttpServer } from "../../../gateway/src/server";
import type { IndexedHead } from "../../../gateway/src/sources/head-watcher";
import { DEFAULT_STATIC_DIR } from "../../../gateway/src";
import { waitUntil } from "../../helpers/wait";
import { FakeHeadWatcher } from "../helpers/fake-head-watcher";
import { FakeHub } from "../helpers/fake-hub";
import { FakeReader } from "../helpers/fake-reader";

const HEAD: IndexedHead = { number: 7, hash: "0x07", parentHash: "0x06", timestamp: 1007, hasIndexingErrors: false };

/** Far above the tests' own timeout: a close that waited for it fails its test by timing out. */
const TEN_MINUTES_MS = 600_000;

/** A server whose /readyz waits until the test calls `answerHead`; `logged` holds its lines from `level` up. */
async function serverWithHeldHead(stopGraceMs: number, level: "info" | "warn" = "warn") {
  const waiting: ((head: IndexedHead) => void)[] = [];
  const logged: string[] = [];
  const logger = createJsonLogger({ level, write: (line) => void logged.push(line) });
  const services: GatewayServices = {
    reader: new FakeReader({}),
    head: new FakeHeadWatcher({ refresh: () => new Promise<IndexedHead>((resolve) => waiting.push(resolve)) }),
    chain: null,
    chainHead: null,
    deployment: null,
    sourceKind: "subgraphUrl",
    limits: DEFAULT_QUERY_LIMITS,
    maxLag: 5,
    logger,
  };
  const server: RunningHttpServer = await startHttpServer({
    schema: buildSchema(createResolvers(new FakeHub())),
    services,
    host: "127.0.0.1",
    port: 0,
    corsOrigins: "*",
    staticDir: DEFAULT_STATIC_DIR,
    stopGraceMs,
  });
  return {
    server,
    logged,
    waiting: () => waiting.length,
    answerHead: () => {
      for (const resolve of waiting.splice(0)) resolve(HEAD);
    },
  };
}

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
}

/** GETs `url` over `agent`, reading the whole answer. */
function get(url: string, agent: http.Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

describe("gateway HTTP server's close()", function () {
  it("closes a keep-alive connection as soon as its request in flight is answered, ending then instead of at the end of the grace", async function () {
    this.timeout(20_000);
    const { server, answerHead, waiting } = await serverWithHeldHead(TEN_MINUTES_MS);
    const agent = new http.Agent({ keepAlive: true });
    try {
      // One connection kept alive after its request, another whose request is in flight when the close starts.
      expect((await get(`http://127.0.0.1:${server.port}/healthz`, agent)).status).to.equal(200);
      const ready = get(`http://127.0.0.1:${server.port}/readyz`, agent);
      await waitUntil(() => waiting() > 0, "/readyz waits for the indexed head");
      const closing = server.close();
      await new Promise((resolve) => setImmediate(resolve));
      answerHead();
      const answer = await ready;
      expect(answer.status).to.equal(200);
      // Told, and closed after it: kept alive, the connection would hold the close until Node's keepAliveTimeout.
      expect(answer.connection).to.equal("close");
      await closing;
    } finally {
      agent.destroy();
    }
  });

  it("answers a request still unanswered at the end of the grace 503 SHUTTING_DOWN, closing its connection, and logs no failure", async function () {
    this.timeout(20_000);
    const { server, answerHead, waiting, logged } = await serverWithHeldHead(50);
    const agent = new http.Agent({ keepAlive: true });
    try {
      const ready = get(`http://127.0.0.1:${server.port}/readyz`, agent);
      await waitUntil(() => waiting() > 0, "/readyz waits for the indexed head");
      await server.close();
      const answer = await ready;
      expect(answer.status).to.equal(503);
      expect(answer.connection).to.equal("close");
      const body = JSON.parse(answer.body) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors.map((e) => e.extensions.code)).to.deep.equal(["SHUTTING_DOWN"]);
      // The handler's own answer, late, has nowhere to go.
      answerHead();
      await new Promise((resolve) => setImmediate(resolve));
      expect(logged).to.deep.equal([]);
    } finally {
      agent.destroy();
    }
  });

  it("logs a /graphql request whose body is still arriving at the end of the grace once, with the 503 SHUTTING_DOWN it was answered", async function () {
    this.timeout(20_000);
    const { server, logged } = await serverWithHeldHead(50, "info");
    const agent = new http.Agent({ keepAlive: false });
    try {
      // `Expect: 100-continue`: the server answers 100 Continue as it hands the request to its handler, which then
      // waits for a body that never ends.
      const request = http.request(`http://127.0.0.1:${server.port}/graphql`, {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": "100", expect: "100-continue" },
      });
      const answered = new Promise<number>((resolve, reject) => {
        request.on("response", (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        request.on("error", reject);
      });
      await new Promise<void>((resolve) => request.once("continue", () => resolve()));
      request.write('{"query":');
      await server.close();
      expect(await answered).to.equal(503);
      await waitUntil(() => requestLines(logged).length > 0, "the server logged the request");
      expect(requestLines(logged)).to.deep.equal([{ status: 503, codes: ["SHUTTING_DOWN"] }]);
      request.destroy();
    } finally {
      agent.destroy();
    }
  });
});

/** The status and codes of each `graphql request` line in `logged`. */
function requestLines(logged: readonly string[]): { status: number; codes: string[] }[] {
  return logged
    .map((line) => JSON.parse(line) as { msg: string; status: number; codes: string[] })
    .filter((line) => line.msg === "graphql request")
    .map(({ status, codes }) => ({ status, codes }));
}
