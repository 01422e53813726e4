// The HTTP transport's two documented knobs (IndexerOptions.rpcTimeoutMs and maxRequestsPerSecond), against a
// local stand-in node.
import { mkdtempSync, rmSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { expect } from "chai";
import { Indexer } from "../../../../subgraph/indexer";
import { MIN_REQUESTS_PER_SECOND, RATE_RAISE_AFTER } from "../../../../subgraph/indexer/chain/request-rate";
import { Eip1193Rpc, HttpRpc, type Eip1193Provider, MAX_RETRY_AFTER_MS, MAX_TRANSIENT_RETRY_AFTER_MS, retryAfterMs, TRANSIENT_RETRIES } from "../../../../subgraph/indexer/chain/rpc";
import {
  RangeTooLargeError,
  RateLimitedError,
  RpcAbortedError,
  RpcConnectionError,
  RpcError,
  RpcUnavailableError,
} from "../../../../subgraph/indexer/errors";
import { API_KEY, startKeyedRpc } from "../../../helpers/keyed-rpc";
import { HttpProvider } from "hardhat/internal/core/providers/http";
import { HardhatError } from "hardhat/internal/core/errors";
import { ERRORS } from "hardhat/internal/core/errors-list";
import { buildConnector, errors as undiciErrors, Pool } from "undici";
import { closedPort } from "../../../helpers/closed-port";
import { createPublicClient, http as viemHttp, HttpRequestError as ViemHttpRequestError } from "viem";
import { waitUntil } from "../../../helpers/wait";
import { UrlFormError } from "../../../../subgraph/indexer/url-form";

const SUBGRAPH = path.resolve(__dirname, "..", "..", "..", "..", "subgraph");

async function standIn(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** RpcError or one of its subclasses, whatever their constructors take: what an error is expected to be an instance of. */
type RpcErrorClass = abstract new (...args: never[]) => RpcError;

/** A clock that only the waits move, and the waits asked for: nothing waits for real. */
function fakeTime() {
  const time = { clock: 0, waits: [] as number[] };
  const options = {
    now: () => time.clock,
    sleep: async (ms: number) => {
      time.waits.push(ms);
      time.clock += ms;
    },
  };
  return { time, options };
}

describe("embedded indexer: HTTP JSON-RPC transport", function () {
  it("names its endpoint, in its description and in its errors, by host only: the path and query may hold an API key", async function () {
    const node = await startKeyedRpc();
    try {
      const rpc = new HttpRpc(node.url);
      expect(rpc.description).to.equal(`${node.origin}/…`);
      let caught: unknown;
      await rpc.request("eth_blockNumber", []).catch((error: unknown) => (caught = error));
      expect(caught).to.be.instanceOf(RpcError);
      expect((caught as RpcError).message).to.equal(`eth_blockNumber: HTTP 503 upstream ${node.origin}/… unavailable`);
      expect((caught as RpcError).message).not.to.include(API_KEY);
    } finally {
      await node.close();
    }
  });

  it("cuts every URL a node's or a proxy's answer names in the errors that quote it, keeping the text around it", async function () {
    // A node behind a proxy or a load balancer may name its upstream, with the upstream's key, which is not the URL the
    // transport was given. JSON bodies are read as JSON text, where a URL ends at an escape (`\n`) and the words after it stay.
    const upstream = "https://upstream.example/v3/SECRETKEY";
    type Answer = (ids: number[]) => { status: number; type: string; body: string };
    const rpcError = (id: number) => ({ jsonrpc: "2.0", id, error: { code: -32000, message: `upstream ${upstream} failed` } });
    const table: Array<[string, "request" | "batch", Answer, RpcErrorClass, string]> = [
      [
        "an error page (HTTP 503)",
        "request",
        () => ({ status: 503, type: "text/html", body: `<html><body>upstream ${upstream} is down</body></html>` }),
        RpcUnavailableError,
        "eth_blockNumber: HTTP 503 <html><body>upstream https://upstream.example/… is down</body></html>",
      ],
      [
        "a JSON body of an HTTP error (500)",
        "request",
        () => ({ status: 500, type: "application/json", body: JSON.stringify({ error: `upstream ${upstream}\nfailed` }) }),
        RpcError,
        'eth_blockNumber: HTTP 500 {"error":"upstream https://upstream.example/…\\nfailed"}',
      ],
      [
        "a rate limit's JSON body (HTTP 429)",
        "request",
        () => ({ status: 429, type: "application/json", body: JSON.stringify({ error: `limited by ${upstream}, retry later` }) }),
        RateLimitedError,
        'eth_blockNumber: HTTP 429 {"error":"limited by https://upstream.example/…, retry later"}',
      ],
      [
        "an answer that is not JSON (HTTP 200)",
        "request",
        () => ({ status: 200, type: "text/plain", body: `upstream ${upstream} timed out` }),
        RpcError,
        "eth_blockNumber: response is not JSON: upstream https://upstream.example/… timed out",
      ],
      [
        "a broken JSON answer (HTTP 200)",
        "request",
        () => ({ status: 200, type: "application/json", body: `{"jsonrpc":"2.0","id":1,"result":"${upstream}\\nmore` }),
        RpcError,
        'eth_blockNumber: response is not JSON: {"jsonrpc":"2.0","id":1,"result":"https://upstream.example/…\\nmore',
      ],
      [
        "a node's JSON-RPC error",
        "request",
        ([id]) => ({ status: 200, type: "application/json", body: JSON.stringify(rpcError(id!)) }),
        RpcError,
        "eth_blockNumber failed: upstream https://upstream.example/… failed (code -32000)",
      ],
      [
        "a node's JSON-RPC error in a batch's answer",
        "batch",
        (ids) => ({ status: 200, type: "application/json", body: JSON.stringify(ids.map(rpcError)) }),
        RpcError,
        "eth_blockNumber failed: upstream https://upstream.example/… failed (code -32000)",
      ],
      [
        "a node's JSON-RPC error answered to a whole batch, then to each call",
        "batch",
        (ids) => ({ status: 200, type: "application/json", body: JSON.stringify(rpcError(ids[0]!)) }),
        RpcError,
        "eth_blockNumber failed: upstream https://upstream.example/… failed (code -32000)",
      ],
    ];
    for (const [name, call, answer, type, expected] of table) {
      const node = await standIn((request, response) => {
        let body = "";
        request.on("data", (chunk: Buffer) => (body += chunk.toString()));
        request.on("end", () => {
          const parsed = JSON.parse(body) as { id: number } | Array<{ id: number }>;
          const { status, type: contentType, body: text } = answer(Array.isArray(parsed) ? parsed.map((c) => c.id) : [parsed.id]);
          response.writeHead(status, { "content-type": contentType });
          response.end(text);
        });
      });
      try {
        const rpc = new HttpRpc(node.url, fakeTime().options);
        const blocks = [{ method: "eth_blockNumber", params: [] }, { method: "eth_blockNumber", params: [] }];
        const error = await (call === "request" ? rpc.request("eth_blockNumber", []) : rpc.batch(blocks)).catch((e: unknown) => e);
        expect(error, name).to.be.instanceOf(type);
        expect((error as Error).message, name).to.equal(expected);
      } finally {
        await node.close();
      }
    }
  });

  it("quotes the first 200 characters of an HTTP error's body and of an answer that is not JSON", async function () {
    const long = "x".repeat(150) + "y".repeat(150);
    const quoted = "x".repeat(150) + "y".repeat(50);
    for (const [status, expected] of [
      [500, `eth_blockNumber: HTTP 500 ${quoted}`],
      [200, `eth_blockNumber: response is not JSON: ${quoted}`],
    ] as const) {
      const node = await standIn((_request, response) => void response.writeHead(status, { "content-type": "text/plain" }).end(long));
      try {
        const error = await new HttpRpc(node.url, fakeTime().options).request("eth_blockNumber", []).catch((e: unknown) => e);
        expect((error as Error).message, String(status)).to.equal(expected);
      } finally {
        await node.close();
      }
    }
  });

  it("sends a URL's credentials as basic authentication (fetch refuses a URL with them), percent-decoded, to the URL without them", async function () {
    const seen: Array<{ url: string | undefined; authorization: string | undefined }> = [];
    const node = await standIn((request, response) => {
      seen.push({ url: request.url, authorization: request.headers.authorization });
      request.resume().on("end", () => response.writeHead(200, { "content-type": "application/json" }).end('{"jsonrpc":"2.0","id":1,"result":"0x2a"}'));
    });
    try {
      const credentialed = node.url.replace("://", "://alice:p%40ss%3Aword@");
      expect(await new HttpRpc(`${credentialed}/v2/KEY?x=1`, fakeTime().options).request("eth_blockNumber", [])).to.equal("0x2a");
      expect(await new HttpRpc(node.url.replace("://", "://bob@"), fakeTime().options).request("eth_blockNumber", [])).to.equal("0x2a");
      expect(await new HttpRpc(node.url, fakeTime().options).request("eth_blockNumber", [])).to.equal("0x2a");
      expect(seen).to.deep.equal([
        { url: "/v2/KEY?x=1", authorization: `Basic ${Buffer.from("alice:p@ss:word").toString("base64")}` },
        { url: "/", authorization: `Basic ${Buffer.from("bob:").toString("base64")}` },
        { url: "/", authorization: undefined },
      ]);
    } finally {
      await node.close();
    }
  });

  it("refuses at construction a URL fetch could not use, as a UrlFormError quoting nothing after its scheme", function () {
    // Each would fail every request as a connection error, which run() retries for ever.
    const refused: Array<[string, string]> = [
      ["http://127.0.0.1:99999/v2/SECRETKEY", "HttpRpc: the node's URL is not a valid http:// URL"],
      ["ws://127.0.0.1:8545/v2/SECRETKEY", "HttpRpc: the node's URL must start with http:// or https://, not ws://"],
      ["SECRETUSER:secret@127.0.0.1:8545", "HttpRpc: the node's URL has no http:// or https:// scheme"],
      ["https:/127.0.0.1:8545/v2/SECRETKEY", "HttpRpc: the node's URL must have two slashes after its scheme (https://host/…), not \"/\""],
    ];
    for (const [url, message] of refused) {
      expect(() => new HttpRpc(url, fakeTime().options), url).to.throw(UrlFormError).with.property("message", message);
    }
  });

  it("gives up on a request the node does not answer within rpcTimeoutMs: the request is aborted, not sent again", async function () {
    // Never answers; records each request and whether the indexer closed it before an answer.
    const requests: Array<{ method: string; closed: boolean }> = [];
    const node = await standIn((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const seen = { method: (JSON.parse(Buffer.concat(chunks).toString()) as { method: string }).method, closed: false };
        requests.push(seen);
        response.on("close", () => (seen.closed = !response.writableFinished));
      });
    });
    const tmp = mkdtempSync(path.join(os.tmpdir(), "latent-rpc-"));
    try {
      const error = await Indexer.open({ subgraph: SUBGRAPH, rpc: node.url, db: path.join(tmp, "i.sqlite"), rpcTimeoutMs: 100 }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RpcError);
      expect((error as Error).message).to.equal("eth_chainId timed out after 100 ms");
      // Its connection closed by the indexer: the fetch was aborted, not left waiting for an answer that never comes.
      await waitUntil(() => requests.every((r) => r.closed), "the indexer closes the request it gave up");
      expect(requests).to.deep.equal([{ method: "eth_chainId", closed: true }]);
    } finally {
      await node.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("gives up on a response whose body stops arriving within rpcTimeoutMs, closing its connection", async function () {
    // Headers and the start of the body, then nothing: the timeout must cover reading the body too.
    let closed = false;
    const node = await standIn((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"jsonrpc":"2.0","id":1,');
      response.on("close", () => (closed = true));
    });
    try {
      // Without the timeout over the body, the request would wait for ever (the test's own timeout ends it).
      const error = await new HttpRpc(node.url, { timeoutMs: 100 }).request("eth_blockNumber", []).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RpcError);
      expect((error as Error).message).to.equal("eth_blockNumber timed out after 100 ms");
      // The body's read was aborted, not left waiting on a node that sends nothing more.
      await waitUntil(() => closed, "the transport closes the connection of the response it gave up");
    } finally {
      await node.close();
    }
  });

  it("takes eth_getLogs answered with -32005 (limit exceeded) for a range too large, whatever the message says", async function () {
    // EIP-1474's "limit exceeded", which Infura and others send for too many logs: with a wording no pattern knows, the
    // range was never shrunk and every pass asked for the same blocks again.
    const node = await standIn((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        const { id, method } = JSON.parse(body) as { id: number; method: string };
        response.writeHead(200, { "content-type": "application/json" });
        const error =
          method === "eth_getLogs"
            ? { code: -32005, message: "Exceeded max range limit for eth_getLogs: 10000" }
            : { code: -32005, message: "daily request count exceeded, request rate limited" };
        response.end(JSON.stringify({ jsonrpc: "2.0", id, error }));
      });
    });
    try {
      const rpc = new HttpRpc(node.url);
      const logs = await rpc.request("eth_getLogs", [{ fromBlock: "0x1", toBlock: "0x4e20" }]).catch((e: unknown) => e);
      expect(logs).to.be.instanceOf(RangeTooLargeError);
      expect((logs as Error).message).to.equal("eth_getLogs failed: Exceeded max range limit for eth_getLogs: 10000 (code -32005)");
      // Other methods have no range to shrink.
      const head = await rpc.request("eth_blockNumber", []).catch((e: unknown) => e);
      expect(head).to.be.instanceOf(RpcError).and.not.instanceOf(RangeTooLargeError);
    } finally {
      await node.close();
    }
  });

  /**
   * A stand-in node that gives each request the next of `answers` (status, headers, JSON-RPC error), and records the
   * bodies and, on `clock` (a test's fake one, which only its sleeps move), when each arrived.
   */
  async function scripted(
    answers: ReadonlyArray<{ status?: number; headers?: Record<string, string>; error?: object; body?: string }>,
    clock: () => number = () => 0,
  ) {
    const bodies: string[] = [];
    const arrivals: number[] = [];
    const node = await standIn((request, response) => {
      arrivals.push(clock());
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        bodies.push(body);
        const answer = answers[bodies.length - 1] ?? {};
        const parsed = JSON.parse(body) as { id: number } | Array<{ id: number }>;
        response.writeHead(answer.status ?? 200, { "content-type": "application/json", ...answer.headers });
        if (answer.status !== undefined) response.end(answer.body ?? "Too Many Requests");
        else if (answer.error !== undefined) response.end(JSON.stringify({ jsonrpc: "2.0", id: Array.isArray(parsed) ? null : parsed.id, error: answer.error }));
        else if (Array.isArray(parsed)) response.end(JSON.stringify(parsed.map(({ id }) => ({ jsonrpc: "2.0", id, result: [] }))));
        else response.end(JSON.stringify({ jsonrpc: "2.0", id: parsed.id, result: [] }));
      });
    });
    return { ...node, bodies, arrivals };
  }

  const GET_LOGS: [{ fromBlock: string; toBlock: string }] = [{ fromBlock: "0x1", toBlock: "0x4e20" }];

  it("takes rate limits for rate limits, not for an eth_getLogs range too large, with the wait the node names", async function () {
    // What providers answer when a client goes too fast: several match the too-large patterns ("too many", "limit
    // exceeded") or carry -32005, and shrinking the range on them would only multiply the requests.
    const limits: Array<[object, number | null]> = [
      [{ code: 429, message: "Your app has exceeded its compute units per second capacity. If you have retries enabled, you can safely ignore this message." }, null],
      [{ code: -32005, message: "daily request count exceeded, request rate limited", data: { see: "https://infura.io/dashboard", rate: { allowed_rps: 1, backoff_seconds: 30, current_rps: 1.4 } } }, 30_000],
      [{ code: -32005, message: "project ID request rate exceeded", data: { rate: { backoff_seconds: 86_400 } } }, MAX_RETRY_AFTER_MS],
      [{ code: -32005, message: "rate limit exceeded" }, null],
      [{ code: -32000, message: "Too Many Requests" }, null],
      [{ code: -32603, message: "Request throttled: over your plan's quota" }, null],
    ];
    const node = await scripted(limits.map(([error]) => ({ error })));
    // The named waits hold the transport's next request: on a fake clock.
    const { time, options } = fakeTime();
    try {
      // Unlimited for good: by default a rate limit also starts a request rate, whose slots would be waits too.
      const rpc = new HttpRpc(node.url, { ...options, maxRequestsPerSecond: 0 });
      for (const [error, wait] of limits) {
        const refused = await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
        expect(refused, JSON.stringify(error)).to.be.instanceOf(RateLimitedError).and.not.instanceOf(RangeTooLargeError);
        expect((refused as RateLimitedError).retryAfterMs, JSON.stringify(error)).to.equal(wait);
      }
      expect(time.waits).to.deep.equal([30_000, MAX_RETRY_AFTER_MS]);
    } finally {
      await node.close();
    }
  });

  it("still takes -32005 and the too-large wordings that are about results or the range for a range too large", async function () {
    const tooLarge = [
      { code: -32005, message: "query returned more than 10000 results" },
      { code: -32005, message: "limit exceeded" },
      { code: -32602, message: "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range" },
      { code: -32000, message: "block range is too wide" },
      { code: -32000, message: "too many logs in the response" },
    ];
    const node = await scripted(tooLarge.map((error) => ({ error })));
    try {
      const rpc = new HttpRpc(node.url);
      for (const error of tooLarge) {
        expect(await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e), error.message).to.be.instanceOf(RangeTooLargeError);
      }
    } finally {
      await node.close();
    }
  });

  it("takes HTTP 429 for a rate limit on any method, honouring Retry-After up to MAX_RETRY_AFTER_MS", async function () {
    const node = await scripted([
      { status: 429, headers: { "retry-after": "2" } },
      { status: 429, headers: { "retry-after": "86400" } },
      { status: 429 },
      { status: 429, headers: { "retry-after": "soon" } },
    ]);
    const { time, options } = fakeTime();
    try {
      // Unlimited for good: by default a rate limit also starts a request rate, whose slots would be waits too.
      const rpc = new HttpRpc(node.url, { ...options, maxRequestsPerSecond: 0 });
      const waits: Array<number | null> = [];
      for (const method of ["eth_getLogs", "eth_getLogs", "eth_blockNumber", "eth_getLogs"]) {
        const refused = await rpc.request(method, method === "eth_getLogs" ? GET_LOGS : []).catch((e: unknown) => e);
        expect(refused, method).to.be.instanceOf(RateLimitedError).and.not.instanceOf(RangeTooLargeError);
        expect((refused as RateLimitedError).message).to.equal(`${method}: HTTP 429 Too Many Requests`);
        waits.push((refused as RateLimitedError).retryAfterMs);
      }
      expect(waits).to.deep.equal([2000, MAX_RETRY_AFTER_MS, null, null]);
      expect(time.waits).to.deep.equal([2000, MAX_RETRY_AFTER_MS]);
    } finally {
      await node.close();
    }
    // The other form RFC 9110 allows: a date.
    expect(retryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("Wed, 21 Oct 2015 07:27:30 GMT"))).to.equal(30_000);
    expect(retryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("Wed, 21 Oct 2015 07:29:00 GMT"))).to.equal(0);
  });

  it("holds all the transport's requests, not only the refused one's retry, until a rate limit's Retry-After has passed", async function () {
    // The indexer waits the Retry-After before asking for the refused range again, but the fetcher's other reads (a
    // batch of blocks, receipts) went at once: refused in turn, each halving the rate again.
    for (const maxRequestsPerSecond of [0, 10]) {
      const { time, options } = fakeTime();
      const node = await scripted([{ status: 429, headers: { "retry-after": "2" } }], () => time.clock);
      try {
        const rpc = new HttpRpc(node.url, { ...options, maxRequestsPerSecond });
        expect(await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e)).to.be.instanceOf(RateLimitedError);
        const calls = [1, 2].map((n) => ({ method: "eth_getBlockByNumber", params: [`0x${n}`, false] }));
        await Promise.all([rpc.batch(calls), rpc.request("eth_blockNumber", [])]);
        const label = `maxRequestsPerSecond ${maxRequestsPerSecond}`;
        // At 10/s, halved to 5/s by the 429: the second waits a slot (200 ms) more.
        expect(time.waits, label).to.deep.equal(maxRequestsPerSecond === 0 ? [2000] : [2000, 200]);
        // Where the node sees them (the fake clock may have moved on since each was sent): none before the 2 s.
        expect(node.arrivals, label).to.have.length(3);
        node.arrivals.slice(1).forEach((at) => expect(at, label).to.be.at.least(2000));
      } finally {
        await node.close();
      }
    }
  });

  it("asks again after a 503's Retry-After, up to MAX_TRANSIENT_RETRY_AFTER_MS in all, and fails at once on a longer wait", async function () {
    const unavailable = (retryAfter: string) => ({ status: 503, headers: { "retry-after": retryAfter }, body: "restarting" });
    const node = await scripted([unavailable("1"), {}, unavailable("2"), unavailable("2"), unavailable("2"), unavailable("30")]);
    const { time, options } = fakeTime();
    try {
      const rpc = new HttpRpc(node.url, options);
      expect(await rpc.request("eth_getLogs", GET_LOGS)).to.deep.equal([]);
      expect(time.waits).to.deep.equal([1000]);
      // 2 s, 2 s, and 2 s more would pass the bound: the pass fails with the wait the node named, which run() retries.
      const error = await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RpcUnavailableError);
      expect((error as RpcUnavailableError).retryAfterMs).to.equal(2000);
      expect(time.waits).to.deep.equal([1000, 2000, 2000]);
      expect(node.bodies).to.have.length(5);
      // A wait longer than the bound: not asked again at all.
      const down = await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
      expect((down as RpcUnavailableError).retryAfterMs).to.equal(30_000);
      expect(node.bodies).to.have.length(6);
      expect(time.waits).to.deep.equal([1000, 2000, 2000]);
      expect(MAX_TRANSIENT_RETRY_AFTER_MS).to.equal(5_000);
    } finally {
      await node.close();
    }
  });

  /**
   * A clock that only `advance` moves, and waits that end when it passes them: a test can look at what a transport does
   * while one of its requests waits, before the wait is over.
   */
  function heldTime() {
    const sleepers: Array<{ until: number; wake(): void }> = [];
    const time = {
      clock: 0,
      /** How many waits have begun. */
      waits: 0,
      advance(to: number): void {
        time.clock = to;
        for (const sleeper of sleepers.filter((s) => s.until <= to)) {
          sleepers.splice(sleepers.indexOf(sleeper), 1);
          sleeper.wake();
        }
      },
    };
    const options = {
      now: () => time.clock,
      sleep: (ms: number) => {
        time.waits++;
        return new Promise<void>((wake) => sleepers.push({ until: time.clock + ms, wake }));
      },
    };
    return { time, options };
  }

  /** Until `condition` holds, said as `what`: an event the test waits for, bounded by waitUntil's default. */
  const until = (condition: () => boolean, what: string): Promise<void> => waitUntil(condition, what, { intervalMs: 1 });

  it("holds the transport's other requests, not only the refused one's retry, until a 502/503/504's Retry-After has passed", async function () {
    // A node that says it is back in 2 s says it for every request: sent meanwhile, they were only turned away in turn.
    for (const status of [502, 503, 504]) {
      const { time, options } = heldTime();
      const node = await scripted([{ status, headers: { "retry-after": "2" }, body: "restarting" }], () => time.clock);
      try {
        const rpc = new HttpRpc(node.url, options);
        const first = rpc.request("eth_getLogs", GET_LOGS);
        await until(() => time.waits === 1, "the refused request sleeps out its Retry-After");
        const second = rpc.request("eth_blockNumber", []);
        // Either it waits too, or it reaches the node.
        await until(() => time.waits === 2 || node.arrivals.length === 2, "the second request sleeps too, or reaches the node");
        expect(node.arrivals, `HTTP ${status}`).to.deep.equal([0]);
        time.advance(2000);
        expect(await Promise.all([first, second])).to.deep.equal([[], []]);
        expect(node.arrivals, `HTTP ${status}`).to.deep.equal([0, 2000, 2000]);
      } finally {
        await node.close();
      }
    }
  });

  it("holds no other request for a 503's Retry-After past MAX_TRANSIENT_RETRY_AFTER_MS: the refused one fails at once", async function () {
    const { time, options } = heldTime();
    const node = await scripted([{ status: 503, headers: { "retry-after": "30" }, body: "down for maintenance" }], () => time.clock);
    try {
      const rpc = new HttpRpc(node.url, options);
      expect(await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e)).to.be.instanceOf(RpcUnavailableError);
      // The pass fails on it and run() waits the 30 s; a request of this transport meanwhile is not held.
      expect(await rpc.request("eth_blockNumber", [])).to.deep.equal([]);
      expect(time.waits).to.equal(0);
    } finally {
      await node.close();
    }
  });

  it("counts a request's wait for other requests' Retry-After in its MAX_TRANSIENT_RETRY_AFTER_MS bound", async function () {
    // Two requests answered 503 in turn: the second, held 4 s by the first's Retry-After, then named 2 s of its own.
    // Counting only its own waits it asked again, and waited 6 s in all.
    const { time, options } = heldTime();
    const answered = new Map<string, number>();
    const node = await standIn((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        const { id, method } = JSON.parse(body) as { id: number; method: string };
        const n = answered.get(method) ?? 0;
        answered.set(method, n + 1);
        const retryAfter = n > 0 ? null : method === "eth_chainId" ? "4" : "2";
        if (retryAfter !== null) response.writeHead(503, { "content-type": "text/plain", "retry-after": retryAfter }).end("restarting");
        else response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id, result: "0x1" }));
      });
    });
    try {
      const rpc = new HttpRpc(node.url, options);
      const first = rpc.request("eth_chainId", []);
      await until(() => time.waits === 1, "eth_chainId sleeps out its Retry-After");
      let second: unknown = undefined;
      const settled = rpc.request("eth_blockNumber", []).then(
        (result) => (second = result),
        (error: unknown) => (second = error),
      );
      await until(() => time.waits === 2, "eth_blockNumber sleeps too");
      time.advance(4000);
      // Either it fails at once, or it waits once more.
      await until(() => second !== undefined || time.waits === 3, "eth_blockNumber fails, or sleeps once more");
      expect(second).to.be.instanceOf(RpcUnavailableError);
      expect((second as RpcUnavailableError).retryAfterMs).to.equal(2000);
      expect(await first).to.equal("0x1");
      await settled;
    } finally {
      await node.close();
    }
  });

  it("abort() ends at once, with RpcAbortedError, the requests a rate limit's Retry-After holds", async function () {
    const { time, options } = heldTime();
    const node = await scripted([{ status: 429, headers: { "retry-after": "60" } }], () => time.clock);
    try {
      const rpc = new HttpRpc(node.url, { ...options, maxRequestsPerSecond: 0 });
      expect(await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e)).to.be.instanceOf(RateLimitedError);
      const held = rpc.request("eth_blockNumber", []).catch((e: unknown) => e);
      await until(() => time.waits === 1, "the request sent after the rate limit sleeps out its Retry-After");
      rpc.abort();
      // The fake clock has not moved: the hold is still on.
      const error = await held;
      expect(error).to.be.instanceOf(RpcAbortedError);
      expect((error as RpcAbortedError).method).to.equal("eth_blockNumber");
      expect(node.arrivals).to.deep.equal([0]);
    } finally {
      await node.close();
    }
  });

  it("a request's own signal ends it, and its wait in the hold a rate limit set, and no other request of the transport", async function () {
    const { time, options } = heldTime();
    const node = await scripted([{ status: 429, headers: { "retry-after": "60" } }], () => time.clock);
    try {
      const rpc = new HttpRpc(node.url, { ...options, maxRequestsPerSecond: 0 });
      expect(await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e)).to.be.instanceOf(RateLimitedError);
      const mine = new AbortController();
      const held = rpc.request("eth_blockNumber", [], { signal: mine.signal }).catch((e: unknown) => e);
      const heldBatch = rpc
        .batch([1, 2].map((n) => ({ method: "eth_getBlockByNumber", params: [`0x${n}`, false] })), { signal: mine.signal })
        .catch((e: unknown) => e);
      const others = rpc.request("eth_chainId", []);
      await until(() => time.waits === 3, "the three requests sent after the rate limit sleep");
      mine.abort();
      expect(await held).to.be.instanceOf(RpcAbortedError);
      expect(await heldBatch).to.be.instanceOf(RpcAbortedError);
      time.advance(60_000);
      expect(await others).to.deep.equal([]);
      expect(node.arrivals).to.deep.equal([0, 60_000]);
      // Already aborted: not sent.
      expect(await rpc.request("eth_chainId", [], { signal: mine.signal }).catch((e: unknown) => e)).to.be.instanceOf(RpcAbortedError);
      expect(node.arrivals).to.have.length(2);
    } finally {
      await node.close();
    }
  });

  it("abort() clears the timer of a Retry-After's hold, which would keep a stopped indexer's process alive for a minute", async function () {
    const node = await scripted([{ status: 429, headers: { "retry-after": "60" } }]);
    const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    try {
      // Real waits: the default sleep's timer is what is looked at.
      const rpc = new HttpRpc(node.url, { maxRequestsPerSecond: 0 });
      expect(await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e)).to.be.instanceOf(RateLimitedError);
      const before = timers();
      const held = rpc.request("eth_blockNumber", []).catch((e: unknown) => e);
      expect(timers()).to.equal(before + 1);
      rpc.abort();
      expect(await held).to.be.instanceOf(RpcAbortedError);
      expect(timers()).to.equal(before);
    } finally {
      await node.close();
    }
  });

  it("sends many requests at once without Node's warning of a leak: each listens to the transport's abort", async function () {
    const node = await scripted([]);
    const warnings: Error[] = [];
    const listener = (warning: Error): void => void warnings.push(warning);
    process.on("warning", listener);
    try {
      const rpc = new HttpRpc(node.url);
      await Promise.all(Array.from({ length: 20 }, () => rpc.request("eth_blockNumber", [])));
      // process.emitWarning emits on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.name)).to.not.include("MaxListenersExceededWarning");
    } finally {
      process.off("warning", listener);
      await node.close();
    }
  });

  it("after abort(), sends the requests begun later, once the hold the node asked for has passed", async function () {
    const { time, options } = heldTime();
    const node = await scripted([{ status: 429, headers: { "retry-after": "60" } }], () => time.clock);
    try {
      const rpc = new HttpRpc(node.url, { ...options, maxRequestsPerSecond: 0 });
      expect(await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e)).to.be.instanceOf(RateLimitedError);
      rpc.abort();
      const later = rpc.request("eth_blockNumber", []);
      await until(() => time.waits === 1, "the request sent after abort() sleeps out the Retry-After");
      time.advance(60_000);
      expect(await later).to.deep.equal([]);
      expect(node.arrivals).to.deep.equal([0, 60_000]);
    } finally {
      await node.close();
    }
  });

  it("abort() ends a request the node has not answered yet, without waiting for its timeout", async function () {
    let arrived = 0;
    const node = await standIn(() => void arrived++); // never answers
    try {
      const rpc = new HttpRpc(node.url, { timeoutMs: 3_600_000 });
      const pending = rpc.request("eth_blockNumber", []).catch((e: unknown) => e);
      await until(() => arrived === 1, "the request reached the node");
      rpc.abort();
      expect(await pending).to.be.instanceOf(RpcAbortedError);
    } finally {
      await node.close();
    }
  });

  it("close() refuses every later request with RpcAbortedError, sending none", async function () {
    const node = await scripted([]);
    try {
      const rpc = new HttpRpc(node.url);
      rpc.close();
      expect(await rpc.request("eth_blockNumber", []).catch((e: unknown) => e)).to.be.instanceOf(RpcAbortedError);
      expect(await rpc.batch([{ method: "eth_chainId", params: [] }, { method: "eth_blockNumber", params: [] }]).catch((e: unknown) => e)).to.be.instanceOf(
        RpcAbortedError,
      );
      expect(node.bodies).to.deep.equal([]);
    } finally {
      await node.close();
    }
  });

  it("asks again after HTTP 502, 503 and 504 with the backoff of a refused connection, then fails with RpcUnavailableError", async function () {
    // A load balancer between backends, a node restarting: failing the pass on the first cost a poll and a log line,
    // and these are no reason to shrink an eth_getLogs range either.
    const unavailable = (status: number) => ({ status, body: "no healthy upstream" });
    const node = await scripted([unavailable(503), unavailable(502), unavailable(504), {}, ...[503, 503, 503, 503].map(unavailable), {}]);
    const waits: number[] = [];
    try {
      const rpc = new HttpRpc(node.url, { sleep: async (ms) => void waits.push(ms) });
      expect(await rpc.request("eth_getLogs", GET_LOGS)).to.deep.equal([]);
      expect(node.bodies).to.have.length(4);
      expect(waits).to.deep.equal([50, 100, 150]);
      // Down for longer than the retries: the pass fails (run() retries it), with an error that says why.
      const error = await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RpcUnavailableError).and.not.instanceOf(RangeTooLargeError);
      expect((error as RpcUnavailableError).status).to.equal(503);
      expect((error as Error).message).to.equal("eth_getLogs: HTTP 503 no healthy upstream");
      expect(node.bodies).to.have.length(4 + 1 + TRANSIENT_RETRIES);
      expect(waits).to.deep.equal([50, 100, 150, 50, 100, 150]);
      // Other statuses are the node's answer: not asked again.
      expect(await rpc.request("eth_blockNumber", [])).to.deep.equal([]);
    } finally {
      await node.close();
    }
  });

  it("asks again after a refused connection, then fails with RpcConnectionError (typed, not matched by its message)", async function () {
    // A port nothing listens on: fetch throws before any answer.
    const port = await closedPort();
    const waits: number[] = [];
    const rpc = new HttpRpc(`http://127.0.0.1:${port}`, { sleep: async (ms) => void waits.push(ms) });
    const error = await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RpcConnectionError).and.not.instanceOf(RangeTooLargeError);
    expect((error as Error).message).to.match(/^eth_getLogs failed: /);
    expect(waits).to.deep.equal([50, 100, 150]);
  });

  it("says why a request got no answer, which fetch keeps in its cause: not its bare 'fetch failed'", async function () {
    const port = await closedPort();
    const rpc = new HttpRpc(`http://127.0.0.1:${port}`, { sleep: async () => undefined });
    const error = await rpc.request("eth_chainId", []).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RpcConnectionError);
    expect((error as Error).message).to.equal(`eth_chainId failed: fetch failed: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it("keeps batching after a batch answered with one rate-limit error: it says nothing about batches", async function () {
    const node = await scripted([{ error: { code: 429, message: "Too Many Requests" } }]);
    try {
      const rpc = new HttpRpc(node.url);
      const calls = [1, 2].map((n) => ({ method: "eth_getBlockByNumber", params: [`0x${n}`, false] }));
      expect(await rpc.batch(calls).catch((e: unknown) => e)).to.be.instanceOf(RateLimitedError);
      expect(await rpc.batch(calls)).to.deep.equal([[], []]);
      // One request per batch, each a JSON-RPC batch: not the calls one by one.
      expect(node.bodies.map((body) => body.startsWith("["))).to.deep.equal([true, true]);
    } finally {
      await node.close();
    }
  });

  it("spaces requests to at most maxRequestsPerSecond", async function () {
    // The spacing is checked where the transport sends (fetch), not where a server sees the requests arrive: the
    // first request's connection setup would shift the arrivals, not the sends.
    const sends: number[] = [];
    const url = "http://127.0.0.1:9/rate-limited";
    const realFetch = globalThis.fetch;
    // Other suites' background work may fetch meanwhile: only this transport's requests are answered here.
    globalThis.fetch = async (input, init) => {
      if (String(input) !== url) return realFetch(input, init);
      sends.push(Date.now());
      return new Response(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "0x1" }), { headers: { "content-type": "application/json" } });
    };
    try {
      const rpc = new HttpRpc(url, { maxRequestsPerSecond: 20 });
      const start = Date.now();
      await Promise.all(Array.from({ length: 5 }, () => rpc.request("eth_blockNumber", [])));
      expect(sends).to.have.length(5);
      // 20 per second: the k-th request has the slot k * 50 ms after the first, which was no earlier than `start`.
      // A busy machine only makes sends later, so each is checked against its slot, not against its neighbour
      // (a late first send shortens the gap after it); a timer may fire up to 1 ms early.
      sends.forEach((sent, k) => expect(sent - start, `request ${k}`).to.be.at.least(k * 50 - 1));
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it("gives the slot of a request given up while it waits for it to the requests after it, and to the next one asked", async function () {
    // The ranges fetched ahead of a refused one are abandoned: their slots, kept, delayed every request still wanted.
    const url = "http://127.0.0.1:9/released-slots";
    const realFetch = globalThis.fetch;
    const { time, options } = heldTime();
    const sent: Array<{ method: string; at: number }> = [];
    globalThis.fetch = async (input, init) => {
      if (String(input) !== url) return realFetch(input, init);
      const { id, method } = JSON.parse(String(init?.body)) as { id: number; method: string };
      sent.push({ method, at: time.clock });
      return new Response(JSON.stringify({ jsonrpc: "2.0", id, result: "0x1" }), { headers: { "content-type": "application/json" } });
    };
    try {
      const rpc = new HttpRpc(url, { ...options, maxRequestsPerSecond: 10 });
      const given = [new AbortController(), new AbortController()];
      // Slots 0, 100, 200, 300 and 400 ms: the second and the fourth are given up.
      const requests = [
        rpc.request("r0", []),
        rpc.request("r1", [], { signal: given[0]!.signal }).catch((e: unknown) => e),
        rpc.request("r2", []),
        rpc.request("r3", [], { signal: given[1]!.signal }).catch((e: unknown) => e),
        rpc.request("r4", []),
      ];
      await until(() => time.waits === 4 && sent.length === 1, "four requests sleep and one was sent");
      given.forEach((controller) => controller.abort());
      expect(await requests[1]).to.be.instanceOf(RpcAbortedError);
      expect(await requests[3]).to.be.instanceOf(RpcAbortedError);
      const later = rpc.request("r5", []);
      for (const at of [100, 200, 300]) {
        time.advance(at);
        await waitUntil(() => sent.some((request) => request.at === at), `a request is sent at its slot of ${at} ms`, { timeoutMs: 5_000 });
      }
      await Promise.all([...requests, later]);
      expect(sent).to.deep.equal([
        { method: "r0", at: 0 },
        { method: "r2", at: 100 },
        { method: "r4", at: 200 },
        { method: "r5", at: 300 },
      ]);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it("halves maxRequestsPerSecond on rate limits, down to a floor, and raises it back a step after each run of answers", async function () {
    // A fixed rate hit the provider's limit again and again. The clock and the waits are the test's: the spacing is
    // read off the waits the throttle asks for, and nothing waits for real.
    const url = "http://127.0.0.1:9/adaptive";
    const realFetch = globalThis.fetch;
    let clock = 0;
    const waits: number[] = [];
    let refuse = false;
    let refuseHttp = false;
    globalThis.fetch = async (input, init) => {
      if (String(input) !== url) return realFetch(input, init);
      if (refuseHttp) return new Response("Too Many Requests", { status: 429 });
      const { id } = JSON.parse(String(init?.body)) as { id: number };
      const answer = refuse ? { jsonrpc: "2.0", id, error: { code: 429, message: "Too Many Requests" } } : { jsonrpc: "2.0", id, result: "0x1" };
      return new Response(JSON.stringify(answer), { headers: { "content-type": "application/json" } });
    };
    const lines: string[] = [];
    const rpc = new HttpRpc(url, {
      maxRequestsPerSecond: 10,
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
      logger: (level, message) => lines.push(`${level}: ${message}`),
    });
    const send = (n: number) => Promise.all(Array.from({ length: n }, () => rpc.request("eth_blockNumber", []).catch((e: unknown) => e)));
    /** The waits of `n` requests sent one after another. */
    const spacing = async (n: number) => {
      waits.length = 0;
      for (let i = 0; i < n; i++) await send(1);
      return waits.slice(1);
    };
    try {
      // Three requests in flight at 10/s, all refused: one halving, not three (they were all sent at 10/s).
      refuse = true;
      const refused = await send(3);
      refused.forEach((e) => expect(e).to.be.instanceOf(RateLimitedError));
      refuse = false;
      expect(await spacing(3)).to.deep.equal([200, 200]);
      expect(rpc.requestsPerSecond).to.equal(5);
      // Raised by a tenth of the maximum after each RATE_RAISE_AFTER answers in a row (3 answered already).
      await spacing(RATE_RAISE_AFTER - 4);
      expect(rpc.requestsPerSecond).to.equal(5);
      await send(1);
      expect(rpc.requestsPerSecond).to.equal(6);
      // Refused again, one at a time: halved each time, down to MIN_REQUESTS_PER_SECOND and no lower.
      refuse = true;
      const rates: Array<number | null> = [];
      for (let i = 0; i < 4; i++) {
        await send(1);
        rates.push(rpc.requestsPerSecond);
      }
      expect(rates).to.deep.equal([3, 1.5, MIN_REQUESTS_PER_SECOND, MIN_REQUESTS_PER_SECOND]);
      refuse = false;
      expect(await spacing(2)).to.deep.equal([1000]);
      // Still refused a minute later.
      clock += 60_000;
      refuse = true;
      await send(1);
      refuse = false;
      // Back up step by step to the maximum, never above it.
      await spacing(10 * RATE_RAISE_AFTER);
      expect(rpc.requestsPerSecond).to.equal(10);
      expect(await spacing(3)).to.deep.equal([100, 100]);
      // HTTP 429 and a rate-limited batch lower it as well.
      refuseHttp = true;
      await send(1);
      refuseHttp = false;
      expect(rpc.requestsPerSecond).to.equal(5);
      refuse = true;
      expect(await rpc.batch([1, 2].map((n) => ({ method: "eth_getBlockByNumber", params: [`0x${n}`, false] }))).catch((e: unknown) => e)).to.be.instanceOf(
        RateLimitedError,
      );
      expect(rpc.requestsPerSecond).to.equal(2.5);
    } finally {
      globalThis.fetch = realFetch;
    }
    // The first lowering, each fall to a lower power of two of the maximum (not 6 to 3: 5 was logged), the floor
    // again only a minute later, and the recovery: 63 s after the line before, 125 s in all on the test's clock.
    expect(lines).to.deep.equal([
      "warning: rate limited: the request rate is lowered to 5 requests/s (maxRequestsPerSecond 10)",
      "warning: rate limited: the request rate is lowered to 1.5 requests/s (maxRequestsPerSecond 10)",
      "warning: rate limited: the request rate is lowered to 1 requests/s (maxRequestsPerSecond 10)",
      "warning: still rate limited: the request rate was lowered 2 times in 63 s, to 1 requests/s (maxRequestsPerSecond 10)",
      "info: the request rate is back at maxRequestsPerSecond 10, 125 s after it was first lowered (lowered 6 times)",
      "warning: rate limited: the request rate is lowered to 5 requests/s (maxRequestsPerSecond 10)",
      "warning: rate limited: the request rate is lowered to 2.5 requests/s (maxRequestsPerSecond 10)",
    ]);
  });

  it("without maxRequestsPerSecond, starts a rate on the first rate limit at half the rate measured, and is unlimited again once back at it", async function () {
    // With no rate to halve, every request went on at the pace that was refused. The clock and the waits are the test's.
    const url = "http://127.0.0.1:9/measured";
    const realFetch = globalThis.fetch;
    let refuse = false;
    globalThis.fetch = async (input, init) => {
      if (String(input) !== url) return realFetch(input, init);
      if (refuse) return new Response("Too Many Requests", { status: 429 });
      const { id } = JSON.parse(String(init?.body)) as { id: number };
      return new Response(JSON.stringify({ jsonrpc: "2.0", id, result: "0x1" }), { headers: { "content-type": "application/json" } });
    };
    const { time, options } = fakeTime();
    const lines: string[] = [];
    const rpc = new HttpRpc(url, { ...options, logger: (level, message) => lines.push(`${level}: ${message}`) });
    try {
      // 10 requests 200 ms apart, the 11th refused: 11 in 2 s.
      for (let i = 0; i < 10; i++) {
        await rpc.request("eth_blockNumber", []);
        time.clock += 200;
      }
      expect(rpc.requestsPerSecond).to.equal(null);
      refuse = true;
      expect(await rpc.request("eth_blockNumber", []).catch((e: unknown) => e)).to.be.instanceOf(RateLimitedError);
      refuse = false;
      expect(rpc.requestsPerSecond).to.equal(11 / 2 / 2);
      expect(lines).to.deep.equal(["warning: rate limited: the request rate is lowered to 2.75 requests/s (measured before the first rate limit: 5.5 requests/s)"]);
      // Spaced at that rate, then raised a step (a tenth of 5.5/s) after each RATE_RAISE_AFTER answers, to 5.5/s.
      time.waits.length = 0;
      await rpc.request("eth_blockNumber", []);
      await rpc.request("eth_blockNumber", []);
      expect(time.waits).to.have.length(1);
      expect(time.waits[0]).to.be.closeTo(1000 / 2.75, 1e-9);
      let answers = 2;
      while (rpc.requestsPerSecond !== null && answers < 10 * RATE_RAISE_AFTER) {
        await rpc.request("eth_blockNumber", []);
        answers++;
      }
      expect(rpc.requestsPerSecond).to.equal(null);
      expect(answers).to.be.within(5 * RATE_RAISE_AFTER, 6 * RATE_RAISE_AFTER);
      expect(lines[1]).to.match(/^info: the request rate is back at the 5\.5 requests\/s measured before the first rate limit, \d+ s after it was first lowered \(lowered once\): unlimited again$/);
      // Unlimited: requests at once, none waiting for a slot.
      time.waits.length = 0;
      await Promise.all([1, 2, 3].map(() => rpc.request("eth_blockNumber", [])));
      expect(time.waits).to.deep.equal([]);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it("without maxRequestsPerSecond, starts no rate on a rate limit when the rate measured is at MIN_REQUESTS_PER_SECOND or below", async function () {
    // Nothing to lower: a node refusing every request of an idle indexer (a daily quota) would start, and log, a rate each time.
    const { time, options } = fakeTime();
    const lines: string[] = [];
    const node = await scripted([{}, { status: 429 }, { status: 429 }]);
    try {
      const rpc = new HttpRpc(node.url, { ...options, logger: (level, message) => lines.push(`${level}: ${message}`) });
      await rpc.request("eth_blockNumber", []);
      // Two requests in 2 s: 1 per second.
      time.clock += 2000;
      expect(await rpc.request("eth_blockNumber", []).catch((e: unknown) => e)).to.be.instanceOf(RateLimitedError);
      expect(rpc.requestsPerSecond).to.equal(null);
      time.clock += 60_000;
      expect(await rpc.request("eth_blockNumber", []).catch((e: unknown) => e)).to.be.instanceOf(RateLimitedError);
      expect(rpc.requestsPerSecond).to.equal(null);
      expect(lines).to.deep.equal([]);
      expect(MIN_REQUESTS_PER_SECOND).to.equal(1);
    } finally {
      await node.close();
    }
  });

  it("sends every request at once with maxRequestsPerSecond 0 (unlimited, as when it is not set)", async function () {
    const url = "http://127.0.0.1:9/unlimited";
    const realFetch = globalThis.fetch;
    let sent = 0;
    globalThis.fetch = async (input, init) => {
      if (String(input) !== url) return realFetch(input, init);
      sent++;
      return new Response(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "0x1" }), { headers: { "content-type": "application/json" } });
    };
    try {
      for (const maxRequestsPerSecond of [0, 20]) {
        sent = 0;
        const rpc = new HttpRpc(url, { maxRequestsPerSecond });
        const requests = Array.from({ length: 5 }, () => rpc.request("eth_blockNumber", []));
        // Before any timer can fire: a limited transport has sent only the first request by now.
        await new Promise((resolve) => setImmediate(resolve));
        expect(sent, `sent before any timer with maxRequestsPerSecond ${maxRequestsPerSecond}`).to.equal(maxRequestsPerSecond === 0 ? 5 : 1);
        await Promise.all(requests);
      }
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});

describe("embedded indexer: in-process EIP-1193 transport", function () {
  const GET_LOGS = [{ fromBlock: "0x1", toBlock: "0x4e20" }];

  /** A provider that throws each of `failures` in turn, then answers [], recording when (on `clock`) it was asked. */
  function failing(failures: unknown[], clock: () => number = () => 0) {
    const asked: number[] = [];
    const provider = {
      request: async (): Promise<unknown> => {
        asked.push(clock());
        const failure = failures.shift();
        if (failure !== undefined) throw failure;
        return [];
      },
    };
    return { provider, asked };
  }

  it("holds all its requests until the wait a rate limit named has passed, as the HTTP transport does", async function () {
    // What Hardhat's provider of a network with a URL throws for Infura's answer: the node's error, with its data.
    const infura = Object.assign(new Error("daily request count exceeded, request rate limited"), {
      code: -32005,
      data: { rate: { allowed_rps: 1, backoff_seconds: 2, current_rps: 1.4 } },
    });
    const { time, options } = fakeTime();
    const { provider, asked } = failing([infura], () => time.clock);
    const rpc = new Eip1193Rpc(provider, options);
    const refused = await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(RateLimitedError).and.not.instanceOf(RangeTooLargeError);
    expect((refused as RateLimitedError).retryAfterMs).to.equal(2000);
    // The fetcher's other reads, before the indexer asks for the range again.
    await rpc.batch([1, 2].map((n) => ({ method: "eth_getBlockByNumber", params: [`0x${n}`, false] })));
    expect(time.waits).to.deep.equal([2000]);
    expect(asked).to.deep.equal([0, 2000, 2000]);
  });

  it("abort() ends at once, with RpcAbortedError, a request held by a rate limit's wait and one the provider has not answered", async function () {
    const limited = Object.assign(new Error("rate limited"), { code: -32005, data: { rate: { backoff_seconds: 60 } } });
    // A fake sleep that never ends on its own: the hold is still on when abort() comes.
    let waits = 0;
    const options = { now: () => 0, sleep: () => new Promise<void>(() => void waits++) };
    const rpc = new Eip1193Rpc({ request: () => Promise.reject(limited) }, options);
    expect(await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e)).to.be.instanceOf(RateLimitedError);
    const held = rpc.request("eth_blockNumber", []).catch((e: unknown) => e);
    const unanswered = new Eip1193Rpc({ request: () => new Promise<unknown>(() => undefined) });
    const pending = unanswered.request("eth_blockNumber", []).catch((e: unknown) => e);
    rpc.abort();
    unanswered.abort();
    expect(await held).to.be.instanceOf(RpcAbortedError);
    expect(waits).to.equal(1);
    expect(await pending).to.be.instanceOf(RpcAbortedError);
  });

  it("a request's own signal ends it, unanswered, and no other request of the transport", async function () {
    const answers: Array<(result: unknown) => void> = [];
    const provider = { request: () => new Promise<unknown>((resolve) => answers.push(resolve)) };
    const rpc = new Eip1193Rpc(provider, fakeTime().options);
    const mine = new AbortController();
    const unanswered = rpc.request("eth_blockNumber", [], { signal: mine.signal }).catch((e: unknown) => e);
    const others = rpc.request("eth_chainId", []);
    mine.abort();
    expect(await unanswered).to.be.instanceOf(RpcAbortedError);
    for (const answer of answers) answer("0x7a69");
    expect(await others).to.equal("0x7a69");
  });

  it("passes the provider the request's signal, which its own signal, abort() and close() abort, so a provider that honours it ends the request", async function () {
    // viem's request(args, { signal }) ends its HTTP request and its retries on it: given up unaborted, they ran on at the node.
    const received: AbortSignal[] = [];
    const ended: string[] = [];
    const provider = {
      request: ({ method }: { method: string }, options?: { signal?: AbortSignal }) =>
        new Promise<unknown>((_, reject) => {
          const signal = options?.signal;
          if (signal === undefined) return;
          received.push(signal);
          signal.addEventListener("abort", () => {
            ended.push(method);
            reject(Object.assign(new Error("This operation was aborted"), { name: "AbortError" }));
          });
        }),
    };
    const rpc = new Eip1193Rpc(provider, fakeTime().options);
    const mine = new AbortController();
    const own = rpc.request("eth_getLogs", GET_LOGS, { signal: mine.signal }).catch((e: unknown) => e);
    const other = rpc.request("eth_chainId", []).catch((e: unknown) => e);
    await waitUntil(() => received.length === 2, "the provider is asked both requests");
    expect(received.map((signal) => signal.aborted)).to.deep.equal([false, false]);
    mine.abort();
    expect(await own).to.be.instanceOf(RpcAbortedError);
    expect(ended).to.deep.equal(["eth_getLogs"]);
    rpc.abort();
    expect(await other).to.be.instanceOf(RpcAbortedError);
    expect(ended).to.deep.equal(["eth_getLogs", "eth_chainId"]);
    const batch = rpc.batch([1, 2].map((n) => ({ method: "eth_getBlockByNumber", params: [`0x${n}`, false] }))).catch((e: unknown) => e);
    await waitUntil(() => received.length === 3, "the provider is asked the batch's first call");
    rpc.close();
    const error = await batch;
    expect(error).to.be.instanceOf(RpcAbortedError);
    expect((error as RpcAbortedError).method).to.equal("eth_getBlockByNumber");
    expect(ended).to.deep.equal(["eth_getLogs", "eth_chainId", "eth_getBlockByNumber"]);
  });

  it("takes an error that carries the HTTP status of its request (viem's, or its cause) as the HTTP transport takes that status", async function () {
    // viem's HttpRequestError: "HTTP request failed." whatever the status, which is in `status`, with the headers.
    const httpError = (status: number, headers: Record<string, string> = {}) =>
      Object.assign(new Error("HTTP request failed."), { name: "HttpRequestError", status, headers: new Headers(headers) });
    const { provider } = failing([
      httpError(429, { "retry-after": "3" }),
      new Error("request failed", { cause: httpError(429) }),
      httpError(503, { "retry-after": "1" }),
      httpError(413),
      httpError(404),
    ]);
    const rpc = new Eip1193Rpc(provider, fakeTime().options);
    const errors: unknown[] = [];
    for (let i = 0; i < 5; i++) errors.push(await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e));
    expect(errors[0]).to.be.instanceOf(RateLimitedError).and.not.instanceOf(RangeTooLargeError);
    expect((errors[0] as RateLimitedError).retryAfterMs).to.equal(3000);
    expect((errors[0] as Error).message).to.equal("eth_getLogs failed: HTTP request failed. (HTTP 429)");
    expect(errors[1]).to.be.instanceOf(RateLimitedError);
    expect((errors[1] as RateLimitedError).retryAfterMs).to.equal(null);
    expect(errors[2]).to.be.instanceOf(RpcUnavailableError);
    expect((errors[2] as RpcUnavailableError).status).to.equal(503);
    expect((errors[2] as RpcUnavailableError).retryAfterMs).to.equal(1000);
    expect(errors[3]).to.be.instanceOf(RangeTooLargeError);
    // Another status is the node's answer, as over HTTP.
    expect(errors[4]).to.be.instanceOf(RpcError).and.not.instanceOf(RateLimitedError).and.not.instanceOf(RangeTooLargeError);
  });

  /** An nginx in front of a node with no backend up: what a load balancer answers, as HTML. */
  const NGINX_502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

  /**
   * A node at 127.0.0.1 behind Hardhat's HttpProvider (a Hardhat network with a URL) that gives `answers` in turn
   * ("ok": the result []; "close": the socket closed, unanswered; "reset": the socket reset, unanswered), then "ok" to
   * everything. close() closes the provider's connection pool too: its kept-alive sockets would otherwise stay open.
   */
  async function behindHardhat(answers: Array<{ status: number; body: string } | "ok" | "close" | "reset">) {
    const asked: string[] = [];
    const node = await standIn((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        asked.push(body);
        const { id } = JSON.parse(body) as { id: number };
        const next = answers.shift() ?? "ok";
        if (next === "close") return void req.socket.destroy();
        if (next === "reset") return void req.socket.resetAndDestroy();
        const answer = next === "ok" ? { status: 200, body: JSON.stringify({ jsonrpc: "2.0", id, result: [] }) } : next;
        res.writeHead(answer.status, { "content-type": answer.status === 200 ? "application/json" : "text/html" }).end(answer.body);
      });
    });
    // Hardhat's provider keeps the pool it makes to itself: one passed in is one the test can close.
    const pool = new Pool(node.url);
    return {
      provider: new HttpProvider(node.url, "remote", {}, 20_000, pool),
      asked,
      close: async () => {
        await pool.destroy();
        await node.close();
      },
    };
  }

  it("sends again, as the HTTP transport does, a 502/503 that Hardhat's provider only reports as an answer that is not JSON", async function () {
    const node = await behindHardhat([
      { status: 502, body: NGINX_502 },
      { status: 503, body: "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>" },
      "ok",
      ...Array.from({ length: TRANSIENT_RETRIES + 1 }, () => ({ status: 502, body: NGINX_502 })),
    ]);
    try {
      const { time, options } = fakeTime();
      const rpc = new Eip1193Rpc(node.provider, options);
      expect(await rpc.request("eth_getLogs", GET_LOGS)).to.deep.equal([]);
      expect(node.asked).to.have.length(3);
      expect(time.waits).to.deep.equal([50, 100]);
      // Down for longer than the retries: the pass fails with the status, not with a range too large.
      const error = await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RpcUnavailableError).and.not.instanceOf(RangeTooLargeError);
      expect((error as RpcUnavailableError).status).to.equal(502);
      expect((error as Error).message).to.match(/^eth_getLogs: HTTP 502 .*<title>502 Bad Gateway<\/title>/s);
      expect(node.asked).to.have.length(3 + 1 + TRANSIENT_RETRIES);
      expect(time.waits).to.deep.equal([50, 100, 50, 100, 150]);
    } finally {
      await node.close();
    }
  });

  it("keeps the provider's error as the cause of an RpcUnavailableError: Hardhat's HH110 of a gateway's page, viem's error with the status", async function () {
    const node = await behindHardhat(Array.from({ length: TRANSIENT_RETRIES + 1 }, () => ({ status: 502, body: NGINX_502 })));
    try {
      const hardhat = await new Eip1193Rpc(node.provider, fakeTime().options).request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
      expect(hardhat).to.be.instanceOf(RpcUnavailableError);
      expect(((hardhat as Error).cause as HardhatError).number).to.equal(110);
      const viem = Object.assign(new Error("HTTP request failed."), { name: "HttpRequestError", status: 503, headers: new Headers() });
      const { provider } = failing([viem]);
      const refused = await new Eip1193Rpc(provider, fakeTime().options).request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(RpcUnavailableError);
      expect((refused as Error).cause).to.equal(viem);
    } finally {
      await node.close();
    }
  });

  it("fails at once, naming what it got, on an answer that is not JSON-RPC and no gateway's error page", async function () {
    const node = await behindHardhat([{ status: 200, body: '{"jsonrpc":"2.0","id":1,"result":[' }]);
    try {
      const { time, options } = fakeTime();
      const rpc = new Eip1193Rpc(node.provider, options);
      const error = await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RpcError).and.not.instanceOf(RpcUnavailableError).and.not.instanceOf(RangeTooLargeError);
      expect((error as Error).message).to.equal('eth_getLogs: the answer is not a JSON-RPC response: {"jsonrpc":"2.0","id":1,"result":[');
      expect(node.asked).to.have.length(1);
      expect(time.waits).to.deep.equal([]);
    } finally {
      await node.close();
    }
  });

  it("cuts a URL in an unreadable JSON answer quoted in its error to its host, keeping the text after the URL's JSON escape", async function () {
    // Read as plain text, `\nnode` was taken for more of the URL's path (a key may start with n), and hidden.
    const body = '{"jsonrpc":"2.0","id":1,"error":"upstream https://eth.example.io/v2/SECRETKEY\\nnode down';
    const node = await behindHardhat([{ status: 200, body }]);
    try {
      const error = await new Eip1193Rpc(node.provider, fakeTime().options).request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RpcError);
      expect((error as Error).message).to.equal(
        'eth_getLogs: the answer is not a JSON-RPC response: {"jsonrpc":"2.0","id":1,"error":"upstream https://eth.example.io/…\\nnode down',
      );
    } finally {
      await node.close();
    }
  });

  it("reads an unreadable answer that is no JSON (a page) as plain text, where what follows a backslash in a URL may be its key", async function () {
    const node = await behindHardhat([{ status: 200, body: "<p>upstream https://eth.example.io/v2\\nSECRETKEY</p>" }]);
    try {
      const error = await new Eip1193Rpc(node.provider, fakeTime().options).request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
      expect((error as Error).message).to.equal("eth_getLogs: the answer is not a JSON-RPC response: <p>upstream https://eth.example.io/…</p>");
    } finally {
      await node.close();
    }
  });

  it("asks again after a connection Hardhat's provider could not make (HH108), then fails with RpcConnectionError, as the HTTP transport does", async function () {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const pool = new Pool(url);
    try {
      const { time, options } = fakeTime();
      const rpc = new Eip1193Rpc(new HttpProvider(url, "remote", {}, 20_000, pool), options);
      const error = await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RpcConnectionError).and.not.instanceOf(RangeTooLargeError);
      expect((error as Error).message).to.match(/^eth_getLogs failed: HH108: /);
      expect(((error as Error).cause as HardhatError).number).to.equal(108);
      expect(time.waits).to.deep.equal([50, 100, 150]);
    } finally {
      await pool.destroy();
    }
  });

  it("asks again after a connection the node closed or reset unanswered behind Hardhat's provider, then fails with RpcConnectionError, as the HTTP transport does", async function () {
    // undici's errors, which Hardhat's provider throws as they are: "other side closed" (UND_ERR_SOCKET), ECONNRESET.
    for (const [how, code] of [
      ["close", "UND_ERR_SOCKET"],
      ["reset", "ECONNRESET"],
    ] as const) {
      // Answered first: the next request goes on the kept-alive socket, which the node then closes or resets.
      const node = await behindHardhat(["ok", how, "ok", ...Array.from({ length: TRANSIENT_RETRIES + 1 }, () => how)]);
      try {
        const { time, options } = fakeTime();
        const rpc = new Eip1193Rpc(node.provider, options);
        expect(await rpc.request("eth_blockNumber", []), how).to.deep.equal([]);
        expect(await rpc.request("eth_getLogs", GET_LOGS), how).to.deep.equal([]);
        expect(node.asked, how).to.have.length(3);
        expect(time.waits, how).to.deep.equal([50]);
        const error = await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
        expect(error, how).to.be.instanceOf(RpcConnectionError).and.not.instanceOf(RangeTooLargeError);
        expect((error as Error).message, how).to.match(/^eth_getLogs failed: /);
        expect(((error as Error).cause as { code?: unknown }).code, how).to.equal(code);
        expect(node.asked, how).to.have.length(3 + 1 + TRANSIENT_RETRIES);
        expect(time.waits, how).to.deep.equal([50, 50, 100, 150]);
      } finally {
        await node.close();
      }
    }
  });

  it("asks again after undici's connect timeout (UND_ERR_CONNECT_TIMEOUT), even for eth_getLogs, then fails with RpcConnectionError", async function () {
    // Loopback connects at once: undici's own error, thrown by a stand-in provider as Hardhat's passes it on.
    const timeout = () => new undiciErrors.ConnectTimeoutError();
    // undefined: answered.
    const { provider, asked } = failing([timeout(), undefined, ...Array.from({ length: TRANSIENT_RETRIES + 1 }, timeout)]);
    const { time, options } = fakeTime();
    const rpc = new Eip1193Rpc(provider, options);
    expect(await rpc.request("eth_getLogs", GET_LOGS)).to.deep.equal([]);
    expect(asked).to.have.length(2);
    const error = await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RpcConnectionError).and.not.instanceOf(RangeTooLargeError);
    expect((error as Error).message).to.equal("eth_getLogs failed: Connect Timeout Error");
    expect(((error as Error).cause as { code?: unknown }).code).to.equal("UND_ERR_CONNECT_TIMEOUT");
    expect(asked).to.have.length(2 + 1 + TRANSIENT_RETRIES);
    expect(time.waits).to.deep.equal([50, 50, 100, 150]);
  });

  it("takes a connect timeout that carries no code (by undici's class name, Node's connect ETIMEDOUT, or a message that says connect) for a connection failure sent again, and a node's timeout of the query for a range too large", async function () {
    // undici's ConnectTimeoutError copied without its code, as a client that rebuilds errors passes it on.
    const named = (message: string) => Object.assign(new Error(message), { name: "ConnectTimeoutError" });
    // viem's HttpRequestError over fetch's TypeError: its message has the cause's only as a "Details:" line.
    const viaViem = (cause: Error) =>
      Object.assign(new Error(`HTTP request failed.\n\nDetails: ${cause.message}`), { name: "HttpRequestError", cause: new TypeError("fetch failed", { cause }) });
    const connectTimeouts: Array<[string, () => unknown]> = [
      ["undici's message", () => new Error("Connect Timeout Error")],
      ["undici 6's message", () => new Error("Connect Timeout Error (attempted address: eth-node.example:8545, timeout: 10000ms)")],
      ["undici's class name, another message", () => named("timeout")],
      ["undici's class under viem", () => viaViem(named("Connect Timeout Error"))],
      ["viem's Details line alone", () => new Error("HTTP request failed.\n\nDetails: Connect Timeout Error")],
      ["Node's connect ETIMEDOUT", () => Object.assign(new Error("connect ETIMEDOUT 10.0.0.1:8545"), { code: "ETIMEDOUT", syscall: "connect" })],
      ["Node's connect ETIMEDOUT, message only", () => new Error("connect ETIMEDOUT 10.0.0.1:8545")],
      ["a proxy's words", () => new Error("upstream connect timeout")],
      ["connection timed out", () => new Error("Connection timed out")],
      ["a string", () => "connection timeout"],
    ];
    for (const [name, failure] of connectTimeouts) {
      const { provider, asked } = failing(Array.from({ length: TRANSIENT_RETRIES + 1 }, failure));
      const { time, options } = fakeTime();
      const error = await new Eip1193Rpc(provider, options).request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
      expect(error, name).to.be.instanceOf(RpcConnectionError).and.not.instanceOf(RangeTooLargeError);
      expect(asked, name).to.have.length(1 + TRANSIENT_RETRIES);
      expect(time.waits, name).to.deep.equal([50, 100, 150]);
    }
    // The node's own words for a query it gave up: a smaller range, at once. With a JSON-RPC code, even one that says
    // connect: the node answered (a gateway's upstream), as the HTTP transport takes the same answer.
    const queryTimeouts: Array<[string, unknown, boolean]> = [
      ["geth's query timeout", new Error("query timeout exceeded"), true],
      ["timed out", new Error("request timed out"), true],
      ["request timeout", new Error("request timeout (code=TIMEOUT, version=6.13.0)"), true],
      ["a database's statement timeout", Object.assign(new Error("canceling statement due to statement timeout"), { code: -32000 }), true],
      ["a gateway's connect timeout, with a code", Object.assign(new Error("upstream connect timeout"), { code: -32000 }), false],
    ];
    for (const [name, failure, smaller] of queryTimeouts) {
      const { provider, asked } = failing([failure]);
      const { time, options } = fakeTime();
      const error = await new Eip1193Rpc(provider, options).request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
      expect(error, name).to.be.instanceOf(RpcError).and.not.instanceOf(RpcConnectionError);
      expect(error instanceof RangeTooLargeError, name).to.equal(smaller);
      expect(asked, name).to.have.length(1);
      expect(time.waits, name).to.deep.equal([]);
    }
  });

  it("does not send again a connection failure viem's client threw, which viem has sent again itself: one request, an RpcConnectionError with viem's error as its cause", async function () {
    /** viem's error as its client throws it once its retries are spent: its BaseError has shortMessage, version, walk(). */
    const viem = (name: string, cause: Error) =>
      Object.assign(new Error(`HTTP request failed.\n\nURL: http://eth-node.example\n\nDetails: ${cause.message}\nVersion: 2.57.20`, { cause }), {
        name,
        shortMessage: "HTTP request failed.",
        version: "2.57.20",
        walk: () => cause,
      });
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED", syscall: "connect" });
    const table: Array<[string, () => Error]> = [
      ["a refused connection", () => viem("HttpRequestError", new TypeError("fetch failed", { cause: refused }))],
      ["a connection closed", () => viem("HttpRequestError", new TypeError("fetch failed", { cause: new undiciErrors.SocketError("other side closed") }))],
      ["undici's connect timeout", () => viem("HttpRequestError", new TypeError("fetch failed", { cause: new undiciErrors.ConnectTimeoutError() }))],
    ];
    for (const [name, failure] of table) {
      const thrown = failure();
      const { provider, asked } = failing([thrown, failure()]);
      const { time, options } = fakeTime();
      const error = await new Eip1193Rpc(provider, options).request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
      expect(error, name).to.be.instanceOf(RpcConnectionError).and.not.instanceOf(RangeTooLargeError);
      expect((error as Error).cause, name).to.equal(thrown);
      expect(asked, name).to.have.length(1);
      expect(time.waits, name).to.deep.equal([]);
    }
  });

  it("asks again after Node's errors of a connection never made or lost, thrown as they are or as a cause, then fails with RpcConnectionError, as the HTTP transport does", async function () {
    /** An error as Node's net and dns modules throw it. */
    const systemError = (code: string, syscall: string) =>
      Object.assign(new Error(`${syscall} ${code} eth-node.example`), { code, syscall, hostname: "eth-node.example" });
    // viem's cause chain: an HttpRequestError, whose cause is fetch's TypeError, whose cause is Node's error (without
    // viem's BaseError fields: viem's own error is not sent again, as viem has, see above).
    const viaViem = (cause: Error) =>
      Object.assign(new Error("HTTP request failed.\n\nDetails: fetch failed"), { name: "HttpRequestError", cause: new TypeError("fetch failed", { cause }) });
    const table: Array<[string, () => Error]> = [
      ["EPIPE", () => systemError("EPIPE", "write")],
      ["ECONNREFUSED", () => systemError("ECONNREFUSED", "connect")],
      ["EHOSTUNREACH", () => systemError("EHOSTUNREACH", "connect")],
      ["ENETUNREACH", () => systemError("ENETUNREACH", "connect")],
      ["ENOTFOUND", () => systemError("ENOTFOUND", "getaddrinfo")],
      ["EAI_AGAIN", () => systemError("EAI_AGAIN", "getaddrinfo")],
      ["EPIPE under viem", () => viaViem(systemError("EPIPE", "write"))],
      ["ENOTFOUND under viem", () => viaViem(systemError("ENOTFOUND", "getaddrinfo"))],
      ["EAI_AGAIN under viem", () => viaViem(systemError("EAI_AGAIN", "getaddrinfo"))],
      ["UND_ERR_SOCKET under viem", () => viaViem(new undiciErrors.SocketError("other side closed"))],
    ];
    for (const [name, failure] of table) {
      // undefined: answered.
      const { provider, asked } = failing([failure(), undefined, ...Array.from({ length: TRANSIENT_RETRIES + 1 }, failure)]);
      const { time, options } = fakeTime();
      const rpc = new Eip1193Rpc(provider, options);
      expect(await rpc.request("eth_getLogs", GET_LOGS), name).to.deep.equal([]);
      expect(asked, name).to.have.length(2);
      const error = await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
      expect(error, name).to.be.instanceOf(RpcConnectionError).and.not.instanceOf(RangeTooLargeError);
      expect((error as Error).message, name).to.match(/^eth_getLogs failed: /);
      expect((error as Error).cause, name).to.be.instanceOf(Error);
      expect(asked, name).to.have.length(2 + 1 + TRANSIENT_RETRIES);
      expect(time.waits, name).to.deep.equal([50, 50, 100, 150]);
    }
  });

  it("asks again after a name Hardhat's provider could not resolve (ENOTFOUND, EAI_AGAIN), keeping Node's error as the cause", async function () {
    for (const code of ["ENOTFOUND", "EAI_AGAIN"]) {
      // Node's own connect, through undici's connector, with a resolver that fails as getaddrinfo does: no name is
      // looked up, nothing leaves the machine.
      const lookup = (hostname: string, _options: unknown, callback: (error: Error) => void): void =>
        process.nextTick(() => callback(Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code, syscall: "getaddrinfo", hostname })));
      const url = "http://eth-node.example:8545";
      const pool = new Pool(url, { connect: buildConnector({ lookup } as buildConnector.BuildOptions) });
      try {
        const { time, options } = fakeTime();
        const rpc = new Eip1193Rpc(new HttpProvider(url, "remote", {}, 20_000, pool), options);
        const error = await rpc.request("eth_blockNumber", []).catch((e: unknown) => e);
        expect(error, code).to.be.instanceOf(RpcConnectionError);
        expect((error as Error).message, code).to.equal(`eth_blockNumber failed: getaddrinfo ${code} eth-node.example`);
        expect(((error as Error).cause as { code?: unknown }).code, code).to.equal(code);
        expect(time.waits, code).to.deep.equal([50, 100, 150]);
      } finally {
        await pool.destroy();
      }
    }
  });

  it("takes the timeout of Hardhat's provider as the HTTP transport takes its own: eth_getLogs a range too large, another method the timeout, neither sent again", async function () {
    // A node that takes the connection and the request, and never answers.
    const asked: string[] = [];
    const silent = await standIn((req) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => asked.push((JSON.parse(body) as { method: string }).method));
    });
    const pool = new Pool(silent.url);
    try {
      const { time, options } = fakeTime();
      const rpc = new Eip1193Rpc(new HttpProvider(silent.url, "remote", {}, 100, pool), options);
      const logs = await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
      expect(logs).to.be.instanceOf(RangeTooLargeError);
      expect((logs as Error).message).to.match(/^eth_getLogs timed out: /);
      const head = await rpc.request("eth_blockNumber", []).catch((e: unknown) => e);
      expect(head).to.be.instanceOf(RpcError).and.not.instanceOf(RangeTooLargeError).and.not.instanceOf(RpcConnectionError);
      expect((head as Error).message).to.match(/^eth_blockNumber timed out: /);
      // The provider's own error, whichever it threw (undici's on undici 5, HH109 before), is kept.
      for (const error of [logs, head]) expect((error as Error).cause).to.be.instanceOf(Error);
      expect(asked).to.deep.equal(["eth_getLogs", "eth_blockNumber"]);
      expect(time.waits).to.deep.equal([]);
    } finally {
      await pool.destroy();
      await silent.close();
    }
  });

  it("takes Hardhat's HH109 (Network connection timed out) as a timeout, by its number", async function () {
    const timeout = () => new HardhatError(ERRORS.NETWORK.NETWORK_TIMEOUT);
    const { provider, asked } = failing([timeout(), timeout()]);
    const rpc = new Eip1193Rpc(provider, fakeTime().options);
    const logs = await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e);
    const head = await rpc.request("eth_blockNumber", []).catch((e: unknown) => e);
    expect(logs).to.be.instanceOf(RangeTooLargeError);
    expect(head).to.be.instanceOf(RpcError).and.not.instanceOf(RangeTooLargeError).and.not.instanceOf(RpcConnectionError);
    expect((head as Error).message).to.match(/^eth_blockNumber timed out: HH109: /);
    expect(((head as Error).cause as HardhatError).number).to.equal(109);
    expect(asked).to.have.length(2);
  });

  it("keeps the path of a node URL in the provider's message (an API key) out of its errors, naming the host", async function () {
    // viem's messages end with the request's URL; Hardhat's name the network's URL when it cannot reach it.
    const viem = (status?: number) =>
      Object.assign(new Error("HTTP request failed.\n\nURL: https://eth.example.io/v2/SECRETKEY\nRequest body: {}"), {
        name: "HttpRequestError",
        ...(status === undefined ? {} : { status, headers: new Headers() }),
      });
    const { provider } = failing([viem(429), viem(503), viem(), new Error("Cannot connect to the network wss://eth.example.io/ws/SECRETKEY")]);
    const rpc = new Eip1193Rpc(provider, fakeTime().options);
    for (let i = 0; i < 4; i++) {
      const error = (await rpc.request("eth_getLogs", GET_LOGS).catch((e: unknown) => e)) as Error;
      expect(error, `error ${i}`).to.be.instanceOf(RpcError);
      expect(error.message, `error ${i}`).to.include("eth.example.io").and.not.include("SECRETKEY");
    }
  });

  it("cuts the URL of viem's message and every URL in the JSON it quotes (the request, the node's error), keeping the rest of the message", async function () {
    // viem's HttpRequestError as viem 2.57 builds it (errors/base.ts, errors/request.ts): its short message, then one
    // metaMessage a line (Status, URL, `Request body:` and the body stringified), Details (the node's error,
    // stringified) and Version. Read as plain text, the JSON's `\n` was taken for more of a URL's path, hiding what followed.
    const viem = (status: number, body: { method: string; params?: unknown[] }) => {
      const request = { jsonrpc: "2.0", id: 1, ...body };
      const details = JSON.stringify({ code: -32000, message: "upstream https://upstream.example/v3/SECRETKEY\nfailed" });
      const metaMessages = [`Status: ${status}`, "URL: https://eth-mainnet.example/v2/SECRETKEY", `Request body: ${JSON.stringify(request)}`];
      const message = ["HTTP request failed.", "", ...metaMessages, "", `Details: ${details}`, "Version: viem@2.57.20"].join("\n");
      const error: Error = Object.assign(new Error(message), {
        name: "HttpRequestError",
        shortMessage: "HTTP request failed.",
        version: "2.57.20",
        details,
        metaMessages,
        body: request,
        status,
        headers: new Headers(),
        url: "https://eth-mainnet.example/v2/SECRETKEY",
        walk: () => error,
      });
      return error;
    };
    const expected = [
      "eth_call failed: HTTP request failed.",
      "",
      "Status: STATUS",
      "URL: https://eth-mainnet.example/…",
      'Request body: {"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{"to":"0x01"},"latest","see https://upstream.example/…\\nthen more"]}',
      "",
      'Details: {"code":-32000,"message":"upstream https://upstream.example/…\\nfailed"}',
      "Version: viem@2.57.20",
    ].join("\n");
    const table: Array<[number, RpcErrorClass, string]> = [
      [500, RpcError, ""],
      [503, RpcUnavailableError, " (HTTP 503)"],
    ];
    for (const [status, type, suffix] of table) {
      const provider = { request: (args: { method: string; params?: unknown[] }) => Promise.reject(viem(status, args)) };
      const params = [{ to: "0x01" }, "latest", "see https://upstream.example/v3/SECRETKEY\nthen more"];
      const error = await new Eip1193Rpc(provider, fakeTime().options).request("eth_call", params).catch((e: unknown) => e);
      expect(error, `HTTP ${status}`).to.be.instanceOf(type);
      expect((error as Error).message, `HTTP ${status}`).to.equal(`${expected.replace("STATUS", String(status))}${suffix}`);
    }
  });

  it("reads a line of a provider's message that only starts as JSON as plain text, where what follows a backslash in a URL may be its key", async function () {
    const failure = Object.assign(new Error("HTTP request failed.\n\nDetails: [object Object] https://eth.example.io/v2\\nSECRETKEY"), { status: 500 });
    const provider = { request: () => Promise.reject(failure) };
    const error = await new Eip1193Rpc(provider, fakeTime().options).request("eth_call", []).catch((e: unknown) => e);
    expect((error as Error).message).to.equal("eth_call failed: HTTP request failed.\n\nDetails: [object Object] https://eth.example.io/…");
  });
});

describe("embedded indexer: the cause an RpcError keeps", function () {
  // util.inspect prints an error's stack, its own properties and its cause chain: what console.error, or a logger of
  // the caller's, shows of it. The URL's secrets: credentials, a key in the path and one in the query.
  const SECRETS = /user:secret|SECRETKEY|SECRETQUERY/;
  const inspected = (error: unknown): string => inspect(error, { depth: 10 });

  it("over fetch: fetch's TypeError, whose cause quotes the URL a node redirected to and fetch refused, is kept as a TypeError with its code, and no URL's secret", async function () {
    // A node (or a proxy before it) that redirects to a URL fetch cannot parse: fetch's cause keeps it as its `input`.
    const node = await standIn((_req, res) => res.writeHead(307, { location: "http://127.0.0.1:99999/v2/SECRETKEY?apikey=SECRETQUERY" }).end());
    try {
      const url = `${node.url.replace("://", "://user:secret@")}/v2/SECRETKEY?apikey=SECRETQUERY`;
      const error = await new HttpRpc(url, fakeTime().options).request("eth_blockNumber", []).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RpcConnectionError);
      expect((error as Error).cause).to.be.instanceOf(TypeError);
      expect(((error as Error).cause as Error).cause).to.include({ code: "ERR_INVALID_URL" });
      expect(inspected(error)).to.include("[cause]: TypeError").and.include("input: 'http://…'").and.not.match(SECRETS);
    } finally {
      await node.close();
    }
  });

  it("over viem: viem's HttpRequestError, whose message and `url` name the URL, is kept as itself, with its status, and no URL's secret", async function () {
    const node = await standIn((_req, res) => res.writeHead(503, { "content-type": "text/plain" }).end("down"));
    try {
      const url = `${node.url.replace("://", "://user:secret@")}/v2/SECRETKEY?apikey=SECRETQUERY`;
      const client = createPublicClient({ transport: viemHttp(url, { retryCount: 0 }) });
      const provider: Eip1193Provider = { request: (args, options) => client.request(args as never, options) };
      const error = await new Eip1193Rpc(provider, fakeTime().options).request("eth_blockNumber", []).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RpcError);
      const cause = (error as Error).cause;
      expect(cause).to.be.instanceOf(ViemHttpRequestError);
      expect((cause as ViemHttpRequestError).status).to.equal(503);
      expect(inspected(error)).to.include("[cause]: HttpRequestError").and.include("127.0.0.1").and.not.match(SECRETS);
    } finally {
      await node.close();
    }
  });

  it("over Hardhat's provider: the HH110 that holds the gateway's page, which names an upstream URL, is kept with its number, and no URL's secret", async function () {
    const page = "<html><body><h1>502 Bad Gateway</h1>upstream https://user:secret@upstream.example/v3/SECRETKEY?apikey=SECRETQUERY failed</body></html>";
    const node = await standIn((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(502, { "content-type": "text/html" }).end(page));
    });
    const pool = new Pool(node.url);
    try {
      const provider = new HttpProvider(`${node.url}/v2/SECRETKEY?apikey=SECRETQUERY`, "remote", {}, 20_000, pool);
      const error = await new Eip1193Rpc(provider, fakeTime().options).request("eth_blockNumber", []).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RpcUnavailableError);
      const cause = (error as Error).cause;
      expect(cause).to.be.instanceOf(HardhatError);
      expect((cause as HardhatError).number).to.equal(110);
      expect(inspected(error)).to.include("[cause]: HardhatError").and.include("upstream.example").and.not.match(SECRETS);
    } finally {
      await pool.destroy();
      await node.close();
    }
  });
});
