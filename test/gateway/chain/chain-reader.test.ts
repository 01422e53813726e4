// ChainReader.blockHeader against a real Hardhat node (a chain of its own, so that stopping it leaves the suite's
// alone): the head watcher asks it for the parent and time of an indexed head when graph-node's _meta cannot say. Then
// against a port nobody listens on: a read fails with ChainError instead of waiting on network detection.
import { expect } from "chai";
import { createServer, type AddressInfo } from "node:net";
import { ChainReader, type ChainReaderOptions } from "../../../gateway/src/chain/chain-reader";
import { ChainError, ChainReadAbortedError } from "../../../gateway/src/errors";
import { createJsonLogger } from "../../../gateway/src/logger";
import { API_KEY, startKeyedRpc } from "../../helpers/keyed-rpc";
import { expectRejection } from "../../helpers/rejects";
import { startSilentNode, type SilentNode } from "../../helpers/silent-node";
import { waitUntil } from "../../helpers/wait";
import { startLocalChain, type LocalChain } from "../helpers/local-chain";

const ZERO = "0x0000000000000000000000000000000000000000";

describe("ChainReader.blockHeader against a Hardhat node", function () {
  let chain: LocalChain;
  let reader: ChainReader;
  let running = false;
  const stopped = async () => {
    if (running) await chain.close();
    running = false;
  };

  beforeEach(async function () {
    chain = await startLocalChain();
    running = true;
    const logger = createJsonLogger({ level: "error", write: () => undefined });
    reader = new ChainReader({ rpcUrl: chain.url, chainId: 31337, contracts: { ProviderRegistry: ZERO, Staking: ZERO, JobEscrow: ZERO }, logger });
    for (let i = 0; i < 3; i++) await chain.ethers.send("evm_mine", []);
  });

  afterEach(async function () {
    await reader.close();
    await stopped();
  });

  const block = async (n: number) => (await chain.ethers.getBlock(n))!;

  it("is the parent hash and time of a block the node has", async function () {
    const [one, two] = [await block(1), await block(2)];
    expect(await reader.blockHeader(two.hash!)).to.deep.equal({ parentHash: one.hash, timestamp: two.timestamp });
  });

  it("is null for a block the node does not know, such as one a revert replaced", async function () {
    const snapshot = (await chain.ethers.send("evm_snapshot", [])) as string;
    await chain.ethers.send("evm_mine", []);
    const replaced = await block(4);
    await chain.ethers.send("evm_revert", [snapshot]);
    await chain.ethers.send("evm_mine", [replaced.timestamp + 100]);
    expect((await block(4)).hash).to.not.equal(replaced.hash);
    expect(await reader.blockHeader(replaced.hash!)).to.equal(null);
  });

  it("fails with the node's error for what is not a block hash, instead of reading it as a block number", async function () {
    await expectRejection(reader.blockHeader("0x02"), /^eth_getBlockByHash failed \(the node answered: Invalid string length/, ChainError);
  });

  it("fails with ChainError when the node does not answer", async function () {
    const two = await block(2);
    await stopped();
    await expectRejection(reader.blockHeader(two.hash!), /^eth_getBlockByHash failed \(connect ECONNREFUSED/, ChainError);
  });
});

describe("ChainReader against an RPC nobody listens on", function () {
  const logger = createJsonLogger({ level: "error", write: () => undefined });
  const contracts = { ProviderRegistry: ZERO, Staking: ZERO, JobEscrow: ZERO };
  let deadUrl: string;

  before(async function () {
    // A loopback port that was just free: bound, then closed, so that nothing answers on it.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => server.close((error) => (error === undefined ? resolve() : reject(error))));
    deadUrl = `http://127.0.0.1:${port}`;
  });

  it("refuses to be built without a chain id, naming the RPC URL, rather than detecting the network forever", function () {
    const options = { rpcUrl: deadUrl, contracts, logger } as unknown as ChainReaderOptions;
    expect(() => new ChainReader(options)).to.throw(ChainError, `the chain reader for ${deadUrl} needs the chain id`);
  });

  it("fails a read with ChainError when given the chain id", async function () {
    const reader = new ChainReader({ rpcUrl: deadUrl, chainId: 31337, contracts, logger });
    try {
      await expectRejection(reader.blockNumber(), /^eth_blockNumber failed \(connect ECONNREFUSED/, ChainError);
    } finally {
      await reader.close();
    }
  });
});

describe("ChainReader against a node that accepts connections and never answers", function () {
  const logger = createJsonLogger({ level: "error", write: () => undefined });
  const contracts = { ProviderRegistry: ZERO, Staking: ZERO, JobEscrow: ZERO };
  let node: SilentNode;
  let reader: ChainReader;

  beforeEach(async function () {
    node = await startSilentNode();
    // Far above the tests' own timeout: a read that waited for it fails its test by timing out.
    reader = new ChainReader({ rpcUrl: node.url, chainId: 31337, contracts, logger, timeoutMs: 600_000 });
  });

  afterEach(async function () {
    await reader.close();
    await node.close();
  });

  it("close() gives up the reads in flight with ChainReadAbortedError, and ends their connections", async function () {
    this.timeout(10_000);
    const pending = reader.blockNumber();
    await waitUntil(() => node.connections > 0, "the reader asked the node");
    await reader.close();
    await expectRejection(pending, /^eth_blockNumber was given up: the gateway is stopping$/, ChainReadAbortedError);
    await waitUntil(() => node.open === 0, "the reader closed its connection");
  });

  it("gives up a block header read whose signal aborts", async function () {
    this.timeout(10_000);
    const controller = new AbortController();
    const pending = reader.blockHeader(`0x${"1".repeat(64)}`, controller.signal);
    await waitUntil(() => node.connections > 0, "the reader asked the node");
    controller.abort();
    await expectRejection(pending, /^eth_getBlockByHash was given up: the gateway is stopping$/, ChainReadAbortedError);
  });
});

describe("ChainReader against an RPC whose URL holds an API key", function () {
  const contracts = { ProviderRegistry: ZERO, Staking: ZERO, JobEscrow: ZERO };

  it("names the node by its host alone in its errors and logs, when the node fails or the chain id is missing", async function () {
    const node = await startKeyedRpc();
    const lines: string[] = [];
    const logger = createJsonLogger({ level: "debug", write: (line) => lines.push(line) });
    const reader = new ChainReader({ rpcUrl: node.url, chainId: 31337, contracts, logger });
    try {
      let caught: unknown;
      await reader.blockNumber().catch((error: unknown) => (caught = error));
      expect(caught).to.be.instanceOf(ChainError);
      const missing = { rpcUrl: node.url, contracts, logger } as unknown as ChainReaderOptions;
      expect(() => new ChainReader(missing)).to.throw(ChainError, `the chain reader for ${node.origin}/… needs the chain id`);
      expect((caught as Error).message).to.include(`${node.origin}/…`);
      expect(lines.join("")).to.include(`${node.origin}/…`);
      expect(`${(caught as Error).message}${lines.join("")}`).not.to.include(API_KEY);
    } finally {
      await reader.close();
      await node.close();
    }
  });
});
