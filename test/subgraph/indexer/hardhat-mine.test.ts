// Hardhat's hardhat_mine (network-helpers' `mine(n)`, a developer skipping a voting period on a devnet) reserves the
// blocks it mines at once and serves most of them with a zero parent hash. Near the head, where every block's parent
// is checked, the indexer took each of them for a reorg and stopped advancing.
import { expect } from "chai";
import { Indexer } from "../../../subgraph/indexer";
import { dumpDatabase } from "./helpers/dump";
import { registerProvider, ZERO_BYTES32 } from "./helpers/probe";
import { useProbeFixture } from "./helpers/use-probe-fixture";

describe("embedded indexer: blocks mined with hardhat_mine", function () {
  const fx = useProbeFixture();

  it("indexes through blocks that report a zero parent hash, up to the head, when their predecessors are still the chain's", async function () {
    const [A, B] = fx.chain.accounts.slice(1, 3);
    await registerProvider(fx.probe, A!, "alpha", 10n, 1);
    await fx.chain.request("hardhat_mine", ["0x20"]);
    await registerProvider(fx.probe, B!, "beta", 20n, 2);
    const head = await fx.chain.blockNumber();
    const zeroParents = [];
    for (let n = head - 32; n < head; n++) {
      const block = await fx.chain.request<{ parentHash: string }>("eth_getBlockByNumber", [`0x${n.toString(16)}`, false]);
      if (block.parentHash === ZERO_BYTES32) zeroParents.push(n);
    }
    expect(zeroParents, "the quirk this test is about").to.not.be.empty;

    const db = fx.dbPath("hardhat-mine.sqlite");
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db, reorgThreshold: 100 });
    try {
      const status = await indexer.syncOnce();
      expect(status.failed).to.equal(false);
      expect(status.checkpoint!.number).to.equal(head);
    } finally {
      await indexer.close();
    }
    const names = Object.values(dumpDatabase(db).tables).flat().map((row) => (row as { name?: unknown }).name);
    expect(names).to.include.members(["alpha", "beta"]);
  });
});
