// The HTTP transport's two documented knobs (IndexerOptions.rpcTimeoutMs and maxRequestsPerSecond), against a
// local stand-in node.
import { mkdtempSync, rmSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { Indexer } from "../../../../subgraph/indexer";
import { HttpRpc } from "../../../../subgraph/indexer/chain/rpc";

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

describe("embedded indexer: HTTP JSON-RPC transport", function () {
  it("gives up on a request the node does not answer within rpcTimeoutMs", async function () {
    const node = await standIn(() => undefined); // never answers
    const tmp = mkdtempSync(path.join(os.tmpdir(), "latent-rpc-"));
    try {
      const started = Date.now();
      const error = await Indexer.open({ subgraph: SUBGRAPH, rpc: node.url, db: path.join(tmp, "i.sqlite"), rpcTimeoutMs: 100 }).catch((e: unknown) => e);
      expect((error as Error).message).to.match(/^eth_\w+ timed out after 100 ms$/);
      expect(Date.now() - started).to.be.below(5_000);
    } finally {
      await node.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("spaces requests to at most maxRequestsPerSecond", async function () {
    const arrivals: number[] = [];
    const node = await standIn((request, response) => {
      request.resume().on("end", () => {
        arrivals.push(Date.now());
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "0x1" }));
      });
    });
    try {
      const rpc = new HttpRpc(node.url, { maxRequestsPerSecond: 20 });
      await Promise.all(Array.from({ length: 5 }, () => rpc.request("eth_blockNumber", [])));
      expect(arrivals).to.have.length(5);
      // 20 per second: one every 50 ms, so five span at least 200 ms (minus timer granularity).
      expect(arrivals[4]! - arrivals[0]!).to.be.at.least(190);
    } finally {
      await node.close();
    }
  });
});
