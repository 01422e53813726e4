// An eth_getLogs answer with exactly as many logs as nodes cap theirs at is asked for again smaller (see
// chain/fetcher.test.ts), except where the range cannot shrink: a range of minBlockRange blocks is indexed as it is.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { Indexer } from "../../../subgraph/indexer";
import type { RpcCall, RpcTransport } from "../../../subgraph/indexer/chain/rpc";
import { loadSubgraph } from "../../../subgraph/indexer/manifest";
import { logFilterFor } from "../../../subgraph/indexer/processor";
import { probeBuildDir } from "./helpers/probe";

const HEAD = 4;
const TX_HASH = "0x" + "77".repeat(32);

function hash(n: number): string {
  return "0x" + (n + 1).toString(16).padStart(64, "0");
}

/**
 * A chain of HEAD blocks whose last one holds `count` logs of the subgraph's first address and event (with data that
 * does not decode, which the indexer skips), in one transaction; it records the ranges eth_getLogs was asked for.
 */
function chainWithLogs(address: string, topic0: string, count: number) {
  const ranges: string[] = [];
  const block = (n: number, full: boolean) => ({
    number: `0x${n.toString(16)}`,
    hash: hash(n),
    parentHash: n === 0 ? "0x" + "00".repeat(32) : hash(n - 1),
    timestamp: `0x${n.toString(16)}`,
    // Empty for the blocks without logs: none is asked for again by its hash.
    ...(n === HEAD ? {} : { logsBloom: "0x" + "00".repeat(256) }),
    transactions:
      full && n === HEAD
        ? [{ hash: TX_HASH, transactionIndex: "0x0", from: address, to: address, value: "0x0", gas: "0x5208", gasPrice: "0x1", input: "0x", nonce: "0x0" }]
        : [],
  });
  const logs = Array.from({ length: count }, (_, i) => ({
    address,
    topics: [topic0],
    data: "0x",
    blockNumber: `0x${HEAD.toString(16)}`,
    blockHash: hash(HEAD),
    transactionHash: TX_HASH,
    transactionIndex: "0x0",
    logIndex: `0x${i.toString(16)}`,
  }));
  const answer = (method: string, params: readonly unknown[]): unknown => {
    if (method === "eth_chainId") return "0x7a69";
    if (method === "eth_blockNumber") return `0x${HEAD.toString(16)}`;
    if (method === "eth_getBlockByNumber") return Number(params[0]) > HEAD ? null : block(Number(params[0]), params[1] === true);
    if (method === "eth_getLogs") {
      const { fromBlock, toBlock } = params[0] as { fromBlock: string; toBlock: string };
      ranges.push(`${Number(fromBlock)}-${Number(toBlock)}`);
      return Number(fromBlock) <= HEAD && HEAD <= Number(toBlock) ? logs : [];
    }
    throw new Error(`unexpected ${method}`);
  };
  const rpc: RpcTransport = {
    description: "chain with capped-looking logs",
    request: async <T>(method: string, params: readonly unknown[]): Promise<T> => answer(method, params) as T,
    batch: async <T>(calls: readonly RpcCall[]): Promise<T[]> => calls.map((c) => answer(c.method, c.params) as T),
  };
  return { rpc, ranges };
}

describe("embedded indexer: an eth_getLogs answer at a result cap", function () {
  let subgraph: string;
  let tmp: string;

  before(async function () {
    subgraph = await probeBuildDir();
    tmp = mkdtempSync(path.join(os.tmpdir(), "latent-truncated-logs-"));
  });

  after(function () {
    rmSync(tmp, { recursive: true, force: true });
  });

  it("indexes a range of minBlockRange blocks whose answer has 1,000 logs as it is, instead of failing every pass", async function () {
    const filter = logFilterFor(loadSubgraph(subgraph));
    const { rpc, ranges } = chainWithLogs(filter.addresses![0]!, filter.topic0s[0]!, 1_000);
    // Blocks 1-4 in one range that cannot shrink, all final.
    const indexer = await Indexer.open({ subgraph, rpc, db: path.join(tmp, "min-range.sqlite"), reorgThreshold: 0, minBlockRange: HEAD, initialBlockRange: HEAD });
    try {
      const status = await indexer.syncOnce();
      expect(status.checkpoint!.number).to.equal(HEAD);
      expect(ranges).to.deep.equal(["1-4"]);
    } finally {
      await indexer.close();
    }
  });

  it("asks again for smaller ranges while the answer has 1,000 logs, down to the single block that holds them", async function () {
    const filter = logFilterFor(loadSubgraph(subgraph));
    const { rpc, ranges } = chainWithLogs(filter.addresses![0]!, filter.topic0s[0]!, 1_000);
    const indexer = await Indexer.open({ subgraph, rpc, db: path.join(tmp, "shrinks.sqlite"), reorgThreshold: 0, initialBlockRange: HEAD });
    try {
      const status = await indexer.syncOnce();
      expect(status.checkpoint!.number).to.equal(HEAD);
      // Halved at each such answer; 1-2 holds none, after which the range grows back to the 2 blocks left (3-4).
      expect(ranges).to.deep.equal(["1-4", "1-2", "3-4", "3-3", "4-4"]);
    } finally {
      await indexer.close();
    }
  });
});
