// A JSON-RPC node on 127.0.0.1 that answers as a test says, method by method: a result, a rate limit, or nothing at
// all (a node that holds the request), for the tests of what stops the indexer's requests and waits.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * How the fake node answers a request: a result, the result `later` resolves to once it does (a request the test
 * holds, then lets through), HTTP 429 with Retry-After: 60, or never (until the node closes).
 */
export type Answer = { result: unknown } | { later: Promise<unknown> } | "rate-limited" | "no-answer";

export interface FakeNode {
  readonly url: string;
  /** The methods asked, in the order the requests came. */
  readonly methods: string[];
  /** Ends the requests it holds (their clients see the connection closed) and stops listening. */
  close(): Promise<void>;
}

/** A genesis header as far as the indexer reads one. */
export const FAKE_GENESIS = {
  number: "0x0",
  hash: "0x" + "11".repeat(32),
  parentHash: "0x" + "00".repeat(32),
  timestamp: "0x0",
};

/** Starts a node that answers each request (one call per HTTP request) as `answer` says for its method and its count. */
export async function startFakeNode(answer: (method: string, nth: number) => Answer): Promise<FakeNode> {
  const methods: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const { id, method } = JSON.parse(Buffer.concat(chunks).toString()) as { id: number; method: string };
      methods.push(method);
      const reply = answer(method, methods.filter((m) => m === method).length);
      if (reply === "no-answer") return;
      if (reply === "rate-limited") {
        res.writeHead(429, { "content-type": "text/plain", "retry-after": "60" }).end("Too Many Requests");
        return;
      }
      const send = (result: unknown): void =>
        void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id, result }));
      if ("later" in reply) void reply.later.then(send);
      else send(reply.result);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    methods,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
