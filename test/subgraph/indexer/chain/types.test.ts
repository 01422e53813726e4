// Parsing of the node's JSON-RPC blocks into what an ethereum.Event carries.
import { expect } from "chai";
import { parseHeader, type RpcBlock } from "../../../../subgraph/indexer/chain/types";

const HASH = "0x" + "ab".repeat(32);

function block(extra: Record<string, unknown>): RpcBlock {
  return { number: "0x10", hash: HASH, parentHash: HASH, timestamp: "0x5", ...extra } as RpcBlock;
}

describe("embedded indexer: JSON-RPC block parsing", function () {
  it("reads size and baseFeePerGas as absent when the node sends null for them (pre-London blocks on some nodes)", function () {
    const header = parseHeader(block({ size: null, baseFeePerGas: null, gasUsed: null }));
    expect(header.size).to.equal(null);
    expect(header.baseFeePerGas).to.equal(null);
    expect(header.gasUsed).to.equal(0n);
  });

  it("reads size and baseFeePerGas as quantities when present", function () {
    const header = parseHeader(block({ size: "0x220", baseFeePerGas: "0x7" }));
    expect(header.size).to.equal(544n);
    expect(header.baseFeePerGas).to.equal(7n);
  });
});
