// ChainFetcher's check of an eth_getLogs answer that may have been cut at a node's result cap without an error.
import { expect } from "chai";
import { getBytes, keccak256 } from "ethers";
import { ChainFetcher } from "../../../../subgraph/indexer/chain/fetcher";
import type { RpcCall, RpcTransport } from "../../../../subgraph/indexer/chain/rpc";
import { RangeTooLargeError, TruncatedLogsError } from "../../../../subgraph/indexer/errors";

const ADDRESS = "0x" + "ab".repeat(20);
const TOPIC = "0x" + "cd".repeat(32);
const BLOCK = 5;
const BLOCK_HASH = "0x" + "55".repeat(32);
const TX_HASH = "0x" + "77".repeat(32);

/** A node whose eth_getLogs answers `count` logs, all in block BLOCK's one transaction; it records the methods asked. */
function nodeWithLogs(count: number) {
  const methods: string[] = [];
  const logs = Array.from({ length: count }, (_, i) => ({
    address: ADDRESS,
    topics: [TOPIC],
    data: "0x",
    blockNumber: `0x${BLOCK.toString(16)}`,
    blockHash: BLOCK_HASH,
    transactionHash: TX_HASH,
    transactionIndex: "0x0",
    logIndex: `0x${i.toString(16)}`,
  }));
  const block = {
    number: `0x${BLOCK.toString(16)}`,
    hash: BLOCK_HASH,
    parentHash: "0x" + "44".repeat(32),
    timestamp: "0x1",
    transactions: [
      { hash: TX_HASH, transactionIndex: "0x0", from: ADDRESS, to: ADDRESS, value: "0x0", gas: "0x5208", gasPrice: "0x1", input: "0x", nonce: "0x0" },
    ],
  };
  const answer = (method: string): unknown => {
    methods.push(method);
    if (method === "eth_getLogs") return logs;
    if (method === "eth_getBlockByNumber") return block;
    throw new Error(`unexpected ${method}`);
  };
  const rpc: RpcTransport = {
    description: "fabricated logs",
    request: async <T>(method: string): Promise<T> => answer(method) as T,
    batch: async <T>(calls: readonly RpcCall[]): Promise<T[]> => calls.map((c) => answer(c.method) as T),
  };
  return { rpc, methods };
}

/** A bloom, as a node writes it, with the three bits of each of `values` set (yellow paper M3:2048). */
function bloomOf(...values: string[]): string {
  const bloom = new Uint8Array(256);
  for (const value of values) {
    const h = getBytes(keccak256(value));
    for (let i = 0; i < 6; i += 2) {
      const bit = ((h[i]! << 8) | h[i + 1]!) & 2047;
      bloom[255 - (bit >> 3)]! |= 1 << (bit & 7);
    }
  }
  return "0x" + Buffer.from(bloom).toString("hex");
}

/** A node whose eth_getLogs by range answers nothing and whose block BLOCK has `logsBloom`; it records the blocks asked by hash. */
function nodeWithBloom(logsBloom: string | undefined) {
  const byHash: string[] = [];
  const block = { number: `0x${BLOCK.toString(16)}`, hash: BLOCK_HASH, parentHash: "0x" + "44".repeat(32), timestamp: "0x1", transactions: [], logsBloom };
  const answer = (method: string, params: readonly unknown[]): unknown => {
    if (method === "eth_getBlockByNumber") return block;
    if (method !== "eth_getLogs") throw new Error(`unexpected ${method}`);
    const { blockHash } = params[0] as { blockHash?: string };
    if (blockHash !== undefined) byHash.push(blockHash);
    return [];
  };
  const rpc: RpcTransport = {
    description: "blocks with a bloom",
    request: async <T>(method: string, params: readonly unknown[]): Promise<T> => answer(method, params) as T,
    batch: async <T>(calls: readonly RpcCall[]): Promise<T[]> => calls.map((c) => answer(c.method, c.params) as T),
  };
  return { rpc, byHash };
}

describe("embedded indexer: fetching a range's logs", function () {
  const filter = { addresses: [ADDRESS], topic0s: [TOPIC] };

  it("asks for a smaller range when eth_getLogs answers a range of several blocks with exactly 10,000 logs, a cap nodes cut at", async function () {
    const node = nodeWithLogs(10_000);
    const error = await new ChainFetcher(node.rpc, filter).fetchRange(1, BLOCK, false).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TruncatedLogsError).and.instanceOf(RangeTooLargeError);
    expect((error as TruncatedLogsError).logCount).to.equal(10_000);
    expect((error as Error).message).to.include("blocks 1-5 returned exactly 10000 logs");
    // Told from the answer alone: nothing more was asked.
    expect(node.methods).to.deep.equal(["eth_getLogs"]);
  });

  it("asks a block eth_getLogs gave nothing for again by its hash where its bloom holds the filter's address and topic, or is missing or unreadable", async function () {
    const blooms: Record<string, string | undefined> = {
      "address and topic": bloomOf(ADDRESS, TOPIC),
      "topic only": bloomOf(TOPIC),
      "address only": bloomOf(ADDRESS),
      empty: bloomOf(),
      missing: undefined,
      // The right length, not hex: ethers' decoding of it threw, failing every pass.
      unreadable: "0x" + "zz".repeat(256),
    };
    const asked: Record<string, boolean> = {};
    for (const [name, bloom] of Object.entries(blooms)) {
      const node = nodeWithBloom(bloom);
      await new ChainFetcher(node.rpc, filter).fetchRange(BLOCK, BLOCK, true);
      asked[name] = node.byHash.length > 0;
    }
    expect(asked).to.deep.equal({ "address and topic": true, "topic only": false, "address only": false, empty: false, missing: true, unreadable: true });
  });

  it("takes a count at a cap as it is for a range that cannot shrink, and any other count", async function () {
    const capped = nodeWithLogs(10_000);
    expect((await new ChainFetcher(capped.rpc, filter).fetchRange(1, BLOCK, false, false)).logCount).to.equal(10_000);
    expect((await new ChainFetcher(capped.rpc, filter).fetchRange(BLOCK, BLOCK, false)).logCount).to.equal(10_000);
    const below = nodeWithLogs(9_999);
    expect((await new ChainFetcher(below.rpc, filter).fetchRange(1, BLOCK, false)).logCount).to.equal(9_999);
  });
});
