import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { describeEachSource, environment } from "../helpers/environment";

describeEachSource("indexingStatus", (ctx) => {
  it("reports the chain head, the indexed block and the lag between them", async function () {
    const { env, client, mode } = ctx();
    await env.waitForIndexed();
    const { indexingStatus: s } = await client.query<{
      indexingStatus: { chainHead: number; indexedBlock: number; lag: number; maxLag: number; ready: boolean; hasIndexingErrors: boolean; source: string };
    }>(`{ indexingStatus { chainHead indexedBlock indexedBlockTimestamp lag maxLag ready hasIndexingErrors source } }`);
    const head = await env.chain.blockNumber();
    expect(s.chainHead).to.equal(head);
    expect(s.indexedBlock).to.equal(head);
    expect(s.lag).to.equal(0);
    expect(s.ready).to.equal(true);
    expect(s.hasIndexingErrors).to.equal(false);
    expect(s.source).to.equal(mode === "embedded" ? "EMBEDDED" : "SUBGRAPH_URL");
  });

  it("answers /readyz with 200 once the index has caught up, and /healthz with 200", async function () {
    const { env, client } = ctx();
    await env.waitForIndexed();
    const base = client.url.replace(/\/graphql$/, "");
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).to.equal(200);
    expect(((await ready.json()) as { ready: boolean }).ready).to.equal(true);
    expect((await fetch(`${base}/healthz`)).status).to.equal(200);
  });
});

/**
 * A graph-node endpoint whose index of the chain stays at block 1 (`hash`, the chain's) while the chain is far ahead:
 * its subgraph URL and its close.
 */
async function staleGraphNode(hash: string): Promise<{ subgraphUrl: string; close: () => Promise<void> }> {
  const meta = { _meta: { block: { number: 1, hash, timestamp: 1 }, hasIndexingErrors: false, deployment: "QmStale" } };
  const server = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: meta })));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    subgraphUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/subgraphs/name/latent`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("/readyz behind the chain", function () {
  it("answers 503 with the lag once the index is more than maxLag blocks behind the chain", async function () {
    const env = await environment();
    const { subgraphUrl, close } = await staleGraphNode((await env.chain.ethers.getBlock(1))!.hash!);
    try {
      const stale = await env.startExtraGateway({
        source: { subgraphUrl },
        chain: { rpcUrl: env.chain.url, deployment: env.scenario.deployment.record },
        maxLag: 5,
      });
      const head = await env.chain.blockNumber();
      expect(head, "the chain is more than 5 blocks past the stale index").to.be.greaterThan(6);
      const ready = await fetch(`${stale.url.replace(/\/graphql$/, "")}/readyz`);
      expect(ready.status).to.equal(503);
      const body = (await ready.json()) as { ready: boolean; lag: number; reason: string };
      expect(body.ready).to.equal(false);
      expect(body.lag).to.equal(head - 1);
      expect(body.reason).to.equal(`the index is ${head - 1} blocks behind the chain (at most 5 allowed)`);
    } finally {
      await close();
    }
  });

  it("answers 200 while the index is exactly maxLag blocks behind the chain", async function () {
    const env = await environment();
    const { subgraphUrl, close } = await staleGraphNode((await env.chain.ethers.getBlock(1))!.hash!);
    try {
      const head = await env.chain.blockNumber();
      const atLimit = await env.startExtraGateway({
        source: { subgraphUrl },
        chain: { rpcUrl: env.chain.url, deployment: env.scenario.deployment.record },
        maxLag: head - 1,
      });
      const ready = await fetch(`${atLimit.url.replace(/\/graphql$/, "")}/readyz`);
      const body = (await ready.json()) as { ready: boolean; lag: number; maxLag: number };
      expect({ status: ready.status, ready: body.ready, lag: body.lag }).to.deep.equal({ status: 200, ready: true, lag: head - 1 });
    } finally {
      await close();
    }
  });
});
