// A transport the caller passes to Indexer.open may be the caller's for other things too: the indexer's stop and close
// end the indexer's requests, not the others' on the same transport.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { HttpRpc, Indexer } from "../../../subgraph/indexer";
import { waitUntil } from "../../helpers/wait";
import { FAKE_GENESIS, startFakeNode } from "./helpers/fake-node";
import { probeBuildDir } from "./helpers/probe";

describe("embedded indexer: a transport the caller shares", function () {
  let subgraph: string;
  let tmp: string;

  before(async function () {
    subgraph = await probeBuildDir();
    tmp = mkdtempSync(path.join(os.tmpdir(), "latent-shared-transport-"));
  });

  after(function () {
    rmSync(tmp, { recursive: true, force: true });
  });

  it("stop() ends the indexer's request in flight, not another user's on the same transport", async function () {
    this.timeout(30_000);
    let answerGasPrice!: (result: unknown) => void;
    const gasPrice = new Promise<unknown>((resolve) => (answerGasPrice = resolve));
    // Opens the indexer (chain id, genesis as the first checkpoint), then holds the pass's eth_blockNumber for good and
    // the other user's eth_gasPrice until the test answers it.
    const node = await startFakeNode((method) => {
      if (method === "eth_chainId") return { result: "0x7a69" };
      if (method === "eth_getBlockByNumber") return { result: FAKE_GENESIS };
      if (method === "eth_gasPrice") return { later: gasPrice };
      return "no-answer";
    });
    const rpc = new HttpRpc(node.url, { timeoutMs: 600_000 });
    try {
      const indexer = await Indexer.open({ subgraph, rpc, db: path.join(tmp, "shared.sqlite") });
      let others: Promise<unknown>;
      try {
        const pass = indexer.syncOnce();
        others = rpc.request("eth_gasPrice", []).catch((e: unknown) => e);
        await waitUntil(() => node.methods.includes("eth_blockNumber") && node.methods.includes("eth_gasPrice"), "both requests reach the node");
        // The node never answers the pass's request: only its abort ends the stop.
        await indexer.stop();
        expect((await pass).synced).to.equal(false);
      } finally {
        await indexer.close();
      }
      answerGasPrice("0x3b9aca00");
      expect(await others).to.equal("0x3b9aca00");
    } finally {
      rpc.close();
      await node.close();
    }
  });

  it("close() leaves open a transport the caller passed in: the caller's later requests are sent", async function () {
    const node = await startFakeNode((method) => ({ result: method === "eth_getBlockByNumber" ? FAKE_GENESIS : "0x7a69" }));
    const rpc = new HttpRpc(node.url);
    try {
      const indexer = await Indexer.open({ subgraph, rpc, db: path.join(tmp, "closed.sqlite") });
      await indexer.close();
      expect(await rpc.request("eth_chainId", [])).to.equal("0x7a69");
    } finally {
      rpc.close();
      await node.close();
    }
  });
});
