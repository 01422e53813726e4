// The HTTP server's close() and the WebSocket operations in flight: a query gets the grace an HTTP request gets, and
// the source reads of what the close ends are given up. Over a graph-node that holds every query but the head's: the
// runtime under the server (its source) is closed only after the test has looked, so a read left to the source's
// close (or to its ten-minute timeout) fails the test by timing out.
import { expect } from "chai";
import * as http from "node:http";
import { createGatewayRuntime, silentLogger, type GatewayRuntime } from "../../../gateway/src";
import { createResolvers } from "../../../gateway/src/resolvers";
import { buildSchema } from "../../../gateway/src/schema/executable-schema";
import { startHttpServer, type RunningHttpServer } from "../../../gateway/src/server";
import { DEFAULT_STATIC_DIR } from "../../../gateway/src";
import { createJsonLogger, type Logger } from "../../../gateway/src/logger";
import { waitUntil } from "../../helpers/wait";
import { holdingGraphNode } from "../helpers/holding-graph-node";
import { recordingClient } from "../helpers/recording-client";

/** A list query that the index answers (not the head watcher's `_meta`). */
const PROVIDERS = "{ providers(first: 5) { nodes { address } } }";

/** Far above the tests' own timeout: a read that waited for it fails its test by timing out. */
const TEN_MINUTES_MS = 600_000;

type HoldingNode = Awaited<ReturnType<typeof holdingGraphNode>>;

/** A runtime over `node` and an HTTP server over it, stopping with `stopGraceMs`. */
async function serverOver(node: HoldingNode, stopGraceMs: number, logger: Logger = silentLogger): Promise<{ runtime: GatewayRuntime; server: RunningHttpServer }> {
  const runtime = await createGatewayRuntime({ source: { subgraphUrl: node.url, timeoutMs: TEN_MINUTES_MS }, chain: null, logger });
  try {
    const server = await startHttpServer({
      schema: buildSchema(createResolvers(runtime.hub)),
      services: runtime.services,
      host: "127.0.0.1",
      port: 0,
      corsOrigins: "*",
      staticDir: DEFAULT_STATIC_DIR,
      stopGraceMs,
    });
    await waitUntil(() => runtime.services.head.head !== null, "the runtime saw the indexed head");
    return { runtime, server };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}

/** What a test over withServerOver gets: the holding graph-node, the server, and where to hand its clients' disposal. */
interface Over {
  node: HoldingNode;
  runtime: GatewayRuntime;
  server: RunningHttpServer;
  track(dispose: () => void | Promise<void>): void;
}

/**
 * Runs `test` over a holding graph-node (answering what `answer` answers) and a server over it, stopping with
 * `stopGraceMs`; then closes the runtime, the clients handed to `track`, and the node, whatever the test did.
 */
async function withServerOver(
  stopGraceMs: number,
  test: (over: Over) => Promise<void>,
  logger: Logger = silentLogger,
  answer?: Parameters<typeof holdingGraphNode>[0],
): Promise<void> {
  const node = await holdingGraphNode(answer);
  const disposals: (() => void | Promise<void>)[] = [];
  try {
    const { runtime, server } = await serverOver(node, stopGraceMs, logger);
    try {
      await test({ node, runtime, server, track: (dispose) => void disposals.push(dispose) });
    } finally {
      await runtime.close();
    }
  } finally {
    for (const dispose of disposals) await dispose();
    await node.close();
  }
}

/** A JSON logger and the `graphql request` lines it wrote. */
function requestLines(): { logger: Logger; lines: () => { transport?: string; status?: number; codes?: string[] }[] } {
  const logged: { msg: string; transport?: string; status?: number; codes?: string[] }[] = [];
  const logger = createJsonLogger({ write: (line) => void logged.push(JSON.parse(line) as (typeof logged)[number]) });
  return { logger, lines: () => logged.filter((line) => line.msg === "graphql request").map(({ transport, status, codes }) => ({ transport, status, codes })) };
}

/** POSTs `query` to `url`: the request (to destroy) and its answer's status and body, or "dropped". */
function post(url: string, query: string): { request: http.ClientRequest; answer: Promise<{ status: number; body: string } | "dropped"> } {
  let request!: http.ClientRequest;
  const answer = new Promise<{ status: number; body: string } | "dropped">((resolve) => {
    request = http.request(url, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", () => resolve("dropped"));
    });
    request.on("error", () => resolve("dropped"));
    request.end(JSON.stringify({ query }));
  });
  return { request, answer };
}

describe("gateway HTTP server's close() and the HTTP requests in flight", function () {
  it("gives up the source reads of an HTTP request it answers SHUTTING_DOWN at the end of the grace, not at the source's close", async function () {
    this.timeout(20_000);
    await withServerOver(50, async ({ node, server }) => {
      const { answer } = post(server.url, PROVIDERS);
      await waitUntil(() => node.held.length > 0, "the request asked the endpoint");
      await server.close();
      const answered = await answer;
      expect(answered === "dropped" ? answered : answered.status).to.equal(503);
      await waitUntil(() => node.openQueries() === 0, "the server gave up the request's read of the endpoint");
    });
  });

  it("gives up the source reads of an HTTP request whose client closed its connection before the answer, and logs it 499 with no codes", async function () {
    this.timeout(20_000);
    const { logger, lines } = requestLines();
    await withServerOver(
      TEN_MINUTES_MS,
      async ({ node, server }) => {
        const { request, answer } = post(server.url, PROVIDERS);
        await waitUntil(() => node.held.length > 0, "the request asked the endpoint");
        request.destroy();
        expect(await answer).to.equal("dropped");
        await waitUntil(() => node.openQueries() === 0, "the server gave up the request's read of the endpoint");
        await waitUntil(() => lines().length > 0, "the request's line was written");
        // Not a 200 with the given-up reads' SOURCE_UNAVAILABLE: the source did not fail, the client left.
        expect(lines()).to.deep.equal([{ transport: "http", status: 499, codes: [] }]);
        // The server still runs, with nothing in flight: its close does not wait on the grace.
        await server.close();
      },
      logger,
    );
  });
});

describe("gateway HTTP server's HTTP requests and their signal", function () {
  it("lets a request have more reads in flight than Node's ten listeners on its signal without a leak warning", async function () {
    this.timeout(20_000);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => void warnings.push(`${warning.name}: ${warning.message}`);
    process.on("warning", onWarning);
    try {
      await withServerOver(TEN_MINUTES_MS, async ({ node, server }) => {
        const fields = Array.from({ length: 12 }, (_, i) => `p${i}: providers(first: ${i + 1}) { nodes { address } }`);
        const { answer } = post(server.url, `{ ${fields.join(" ")} }`);
        let answered: Awaited<typeof answer> | null = null;
        void answer.then((result) => (answered = result));
        // Each of its reads listens on its signal while the endpoint holds it.
        await waitUntil(() => {
          node.held.splice(0).forEach((release) => release());
          return answered !== null;
        }, "the request was answered");
        expect(answered).to.not.equal("dropped");
        expect(warnings.filter((w) => w.includes("MaxListeners") || w.includes("memory leak"))).to.deep.equal([]);
        await server.close();
      });
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("gateway HTTP server's close() and the WebSocket operations in flight", function () {
  const starts: { name: string; query: string; reads: string }[] = [
    { name: "jobUpdated", query: `subscription { jobUpdated(id: "1") { id } }`, reads: "its job" },
    { name: "networkStats", query: `subscription { networkStats { blockNumber } }`, reads: "its first statistics" },
    { name: "jobOpened(sinceBlock)", query: `subscription { jobOpened(sinceBlock: 0) { id } }`, reads: "its replay" },
  ];
  for (const { name, query, reads } of starts) {
    it(`gives up the read of a ${name} subscription still starting (${reads}) as it refuses it, not at the source's close`, async function () {
      this.timeout(20_000);
      await withServerOver(TEN_MINUTES_MS, async ({ node, server, track }) => {
        const subscriber = recordingClient(server.wsUrl);
        track(subscriber.dispose);
        subscriber.subscribe("starting", query);
        await waitUntil(() => node.held.length > 0, `the subscription's start asked the endpoint for ${reads}`);
        await server.close();
        await waitUntil(() => node.openQueries() === 0, "the server gave up the start's request to the endpoint");
        await waitUntil(() => subscriber.seen.some((line) => line.startsWith("closed")), "the socket closed");
        expect(subscriber.seen).to.deep.equal(["starting: SHUTTING_DOWN", "closed 1001"]);
      });
    });
  }

  it("answers a WebSocket query in flight when the stop starts with what the source answers, within the grace, before the socket closes 1001", async function () {
    this.timeout(20_000);
    await withServerOver(TEN_MINUTES_MS, async ({ node, server, track }) => {
      const client = recordingClient(server.wsUrl);
      track(client.dispose);
      client.subscribe("query", PROVIDERS);
      await waitUntil(() => node.held.length > 0, "the query asked the endpoint");
      const closing = server.close();
      await new Promise((resolve) => setImmediate(resolve));
      node.held[0]?.();
      await closing;
      await waitUntil(() => client.seen.some((line) => line.startsWith("closed")), "the socket closed");
      // The held query's answer is an error of the endpoint's: the client gets it, as over HTTP.
      expect(client.seen.filter((line) => line !== "query: complete")).to.deep.equal(['query: next ["SOURCE_UNAVAILABLE"]', "closed 1001"]);
    });
  });

  it("answers a WebSocket query still unanswered at the end of the grace SHUTTING_DOWN, logged so, and gives up its reads before the socket closes 1001", async function () {
    this.timeout(20_000);
    const { logger, lines } = requestLines();
    await withServerOver(
      50,
      async ({ node, server, track }) => {
        const client = recordingClient(server.wsUrl);
        track(client.dispose);
        client.subscribe("query", PROVIDERS);
        await waitUntil(() => node.held.length > 0, "the query asked the endpoint");
        await server.close();
        await waitUntil(() => node.openQueries() === 0, "the server gave up the query's request to the endpoint");
        await waitUntil(() => client.seen.some((line) => line.startsWith("closed")), "the socket closed");
        expect(client.seen.filter((line) => line !== "query: complete")).to.deep.equal(['query: next ["SHUTTING_DOWN"]', "closed 1001"]);
        expect(lines().map(({ transport, codes }) => ({ transport, codes }))).to.deep.equal([{ transport: "ws", codes: ["SHUTTING_DOWN"] }]);
      },
      logger,
    );
  });
});

describe("gateway WebSocket operations whose client leaves them", function () {
  /** The lines `logger` wrote with `msg`, each with the fields that say how its operation ended. */
  function linesOf(msg: string): { logger: Logger; lines: () => { transport?: string; status?: number; accepted?: boolean; codes?: string[] }[] } {
    const logged: { msg: string; transport?: string; status?: number; accepted?: boolean; codes?: string[] }[] = [];
    const logger = createJsonLogger({ write: (line) => void logged.push(JSON.parse(line) as (typeof logged)[number]) });
    return {
      logger,
      lines: () => logged.filter((line) => line.msg === msg).map(({ transport, status, accepted, codes }) => ({ transport, status, accepted, codes })),
    };
  }

  /** How a client leaves an operation: closes its socket, or sends `complete` for it (its socket left open). */
  const departures: { how: string; leave: (client: ReturnType<typeof recordingClient>, unsubscribe: () => void) => void | Promise<void> }[] = [
    { how: "closes its socket", leave: (client) => client.dispose() },
    { how: "sends complete for it", leave: (_client, unsubscribe) => unsubscribe() },
  ];

  for (const { how, leave } of departures) {
    it(`gives up the source reads of a query whose client ${how} before its answer, and logs it 499 with no codes`, async function () {
      this.timeout(20_000);
      const { logger, lines } = linesOf("graphql request");
      await withServerOver(
        TEN_MINUTES_MS,
        async ({ node, server, track }) => {
          const client = recordingClient(server.wsUrl);
          track(client.dispose);
          const unsubscribe = client.subscribe("query", PROVIDERS);
          await waitUntil(() => node.held.length > 0, "the query asked the endpoint");
          await leave(client, unsubscribe);
          await waitUntil(() => node.openQueries() === 0, "the server gave up the query's request to the endpoint");
          await waitUntil(() => lines().length > 0, "the query's line was written");
          // Not the given-up reads' SOURCE_UNAVAILABLE: the source did not fail, the client left.
          expect(lines()).to.deep.equal([{ transport: "ws", status: 499, accepted: undefined, codes: [] }]);
          await server.close();
        },
        logger,
      );
    });
  }

  const starts: { name: string; query: string; reads: string }[] = [
    { name: "jobUpdated", query: `subscription { jobUpdated(id: "1") { id } }`, reads: "its job" },
    { name: "networkStats", query: `subscription { networkStats { blockNumber } }`, reads: "its first statistics" },
    { name: "jobOpened(sinceBlock)", query: `subscription { jobOpened(sinceBlock: 0) { id } }`, reads: "its replay" },
  ];
  for (const { how, leave } of departures) {
    for (const { name, query, reads } of starts) {
      it(`gives up the read of a ${name} subscription still starting (${reads}) whose client ${how}, and logs its start 499, not accepted, with no codes`, async function () {
        this.timeout(20_000);
        const { logger, lines } = linesOf("graphql subscription start");
        await withServerOver(
          TEN_MINUTES_MS,
          async ({ node, server, track }) => {
            const client = recordingClient(server.wsUrl);
            track(client.dispose);
            const unsubscribe = client.subscribe("starting", query);
            await waitUntil(() => node.held.length > 0, `the subscription's start asked the endpoint for ${reads}`);
            await leave(client, unsubscribe);
            await waitUntil(() => node.openQueries() === 0, "the server gave up the start's request to the endpoint");
            await waitUntil(() => lines().length > 0, "the start's line was written");
            expect(lines()).to.deep.equal([{ transport: "ws", status: 499, accepted: false, codes: [] }]);
            await waitUntil(() => server.subscriptions.subscriptionCount === 0, "the subscription's slot was freed");
            await server.close();
          },
          logger,
        );
      });
    }
  }
});

describe("gateway subscriptions' shared reads and the subscribers they serve", function () {
  /** The JSON lines `logger` wrote. */
  function jsonLines(): { logger: Logger; lines: () => { msg: string; level?: string; end?: string; codes?: string[] }[] } {
    const logged: { msg: string; level?: string; end?: string; codes?: string[] }[] = [];
    const logger = createJsonLogger({ write: (line) => void logged.push(JSON.parse(line) as (typeof logged)[number]) });
    return { logger, lines: () => logged };
  }

  const OPENED = "subscription { jobOpened { id } }";

  /**
   * Each feed whose new head's read its subscribers share, and what the index answers its start: job 1 still open
   * (jobUpdated reads it), an empty index (networkStats reads its first statistics).
   */
  const shared: { name: string; query: string; start?: object }[] = [
    { name: "jobOpened", query: OPENED },
    { name: "jobUpdated", query: `subscription { jobUpdated(id: "1") { id } }`, start: { jobs: [{ id: "1", jobId: "1", status: "Open", createdAtBlock: "5", termsHash: "0xaa" }] } },
    { name: "networkStats", query: "subscription { networkStats { blockNumber } }", start: { protocol: null, gpuModels: [], regions: [], networkDays: [], providerDays: [] } },
  ];
  for (const { name, query, start } of shared) {
    it(`keeps a head's ${name} read while one of its subscribers is left, and gives it up, unlogged, once the last leaves`, async function () {
      this.timeout(30_000);
      const { logger, lines } = jsonLines();
      let starting = true;
      await withServerOver(
        TEN_MINUTES_MS,
        async ({ node, runtime, server, track }) => {
          const first = recordingClient(server.wsUrl);
          const second = recordingClient(server.wsUrl);
          track(first.dispose);
          track(second.dispose);
          const leaveFirst = first.subscribe("first", query);
          const leaveSecond = second.subscribe("second", query);
          await waitUntil(() => runtime.hub.subscriberCount === 2, "both subscribed");
          starting = false;
          node.advance();
          await waitUntil(() => node.held.length === 1, `the new head's ${name} read asked the endpoint, once for both`);
          leaveFirst();
          await waitUntil(() => runtime.hub.subscriberCount === 1, "the first left the hub");
          // A query asked after the first left: the endpoint hears its request after any cancel of the feed's.
          const { answer } = post(server.url, PROVIDERS);
          await waitUntil(() => node.held.length === 2, "the query asked the endpoint");
          expect(node.openQueries()).to.equal(2);
          node.held[1]?.();
          await answer;
          leaveSecond();
          await waitUntil(() => node.openQueries() === 0, "the hub gave up the read that nobody waits for");
          await waitUntil(() => lines().filter((line) => line.msg === "graphql subscription end").length === 2, "both ends were logged");
          expect(lines().filter((line) => line.msg === "graphql subscription end").map(({ end, codes }) => ({ end, codes }))).to.deep.equal([
            { end: "client-completed", codes: [] },
            { end: "client-completed", codes: [] },
          ]);
          expect(lines().filter((line) => line.level === "warn").map((line) => line.msg)).to.deep.equal([]);
          await server.close();
        },
        logger,
        () => (starting ? start : undefined),
      );
    });
  }

  it("goes on reading the next head for a subscriber that came after a read was given up", async function () {
    this.timeout(30_000);
    await withServerOver(TEN_MINUTES_MS, async ({ node, runtime, server, track }) => {
      const gone = recordingClient(server.wsUrl);
      track(gone.dispose);
      const leave = gone.subscribe("gone", OPENED);
      await waitUntil(() => runtime.hub.subscriberCount === 1, "it subscribed");
      node.advance();
      await waitUntil(() => node.held.length === 1, "the new head's jobs were asked for");
      leave();
      await waitUntil(() => node.openQueries() === 0, "the hub gave up the read that nobody waits for");
      const next = recordingClient(server.wsUrl);
      track(next.dispose);
      next.subscribe("next", OPENED);
      await waitUntil(() => runtime.hub.subscriberCount === 1, "the next subscribed");
      node.advance();
      await waitUntil(() => node.held.length === 2, "the next head's jobs were asked for");
      expect(node.openQueries()).to.equal(1);
      node.held[1]?.();
      await server.close();
    });
  });
});
