// Which logs run a handler (processor.ts): the data source's address, its block range, topic0 and the number of
// topics the handler's event has (topic0 plus its indexed parameters). As graph-node's (chain/ethereum/src/
// data_source.rs), a log of the same topic0 that the event's ABI cannot decode (an overload indexed otherwise, data
// too short) is skipped, not a failure.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { AbiCoder, zeroPadValue } from "ethers";
import type { FetchedBlock, LogData } from "../../../subgraph/indexer/chain/types";
import { loadSubgraph, type SubgraphBuild } from "../../../subgraph/indexer/manifest";
import { BlockProcessor } from "../../../subgraph/indexer/processor";
import { DEFAULT_INSTANCE_POLICY } from "../../../subgraph/indexer/runtime/mapping";
import { IndexerDatabase } from "../../../subgraph/indexer/store/database";
import { EntityCache } from "../../../subgraph/indexer/store/entity-cache";
import { EntityStore } from "../../../subgraph/indexer/store/entity-store";
import { probeBuildDir } from "./helpers/probe";

const HASH = (n: number): string => "0x" + n.toString(16).padStart(64, "0");

describe("embedded indexer: logs matched to event handlers", function () {
  let build: SubgraphBuild;
  let dir: string;
  let db: IndexerDatabase;

  before(async function () {
    this.timeout(180_000);
    build = loadSubgraph(await probeBuildDir());
    dir = mkdtempSync(path.join(os.tmpdir(), "latent-processor-"));
    db = IndexerDatabase.open(path.join(dir, "processor.sqlite"));
    db.initialise({ chainId: "31337", genesisHash: HASH(0), buildHash: build.buildHash, network: "hardhat" }, build.schema);
  });

  after(function () {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the handler of a log with the event's topic count that decodes, and skips the others of its topic0", function () {
    const ds = build.dataSources[0]!;
    const probe = ds.eventHandlers.find((h) => h.handler === "handleProbe")!;
    expect(probe.topicCount).to.equal(2); // Probe(indexed uint8 mode, string message)
    const coder = AbiCoder.defaultAbiCoder();
    const log = (logIndex: number, topics: string[], data: string): LogData => ({
      address: ds.address!,
      topics,
      data,
      blockNumber: 5,
      blockHash: HASH(5),
      transactionHash: HASH(0x100),
      transactionIndex: 0,
      logIndex,
    });
    const mode0 = zeroPadValue("0x00", 32);
    const logs = [
      log(0, [probe.topic0, mode0], coder.encode(["string"], ["handled"])),
      // Mode as data, not as a topic: the same topic0, one topic fewer.
      log(1, [probe.topic0], coder.encode(["uint8", "string"], [0, "not indexed"])),
      // The right topics, but no data for the message.
      log(2, [probe.topic0, mode0], "0x"),
    ];
    const header = {
      number: 5, hash: HASH(5), parentHash: HASH(4), timestamp: 1_700_000_000, unclesHash: HASH(0), author: ds.address!,
      stateRoot: HASH(0), transactionsRoot: HASH(0), receiptsRoot: HASH(0), gasUsed: 0n, gasLimit: 30_000_000n,
      difficulty: 0n, totalDifficulty: 0n, size: null, baseFeePerGas: null,
    };
    const transaction = { hash: HASH(0x100), index: 0, from: ds.address!, to: ds.address!, value: 0n, gasLimit: 1n, gasPrice: 1n, input: "0x", nonce: 0n };
    const block: FetchedBlock = { header, logs, transactions: new Map([[transaction.hash, transaction]]) };

    const skipped: number[] = [];
    const cache = new EntityCache(new EntityStore(db.db, build.schema), build.schema);
    const processor = new BlockProcessor(build, cache, DEFAULT_INSTANCE_POLICY, () => undefined, (l) => skipped.push(l.logIndex));
    const result = db.db.transaction(() => processor.processBlock(block))();
    expect(result.events).to.equal(1);
    expect(skipped).to.deep.equal([2]);
    const markers = db.db.prepare(`SELECT "blobText" FROM "ent_Sample"`).all();
    expect(markers).to.deep.equal([{ blobText: "handled" }]);
  });
});
