// startGateway's options as gateway/README.md documents them (queryCache: true by default, false for benchmarks;
// headPollMs: 1000; introspection: true), and the head() and sourceQueries() it returns.
import { expect } from "chai";
import { createClient } from "graphql-ws";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import WebSocket from "ws";
import { StartAbortedError, createGatewayRuntime, silentLogger, startGateway } from "../../gateway/src";
import { createJsonLogger } from "../../gateway/src/logger";
import { WriterLock } from "../../subgraph/indexer/store/writer-lock";
import { startIndexerWorker, type IndexerWorker } from "../../subgraph/indexer";
import { ChainError } from "../../gateway/src/errors";
import { HttpSourceConfigError } from "../../gateway/src/sources/http-source";
import type { JobEntity } from "../../gateway/src/subgraph/entities";
import { fakeDeployment } from "../helpers/keyed-rpc";
import { expectRejection } from "../helpers/rejects";
import { startSilentNode } from "../helpers/silent-node";
import { waitUntil } from "../helpers/wait";
import { environment } from "./helpers/environment";
import { FAILED_DEPLOYMENT, failedGraphNode } from "./helpers/fake-graph-node";
import { holdingGraphNode } from "./helpers/holding-graph-node";
import { recordingClient } from "./helpers/recording-client";
import { useProbeFixture } from "../subgraph/indexer/helpers/use-probe-fixture";

describe("startGateway options", function () {
  const query = `{ providers(first: 5) { nodes { address } } }`;

  // The shared environment (a chain, its scenario, an indexer and gateways) is set up by the first test that asks
  // for it: 36 s at load average 9 on 2 cores, about 145 s at 35 (the first test ran out of its 120 s, and the next
  // one finished the setup 25 s later). Set up here, with room for that.
  before(async function () {
    this.timeout(300_000);
    await (await environment()).waitForIndexed();
  });

  /** Source queries made by three repeats of a question a new gateway has answered once. */
  async function sourceQueriesOfRepeats(queryCache?: boolean): Promise<number> {
    const env = await environment();
    await env.waitForIndexed();
    const client = await env.startExtraGateway({ source: { subgraphUrl: env.subgraphUrl }, chain: null, ...(queryCache === undefined ? {} : { queryCache }) });
    // The first head a gateway sees drops its cache: ask once it has one.
    while (client.handle.head() === null) await new Promise((resolve) => setTimeout(resolve, 20));
    await client.query(query);
    const before = client.handle.sourceQueries();
    for (let i = 0; i < 3; i++) await client.query(query);
    return client.handle.sourceQueries() - before;
  }

  it("answers a repeated question from the per-block cache by default", async function () {
    expect(await sourceQueriesOfRepeats()).to.equal(0);
  });

  it("with queryCache: false asks the source every time, and sourceQueries() counts it", async function () {
    expect(await sourceQueriesOfRepeats(false)).to.be.at.least(3);
  });

  describe("headPollMs", function () {
    /** The cadence of the head watcher a gateway composed with `headPollMs` runs. */
    async function headPollMsInForce(headPollMs?: number): Promise<number> {
      const env = await environment();
      const runtime = await createGatewayRuntime({
        source: { subgraphUrl: env.subgraphUrl },
        chain: null,
        logger: silentLogger,
        ...(headPollMs === undefined ? {} : { headPollMs }),
      });
      try {
        return runtime.services.head.pollIntervalMs;
      } finally {
        await runtime.close();
      }
    }

    it("polls the indexed head every 1000 ms by default", async function () {
      expect(await headPollMsInForce()).to.equal(1000);
    });

    it("hands headPollMs to its head watcher", async function () {
      expect(await headPollMsInForce(250)).to.equal(250);
    });

    it("notices a new block by polling at headPollMs, where no indexer pushes (graph-node mode)", async function () {
      const env = await environment();
      await env.waitForIndexed();
      const before = await env.chain.blockNumber();
      const source = { subgraphUrl: env.subgraphUrl };
      const fast = await env.startExtraGateway({ source, chain: null, headPollMs: 20 });
      // setTimeout's longest delay (about 24.8 days): after its first poll this one never polls again in the test.
      const idle = await env.startExtraGateway({ source, chain: null, headPollMs: 2 ** 31 - 1 });
      await waitUntil(() => fast.handle.head()?.number === before && idle.handle.head()?.number === before, `both gateways saw block ${before}`);

      await env.chain.ethers.send("evm_mine", []);
      await waitUntil(() => (fast.handle.head()?.number ?? 0) > before, `the 20 ms gateway noticed block ${before + 1}`);
      // The source had the new block when the fast gateway saw it: only its own poll tells the idle one.
      expect(idle.handle.head()?.number).to.equal(before);
    });
  });

  describe("introspection", function () {
    const introspect = `{ __schema { queryType { name } } }`;

    it("answers an introspection query by default", async function () {
      const env = await environment();
      const { body } = await env.clients.subgraphUrl.request<{ __schema: { queryType: { name: string } } }>(introspect);
      expect(body.errors).to.equal(undefined);
      expect(body.data?.__schema.queryType.name).to.equal("Query");
    });

    it("with introspection: false refuses __schema and __type with GRAPHQL_VALIDATION_FAILED", async function () {
      const env = await environment();
      const client = await env.startExtraGateway({ source: { subgraphUrl: env.subgraphUrl }, chain: null, introspection: false });
      for (const query of [introspect, `{ __type(name: "Query") { name } }`]) {
        const { status, body } = await client.request(query);
        expect(status, query).to.equal(400);
        expect(body.data ?? null, query).to.equal(null);
        expect(body.errors?.map((e) => e.extensions?.code), query).to.deep.equal(["GRAPHQL_VALIDATION_FAILED"]);
        expect(body.errors?.[0]?.extensions?.validationErrorCode, query).to.equal("INTROSPECTION_DISABLED");
      }
    });

    it("with introspection: false still answers ordinary queries, __typename included", async function () {
      const env = await environment();
      const client = await env.startExtraGateway({ source: { subgraphUrl: env.subgraphUrl }, chain: null, introspection: false });
      expect(await client.query<{ __typename: string }>(`{ __typename }`)).to.deep.equal({ __typename: "Query" });
    });
  });

  describe("a graph-node endpoint behind authentication (subgraphUrl with user:password@)", function () {
    const BASIC = `Basic ${Buffer.from("reader:p@ss wörd", "utf8").toString("base64")}`;

    /** A proxy in front of `target` that forwards the requests carrying `authorization` and answers 401 to the rest. */
    async function authProxy(target: string, authorization: string): Promise<{ port: number; close(): Promise<void> }> {
      const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
          if (req.headers.authorization !== authorization) {
            res.writeHead(401, { "www-authenticate": 'Basic realm="graph"' }).end("unauthorised");
            return;
          }
          fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) })
            .then(async (answer) => res.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text()))
            .catch(() => res.writeHead(502).end());
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return {
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
      };
    }

    async function gatewayBehind(password: string): Promise<{ lines: string[]; answer: () => Promise<unknown> }> {
      const env = await environment();
      await env.waitForIndexed();
      const proxy = await authProxy(env.subgraphUrl, BASIC);
      const lines: string[] = [];
      const logger = createJsonLogger({ level: "debug", write: (line) => lines.push(line) });
      const subgraphUrl = `http://reader:${password}@127.0.0.1:${proxy.port}/subgraphs/name/latent`;
      const client = await env.startExtraGateway({ source: { subgraphUrl }, chain: null, logger });
      const answer = async () => {
        try {
          return (await client.request(`{ indexingStatus { indexedBlock } }`)).body;
        } finally {
          await client.handle.stop();
          await proxy.close();
        }
      };
      return { lines, answer };
    }

    it("sends the credentials as Authorization: Basic and reads the endpoint, logging neither", async function () {
      const { lines, answer } = await gatewayBehind("p%40ss%20w%C3%B6rd");
      const body = (await answer()) as { data?: { indexingStatus: { indexedBlock: number } }; errors?: unknown };
      expect(body.errors, JSON.stringify(body.errors)).to.equal(undefined);
      expect(body.data?.indexingStatus.indexedBlock).to.be.greaterThan(0);
      expect(lines.length).to.be.greaterThan(0);
      expect(lines.filter((line) => /reader|p%40ss|p@ss/.test(line))).to.deep.equal([]);
    });

    it("answers SOURCE_UNAVAILABLE naming the refusal when the endpoint refuses them, repeating them nowhere", async function () {
      const { lines, answer } = await gatewayBehind("wrong-secret");
      const body = await answer();
      expect((body as { errors?: { message: string; extensions?: unknown }[] }).errors?.[0]).to.deep.include({
        message: "network state is unavailable: the subgraph endpoint refused the gateway (HTTP 401)",
        extensions: { code: "SOURCE_UNAVAILABLE" },
      });
      expect([JSON.stringify(body), ...lines].filter((text) => /reader|wrong-secret/.test(text))).to.deep.equal([]);
    });
  });

  it("applies limits.maxSubscriptionsPerConnection to the subscriptions of one WebSocket connection", async function () {
    const env = await environment();
    const client = await env.startExtraGateway({ source: { subgraphUrl: env.subgraphUrl }, chain: null, limits: { maxSubscriptionsPerConnection: 1 } });
    const socket = createClient({ url: client.handle.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
    try {
      const held = socket.iterate({ query: `subscription { jobOpened { id } }` });
      void held.next().catch(() => undefined);
      await waitUntil(() => client.handle.subscriberCount() === 1, "the gateway runs the first subscription");
      const refused = await socket
        .iterate({ query: `subscription { networkStats { blockNumber } }` })
        .next()
        .then(() => [], (error: unknown) => (Array.isArray(error) ? (error as { extensions?: unknown }[]) : []));
      expect(refused.map((e) => e.extensions)).to.deep.equal([{ code: "TOO_MANY_SUBSCRIPTIONS", limit: "connection", maximum: 1 }]);
    } finally {
      await socket.dispose();
    }
  });
});

describe("startGateway's stop()", function () {
  it("called again while it stops or once it has stopped, returns the first call's promise instead of stopping twice", async function () {
    // An endpoint nothing listens on: the gateway serves without it, and nothing here asks it anything.
    const handle = await startGateway({ source: { subgraphUrl: "http://127.0.0.1:1/subgraphs/name/latent" }, chain: null, port: 0, logger: silentLogger });
    const first = handle.stop();
    const second = handle.stop();
    expect(second).to.equal(first);
    await first;
    expect(handle.stop()).to.equal(first);
  });

  // Far above the tests' own timeout: a stop that waited for it fails its test by timing out.
  const TEN_MINUTES_MS = 600_000;

  it("gives up its head poll on a graph-node that accepts connections and never answers, instead of waiting for the source's timeout", async function () {
    this.timeout(20_000);
    const node = await startSilentNode();
    try {
      const handle = await startGateway({
        source: { subgraphUrl: `${node.url}/subgraphs/name/latent`, timeoutMs: TEN_MINUTES_MS },
        chain: null,
        port: 0,
        logger: silentLogger,
      });
      await waitUntil(() => node.connections > 0, "the head watcher polled the endpoint");
      await handle.stop();
      expect(handle.head()).to.equal(null);
      await waitUntil(() => node.open === 0, "the gateway closed its connection to the endpoint");
    } finally {
      await node.close();
    }
  });

  it("answers a query still unanswered at the end of the server's grace period 503 SHUTTING_DOWN and gives up its source requests, logging that and no failure", async function () {
    this.timeout(20_000);
    const node = await holdingGraphNode();
    const logged: { level: string; msg: string; status?: number; codes?: string[] }[] = [];
    try {
      const handle = await startGateway({
        source: { subgraphUrl: node.url, timeoutMs: TEN_MINUTES_MS },
        chain: null,
        port: 0,
        logger: createJsonLogger({ write: (line) => void logged.push(JSON.parse(line) as (typeof logged)[number]) }),
      });
      await waitUntil(() => handle.head() !== null, "the gateway saw the indexed head");
      const answer = postQuery(handle.url);
      await waitUntil(() => node.held.length > 0, "the query reached the endpoint");
      await handle.stop();
      const response = await answer;
      expect(response.status).to.equal(503);
      expect(response.headers.get("connection")).to.equal("close");
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors.map((e) => e.extensions.code)).to.deep.equal(["SHUTTING_DOWN"]);
      await waitUntil(() => node.openQueries() === 0, "the gateway gave up its request to the endpoint");
      await waitUntil(() => logged.some((line) => line.msg === "graphql request"), "the gateway logged the query");
      expect(logged.filter((line) => line.level === "warn" || line.level === "error")).to.deep.equal([]);
      const requests = logged.filter((line) => line.msg === "graphql request").map(({ status, codes }) => ({ status, codes }));
      expect(requests).to.deep.equal([{ status: 503, codes: ["SHUTTING_DOWN"] }]);
    } finally {
      await node.close();
    }
  });

  it("answers a query in flight when the stop starts with what the source answers, within the server's grace period", async function () {
    this.timeout(20_000);
    const node = await holdingGraphNode();
    try {
      const handle = await startGateway({ source: { subgraphUrl: node.url }, chain: null, port: 0, logger: silentLogger });
      await waitUntil(() => handle.head() !== null, "the gateway saw the indexed head");
      const answer = postQuery(handle.url);
      await waitUntil(() => node.held.length > 0, "the query reached the endpoint");
      const stopping = handle.stop();
      await new Promise((resolve) => setImmediate(resolve));
      node.held[0]?.();
      const body = (await (await answer).json()) as { errors?: { message: string; extensions?: unknown }[] };
      // The endpoint's answer, not SHUTTING_DOWN: an error the gateway does not know to be the query's, told by its code.
      expect(body.errors?.[0]).to.deep.include({
        message: "network state is unavailable: the subgraph endpoint failed: it answered with an error the gateway does not pass on (UNKNOWN_ERROR); its message is in the gateway's log",
        extensions: { code: "SOURCE_UNAVAILABLE" },
      });
      await stopping;
    } finally {
      await node.close();
    }
  });
});

describe("startGateway's stop() with WebSocket subscribers", function () {
  // Far above the tests' own timeout: a stop that waited for it fails its test by timing out.
  const TEN_MINUTES_MS = 600_000;

  it("ends each live subscription of a socket with a SHUTTING_DOWN error, then closes the socket with 1001", async function () {
    this.timeout(20_000);
    const node = await holdingGraphNode();
    let dispose: () => void | Promise<void> = () => undefined;
    try {
      const handle = await startGateway({ source: { subgraphUrl: node.url }, chain: null, port: 0, logger: silentLogger });
      await waitUntil(() => handle.head() !== null, "the gateway saw the indexed head");
      const subscriber = recordingClient(handle.wsUrl);
      dispose = subscriber.dispose;
      subscriber.subscribe("first", `subscription { jobOpened { id } }`);
      subscriber.subscribe("second", `subscription { jobOpened { id status } }`);
      await waitUntil(() => handle.subscriberCount() === 2, "the gateway runs both subscriptions");
      await handle.stop();
      await waitUntil(() => subscriber.seen.some((line) => line.startsWith("closed")), "the socket closed");
      expect(subscriber.seen.slice(0, 2).sort()).to.deep.equal(["first: SHUTTING_DOWN", "second: SHUTTING_DOWN"]);
      expect(subscriber.seen.slice(2)).to.deep.equal(["closed 1001"]);
    } finally {
      await dispose();
      await node.close();
    }
  });

  it("ends a subscription still starting when the stop comes (its read held by the source) with a SHUTTING_DOWN error before the socket closes", async function () {
    this.timeout(20_000);
    const node = await holdingGraphNode();
    let dispose: () => void | Promise<void> = () => undefined;
    try {
      const handle = await startGateway({ source: { subgraphUrl: node.url, timeoutMs: TEN_MINUTES_MS }, chain: null, port: 0, logger: silentLogger });
      await waitUntil(() => handle.head() !== null, "the gateway saw the indexed head");
      const subscriber = recordingClient(handle.wsUrl);
      dispose = subscriber.dispose;
      subscriber.subscribe("starting", `subscription { jobUpdated(id: "1") { id } }`);
      await waitUntil(() => node.held.length > 0, "the subscription's start asked the endpoint for its job");
      await handle.stop();
      await waitUntil(() => subscriber.seen.some((line) => line.startsWith("closed")), "the socket closed");
      expect(subscriber.seen).to.deep.equal(["starting: SHUTTING_DOWN", "closed 1001"]);
    } finally {
      await dispose();
      await node.close();
    }
  });
});

describe("startGateway's runtime close()", function () {
  it("gives up a subscription feed's reads of a new head on a graph-node that never answers them, logging no failure", async function () {
    this.timeout(20_000);
    const node = await holdingGraphNode();
    const logged: string[] = [];
    try {
      const runtime = await createGatewayRuntime({
        source: { subgraphUrl: node.url, timeoutMs: 600_000 },
        chain: null,
        headPollMs: 20,
        logger: createJsonLogger({ level: "warn", write: (line) => void logged.push(line) }),
      });
      await waitUntil(() => runtime.services.head.head !== null, "the runtime saw the indexed head");
      const job = { id: "1", jobId: "1", status: "Open", termsHash: "0xaa", createdAtBlock: "5" } as JobEntity;
      await runtime.hub.jobUpdated(job);
      node.advance();
      await waitUntil(() => node.held.length > 0, "the jobUpdated feed asked the endpoint for the new head's job");
      // Without the hub giving the head up, the head watcher's stop waits for the endpoint until mocha's timeout.
      await runtime.close();
      await waitUntil(() => node.openQueries() === 0, "the runtime gave up its request to the endpoint");
      expect(logged).to.deep.equal([]);
    } finally {
      await node.close();
    }
  });
});

/** POSTs a list query that the index answers (not the head watcher's `_meta`). */
function postQuery(url: string): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ providers(first: 5) { nodes { address } } }" }),
  });
}

describe("startGateway's subgraphUrl and statusUrl that are not URLs", function () {
  it("refuses each with HttpSourceConfigError naming which, without repeating what was given", async function () {
    const cases = [
      { source: { subgraphUrl: "http://graph-node:80000/key-123" }, name: /^the subgraph URL is not a URL(?!.*key-123)/ },
      { source: { subgraphUrl: "http://127.0.0.1:1/subgraphs/name/latent/latent", statusUrl: "http://graph-node:80300/key-123" }, name: /^the indexing-status URL is not a URL(?!.*key-123)/ },
    ];
    for (const { source, name } of cases) {
      await expectRejection(startGateway({ source, chain: null, port: 0, logger: silentLogger }), name, HttpSourceConfigError);
    }
  });
});

describe("startGateway's subgraphUrl and statusUrl written without their http(s) scheme", function () {
  it("refuses each at start with HttpSourceConfigError naming the option and that http(s) is needed, quoting nothing of it", async function () {
    const cases = [
      { source: { subgraphUrl: "graph-node:8000/subgraphs/name/key-123" }, name: /^the subgraph URL \(subgraphUrl\) must be an http:\/\/ or https:\/\/ URL$/ },
      {
        source: { subgraphUrl: "http://127.0.0.1:1/subgraphs/name/latent/latent", statusUrl: "graph-node:8030/key-123" },
        name: /^the indexing-status URL \(statusUrl\) must be an http:\/\/ or https:\/\/ URL$/,
      },
    ];
    for (const { source, name } of cases) {
      await expectRejection(startGateway({ source, chain: null, port: 0, logger: silentLogger }), name, HttpSourceConfigError);
    }
  });
});

describe("startGateway's subgraphUrl source with graph-node's indexing-status API (statusUrl)", function () {
  interface LogLine {
    level: string;
    msg: string;
    deployment?: string;
    error?: string;
    block?: number;
  }
  type FailedGraphNode = Awaited<ReturnType<typeof failedGraphNode>>;

  /**
   * Runs `check` against a gateway reading a failed graph-node (`fatalError` its status API's message), asking the
   * status API at `statusUrl(node)` (undefined: none), with the gateway's JSON log lines in `logged`; stops both after.
   */
  async function withFailedGraphNode(
    statusUrl: (node: FailedGraphNode) => string | undefined,
    check: (url: string, node: FailedGraphNode, logged: LogLine[]) => Promise<void>,
    fatalError?: string,
    deterministic?: boolean,
  ): Promise<void> {
    const node = await failedGraphNode(fatalError, deterministic);
    const logged: LogLine[] = [];
    try {
      const status = statusUrl(node);
      const handle = await startGateway({
        source: { subgraphUrl: node.subgraphUrl, ...(status === undefined ? {} : { statusUrl: status }) },
        chain: null,
        port: 0,
        logger: createJsonLogger({ write: (line) => void logged.push(JSON.parse(line) as LogLine) }),
      });
      try {
        await check(handle.url, node, logged);
      } finally {
        await handle.stop();
      }
    } finally {
      await node.close();
    }
  }

  it("is not ready, with hasIndexingErrors, when the status API says the deployment failed, though graph-node's _meta does not say so", async function () {
    this.timeout(20_000);
    await withFailedGraphNode(
      (node) => node.statusUrl,
      async (url, node, logged) => {
        const response = await fetch(new URL("/readyz", url));
        expect(response.status).to.equal(503);
        const body = (await response.json()) as { ready: boolean; hasIndexingErrors: boolean; indexedBlock: number; reason: string };
        expect([body.ready, body.hasIndexingErrors, body.indexedBlock, body.reason]).to.deep.equal([false, true, 40, "the indexer stopped on an error"]);
        expect(node.statusRequests[0]?.variables).to.deep.equal({ ids: [FAILED_DEPLOYMENT] });
        expect(body).to.deep.include({ subgraphFailure: { message: "Mapping aborted at src/jobs.ts, line 12: boom", deterministic: true } });
        const failure = logged.filter((line) => line.msg === "subgraph deployment failed");
        expect(failure.map(({ level, deployment, error, block }) => ({ level, deployment, error, block }))).to.deep.equal([
          { level: "error", deployment: FAILED_DEPLOYMENT, error: "Mapping aborted at src/jobs.ts, line 12: boom", block: 41 },
        ]);
      },
    );
  });

  it("tells a failure graph-node retries (non-deterministic) from one that stops it for good, in /readyz and indexingStatus", async function () {
    this.timeout(20_000);
    await withFailedGraphNode(
      (node) => node.statusUrl,
      async (url) => {
        const response = await fetch(new URL("/readyz", url));
        expect(response.status).to.equal(503);
        const body = (await response.json()) as { ready: boolean; hasIndexingErrors: boolean; reason: string };
        expect(body).to.deep.include({
          ready: false,
          hasIndexingErrors: true,
          reason: "graph-node stopped on an error that it retries: store error: connection reset",
          subgraphFailure: { message: "store error: connection reset", deterministic: false },
        });
        const graphql = await fetch(new URL("/graphql", url), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: "{ indexingStatus { hasIndexingErrors subgraphFailure { message deterministic } indexerRestart { inSeconds } } }" }),
        });
        expect(((await graphql.json()) as { data: unknown }).data).to.deep.equal({
          indexingStatus: { hasIndexingErrors: true, subgraphFailure: { message: "store error: connection reset", deterministic: false }, indexerRestart: null },
        });
      },
      "store error: connection reset",
      false,
    );
  });

  it("logs a failure's message with the key of a URL it quotes cut, though no configured URL holds a secret, and shows it so in /readyz", async function () {
    this.timeout(20_000);
    await withFailedGraphNode(
      (node) => node.statusUrl,
      async (url, _node, logged) => {
        await waitUntil(() => logged.some((line) => line.msg === "subgraph deployment failed"), "the gateway logged the failure");
        const failure = logged.filter((line) => line.msg === "subgraph deployment failed").map((line) => line.error);
        expect(failure).to.deep.equal(["eth_call to https://eth.example.org/… failed: HTTP 503"]);
        const body = (await (await fetch(new URL("/readyz", url))).json()) as { subgraphFailure: { message: string } };
        expect(body.subgraphFailure.message).to.equal("eth_call to https://eth.example.org/… failed: HTTP 503");
      },
      "eth_call to https://eth.example.org/v2/key123 failed: HTTP 503",
    );
  });

  it("serves as _meta says, logging one warning, while the status API cannot be reached", async function () {
    this.timeout(20_000);
    // Nothing listens on port 1: a status API down must not take the queries graph-node answers with it.
    await withFailedGraphNode(
      () => "http://127.0.0.1:1/graphql",
      async (url, _node, logged) => {
        expect((await fetch(new URL("/readyz", url))).status).to.equal(200);
        expect((await fetch(new URL("/readyz", url))).status).to.equal(200);
        expect(logged.filter((line) => line.msg === "indexing status unavailable").map((line) => line.level)).to.deep.equal(["warn"]);
      },
    );
  });

  it("without statusUrl reads graph-node's failed deployment as healthy, as its _meta says (what statusUrl is for)", async function () {
    this.timeout(20_000);
    await withFailedGraphNode(
      () => undefined,
      async (url, node) => {
        const response = await fetch(new URL("/readyz", url));
        expect(response.status).to.equal(200);
        expect(node.statusRequests).to.deep.equal([]);
      },
    );
  });
});

describe("startGateway's subgraphUrl source on the embedded indexer's HTTP server, its /graphql as statusUrl", function () {
  this.timeout(60_000);
  let worker: IndexerWorker | null = null;
  after(async function () {
    await worker?.stop();
  });
  // Registered after the hook above: the worker stops before the chain it reads closes.
  const fx = useProbeFixture();

  it("reports a subgraph that failed on a handler abort as it reports graph-node's: not ready, the failure logged once with its message and block", async function () {
    await fx.probe.send("probe", [1, "gateway boom"]);
    const failing = await fx.chain.blockNumber();
    worker = await startIndexerWorker({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath("gateway-status.sqlite"), pollIntervalMs: 50 });
    const w = worker;
    await waitUntil(() => w.status().failed, "the subgraph failed");
    const server = await w.serve({ name: "probe" });
    const logged: Array<{ level: string; msg: string; deployment?: string; error?: string; block?: number }> = [];
    const handle = await startGateway({
      source: { subgraphUrl: server.queryUrl, statusUrl: server.statusUrl },
      chain: null,
      port: 0,
      logger: createJsonLogger({ write: (line) => void logged.push(JSON.parse(line) as (typeof logged)[number]) }),
    });
    try {
      const response = await fetch(new URL("/readyz", handle.url));
      expect(response.status).to.equal(503);
      const body = (await response.json()) as { ready: boolean; hasIndexingErrors: boolean; indexedBlock: number; reason: string };
      expect([body.ready, body.hasIndexingErrors, body.indexedBlock, body.reason]).to.deep.equal([false, true, failing - 1, "the indexer stopped on an error"]);
      await waitUntil(() => logged.some((line) => line.msg === "subgraph deployment failed"), "the gateway logged the failure");
      const { deployment, fatalError } = w.status();
      expect(fatalError!.message).to.include("gateway boom");
      expect(logged.filter((line) => line.msg === "subgraph deployment failed").map(({ level, deployment, error, block }) => ({ level, deployment, error, block }))).to.deep.equal([
        { level: "error", deployment, error: fatalError!.message, block: failing },
      ]);
      expect(logged.filter((line) => line.msg === "indexing status unavailable")).to.deep.equal([]);
    } finally {
      await handle.stop();
    }
  });
});

describe("startGateway's timeouts", function () {
  it("hands the subgraphUrl source's timeoutMs to its requests: /readyz names it when the endpoint never answers", async function () {
    this.timeout(20_000);
    const node = await startSilentNode();
    try {
      const handle = await startGateway({ source: { subgraphUrl: `${node.url}/subgraphs/name/latent`, timeoutMs: 300 }, chain: null, port: 0, logger: silentLogger });
      try {
        const response = await fetch(new URL("/readyz", handle.url));
        expect(response.status).to.equal(503);
        // The source's default (10 s) would name 10000 ms, if the test waited that long.
        expect(await response.json()).to.deep.equal({ ready: false, reason: "source unavailable: the subgraph endpoint did not answer within 300 ms" });
      } finally {
        await handle.stop();
      }
    } finally {
      await node.close();
    }
  });

  it("hands chain.timeoutMs to its chain reader, whose reads of a node that never answers fail naming it", async function () {
    this.timeout(20_000);
    const node = await startSilentNode();
    const at = (n: number) => ({ address: `0x${n.toString(16).padStart(40, "0")}`, blockNumber: 1 });
    const deployment = { network: "localhost", chainId: 31337, contracts: { ProviderRegistry: at(1), Staking: at(2), JobEscrow: at(3) } };
    // An endpoint nothing listens on: only the chain is read here.
    const runtime = await createGatewayRuntime({
      source: { subgraphUrl: "http://127.0.0.1:1/subgraphs/name/latent" },
      chain: { rpcUrl: node.url, deployment, timeoutMs: 300 },
      logger: silentLogger,
    });
    try {
      const chain = runtime.services.chain;
      if (chain === null) throw new Error("the runtime has no chain reader");
      // The chain reader's default (5 s) would name 5000 ms.
      await expectRejection(chain.blockNumber(), /^eth_blockNumber: no answer from the RPC within 300 ms$/, ChainError);
    } finally {
      await runtime.close();
      await node.close();
    }
  });
});

describe("startGateway's embedded source", function () {
  it("hands rpcTimeoutMs to its indexer (in its worker thread), which gives up on a node that never answers after that long", async function () {
    this.timeout(60_000);
    const build = path.resolve(__dirname, "..", "..", "subgraph", "build");
    if (!fs.existsSync(path.join(build, "subgraph.yaml"))) this.skip(); // npm test builds it first
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gateway-rpc-timeout-"));
    const node = await startSilentNode();
    try {
      const error = await startGateway({
        source: { rpcUrl: node.url, rpcTimeoutMs: 300, deployment: fakeDeployment(build), dbPath: path.join(dir, "db.sqlite") },
        port: 0,
        logger: silentLogger,
      }).then(
        () => null,
        (e: unknown) => e,
      );
      // The indexer's default (30 s) would name 30000 ms, if the test waited that long.
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.match(/: eth_\w+ timed out after 300 ms$/);
    } finally {
      await node.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("startGateway's signal", function () {
  it("aborted while the embedded indexer's open waits on a node that never answers, rejects with StartAbortedError, the database's writer lock released", async function () {
    this.timeout(60_000);
    const build = path.resolve(__dirname, "..", "..", "subgraph", "build");
    if (!fs.existsSync(path.join(build, "subgraph.yaml"))) this.skip(); // npm test builds it first
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gateway-abort-"));
    const node = await startSilentNode();
    try {
      const db = path.join(dir, "db.sqlite");
      const controller = new AbortController();
      const starting = startGateway({
        source: { rpcUrl: node.url, deployment: fakeDeployment(build), dbPath: db },
        port: 0,
        logger: silentLogger,
        signal: controller.signal,
      }).catch((error: unknown) => error);
      // The indexer thread's open holds the database's writer lock while it asks the node for the chain id.
      await waitUntil(() => node.connections > 0, "the indexer asked the node", { timeoutMs: 40_000 });
      controller.abort();
      expect(await starting).to.be.instanceOf(StartAbortedError);
      // In this process: a thread still opening would hold the lock.
      expect(() => WriterLock.acquire(db).release()).to.not.throw();
    } finally {
      await node.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
