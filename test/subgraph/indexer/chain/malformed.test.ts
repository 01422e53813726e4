// A node's answer that is not what JSON-RPC promises (a field missing, null, not hex, of the wrong length, a number past
// 2^53) fails as a MalformedAnswerError naming the method, the block or log and the field, with the value only cut and
// with its URLs cut: never V8's TypeError or BigInt SyntaxError (which quote the value whole), never a NaN.
import { expect } from "chai";
import { ChainFetcher } from "../../../../subgraph/indexer/chain/fetcher";
import type { RpcCall, RpcTransport } from "../../../../subgraph/indexer/chain/rpc";
import { parseHeader, parseLog, parseTransactions, type RpcBlock, type RpcLog } from "../../../../subgraph/indexer/chain/types";
import { MalformedAnswerError } from "../../../../subgraph/indexer/errors";

const HASH = "0x" + "ab".repeat(32);
const ADDRESS = "0x" + "cd".repeat(20);
const SECRET = "sEcReTkEy123";
const KEYED_URL = `https://eth-mainnet.example.com/v2/${SECRET}`;

const LOG: RpcLog = {
  address: ADDRESS,
  topics: [HASH, HASH],
  data: "0x00ff",
  blockNumber: "0x1f4",
  blockHash: HASH,
  transactionHash: HASH,
  transactionIndex: "0x0",
  logIndex: "0x3",
};

const BLOCK: RpcBlock = {
  number: "0x1f4",
  hash: HASH,
  parentHash: HASH,
  timestamp: "0x5",
  miner: ADDRESS,
  gasUsed: "0x10",
  size: "0x220",
  transactions: [
    { hash: HASH, transactionIndex: "0x0", from: ADDRESS, to: ADDRESS, value: "0x0", gas: "0x5208", gasPrice: "0x1", input: "0x", nonce: "0x0" },
  ],
};

/** What a malformed answer must fail with: the class, the method, the field, and no secret nor the value whole. */
function expectMalformed(run: () => unknown, method: string, words: string, name: string): MalformedAnswerError {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error, name).to.be.instanceOf(MalformedAnswerError);
  const malformed = error as MalformedAnswerError;
  expect(malformed.method, name).to.equal(method);
  expect(malformed.message, name).to.include(`${method}'s answer is malformed: ${words}`);
  expect(malformed.message, name).not.to.include(SECRET);
  expect(malformed.found.length, name).to.be.below(80);
  return malformed;
}

describe("embedded indexer: a node's malformed answer", function () {
  it("parses a well-formed log, header and transaction as before (lower-cased hashes and addresses)", function () {
    const log = parseLog({ ...LOG, address: ADDRESS.toUpperCase().replace("0X", "0x") }, 0);
    expect(log).to.deep.equal({ ...LOG, blockNumber: 500, transactionIndex: 0, logIndex: 3, topics: [HASH, HASH] });
    const header = parseHeader(BLOCK);
    expect([header.number, header.timestamp, header.gasUsed, header.size, header.baseFeePerGas, header.author]).to.deep.equal([500, 5, 16n, 544n, null, ADDRESS]);
    expect(parseTransactions(BLOCK).get(HASH)!.gasLimit).to.equal(21000n);
  });

  it("fails on each malformed field of a log as a MalformedAnswerError naming the log and the field and what it should be", function () {
    const table: Array<[string, Record<string, unknown>, string]> = [
      ["logIndex missing", { logIndex: undefined }, 'log 3 .logIndex is missing, expected a hex quantity'],
      ["logIndex null", { logIndex: null }, "log 3 .logIndex is null, expected a hex quantity"],
      ["logIndex non-hex (NaN)", { logIndex: "0xzz" }, 'log 3 .logIndex is "0xzz", expected a hex quantity'],
      ["logIndex without 0x", { logIndex: "12" }, 'log 3 .logIndex is "12", expected a hex quantity'],
      ["logIndex empty quantity", { logIndex: "0x" }, 'log 3 .logIndex is "0x", expected a hex quantity'],
      ["logIndex a JSON number", { logIndex: 3 }, "log 3 .logIndex is 3, expected a hex quantity"],
      ["blockNumber past 2^53", { blockNumber: "0x20000000000000" }, 'log 3 .blockNumber is "0x20000000000000", expected a hex quantity of at most 2^53 - 1'],
      ["transactionIndex non-hex", { transactionIndex: "0x1g" }, 'log 3 .transactionIndex is "0x1g", expected a hex quantity'],
      ["address missing", { address: undefined }, "log 3 .address is missing, expected a 20-byte address"],
      ["address short", { address: "0x" + "cd".repeat(19) }, "log 3 .address is \"0xcdcd", ],
      ["address a 32-byte hash", { address: HASH }, "log 3 .address is \"0xabab"],
      ["blockHash non-hex", { blockHash: "0x" + "zz".repeat(32) }, "log 3 .blockHash is \"0xzzzz"],
      ["transactionHash null", { transactionHash: null }, "log 3 .transactionHash is null, expected a 32-byte hash"],
      ["topics missing", { topics: undefined }, "log 3 .topics is missing, expected an array of at most 4 32-byte hashes"],
      ["topics not an array", { topics: HASH }, "log 3 .topics is \"0xabab"],
      ["five topics", { topics: [HASH, HASH, HASH, HASH, HASH] }, "log 3 .topics is [\"0xabab"],
      ["topic short", { topics: [HASH, "0x12"] }, 'log 3 .topics[1] is "0x12", expected a 32-byte hash'],
      ["topic null", { topics: [null] }, "log 3 .topics[0] is null, expected a 32-byte hash"],
      ["data odd", { data: "0x123" }, 'log 3 .data is "0x123", expected hex data of whole bytes'],
      ["data non-hex", { data: "hello" }, 'log 3 .data is "hello", expected hex data of whole bytes'],
      ["data missing", { data: undefined }, "log 3 .data is missing, expected hex data of whole bytes"],
    ];
    for (const [name, change, words] of table) {
      expectMalformed(() => parseLog({ ...LOG, ...change } as RpcLog, 3), "eth_getLogs", words, name);
    }
    expectMalformed(() => parseLog(null as unknown as RpcLog, 3), "eth_getLogs", "log 3 is null, expected a log object", "null log");
    expectMalformed(() => parseLog("0x12" as unknown as RpcLog, 3), "eth_getLogs", 'log 3 is "0x12", expected a log object', "string log");
  });

  it("fails on each malformed field of a block header as a MalformedAnswerError naming the block as asked for and the field", function () {
    const table: Array<[string, Record<string, unknown>, string]> = [
      ["number missing", { number: undefined }, "block 0x1f4 .number is missing, expected a hex quantity"],
      ["number non-hex (NaN)", { number: "0xzz" }, 'block 0x1f4 .number is "0xzz", expected a hex quantity'],
      ["timestamp null", { timestamp: null }, "block 0x1f4 .timestamp is null, expected a hex quantity"],
      ["timestamp decimal", { timestamp: "1700000000" }, 'block 0x1f4 .timestamp is "1700000000", expected a hex quantity'],
      ["hash missing", { hash: undefined }, "block 0x1f4 .hash is missing, expected a 32-byte hash"],
      ["parentHash long", { parentHash: HASH + "00" }, 'block 0x1f4 .parentHash is "0xabab'],
      ["miner short", { miner: "0x12" }, 'block 0x1f4 .miner is "0x12", expected a 20-byte address'],
      ["stateRoot a number", { stateRoot: 7 }, "block 0x1f4 .stateRoot is 7, expected a 32-byte hash"],
      ["gasUsed not a BigInt (SyntaxError before)", { gasUsed: "xyz" }, 'block 0x1f4 .gasUsed is "xyz", expected a hex quantity'],
      ["gasLimit decimal with a sign", { gasLimit: "-1" }, 'block 0x1f4 .gasLimit is "-1", expected a hex quantity'],
      ["size non-hex", { size: "0xq" }, 'block 0x1f4 .size is "0xq", expected a hex quantity'],
      ["baseFeePerGas an object", { baseFeePerGas: { value: 1 } }, 'block 0x1f4 .baseFeePerGas is {"value":1}, expected a hex quantity'],
    ];
    for (const [name, change, words] of table) {
      expectMalformed(() => parseHeader({ ...BLOCK, ...change } as RpcBlock, "eth_getBlockByNumber", "0x1f4"), "eth_getBlockByNumber", words, name);
    }
    // Not asked for by number: named by the number it gives, where that reads.
    expectMalformed(() => parseHeader({ ...BLOCK, hash: null } as unknown as RpcBlock, "eth_getBlockByHash"), "eth_getBlockByHash", "block 0x1f4 .hash is null", "by hash");
    expectMalformed(() => parseHeader({ ...BLOCK, number: "0x" } as RpcBlock), "eth_getBlockByNumber", 'a block .number is "0x"', "unreadable number");
    expectMalformed(() => parseHeader("garbage" as unknown as RpcBlock, "eth_getBlockByNumber", "0x5"), "eth_getBlockByNumber", 'block 0x5 is "garbage", expected a block object', "a string");
  });

  it("fails on each malformed field of a block's transaction as a MalformedAnswerError naming the block, the transaction and the field", function () {
    const tx = BLOCK.transactions![0] as object;
    const table: Array<[string, Record<string, unknown>, string]> = [
      ["hash short", { hash: "0x12" }, 'block 0x1f4 transaction 0 .hash is "0x12", expected a 32-byte hash'],
      ["from missing", { from: undefined }, "block 0x1f4 transaction 0 .from is missing, expected a 20-byte address"],
      ["to non-hex", { to: "0x" + "zz".repeat(20) }, 'block 0x1f4 transaction 0 .to is "0xzzzz'],
      ["transactionIndex NaN", { transactionIndex: "0xnope" }, 'block 0x1f4 transaction 0 .transactionIndex is "0xnope", expected a hex quantity'],
      ["value not a BigInt", { value: "1e18" }, 'block 0x1f4 transaction 0 .value is "1e18", expected a hex quantity'],
      ["gasPrice and maxFeePerGas absent-or-bad", { gasPrice: undefined, maxFeePerGas: "0xg" }, 'block 0x1f4 transaction 0 .maxFeePerGas is "0xg"'],
      ["input odd", { input: "0x1" }, 'block 0x1f4 transaction 0 .input is "0x1", expected hex data of whole bytes'],
      ["nonce non-hex", { nonce: "zero" }, 'block 0x1f4 transaction 0 .nonce is "zero", expected a hex quantity'],
    ];
    for (const [name, change, words] of table) {
      const block = { ...BLOCK, transactions: [{ ...tx, ...change }] } as unknown as RpcBlock;
      expectMalformed(() => parseTransactions(block, "eth_getBlockByHash", "0x1f4"), "eth_getBlockByHash", words, name);
    }
    expectMalformed(() => parseTransactions({ ...BLOCK, transactions: [HASH, null] } as unknown as RpcBlock, "eth_getBlockByNumber", "0x1f4"), "eth_getBlockByNumber", "block 0x1f4 transaction 1 is null", "null");
    expectMalformed(() => parseTransactions({ ...BLOCK, transactions: {} } as unknown as RpcBlock, "eth_getBlockByNumber", "0x1f4"), "eth_getBlockByNumber", "block 0x1f4 .transactions is {}", "object");
  });

  it("quotes a bad value cut to 40 characters and with the URL in it cut, where V8's errors quoted it whole", function () {
    const long = "0x" + "zz".repeat(5000);
    const error = expectMalformed(() => parseLog({ ...LOG, data: long }, 3), "eth_getLogs", "log 3 .data is ", "long");
    expect(error.found).to.equal(`${JSON.stringify(long).slice(0, 40)}… (${long.length + 2} characters)`);
    const keyed = expectMalformed(() => parseLog({ ...LOG, logIndex: KEYED_URL }, 3), "eth_getLogs", "log 3 .logIndex is ", "a URL");
    expect(keyed.found).to.equal('"https://eth-mainnet.example.com/…"');
    // A key within the 40 characters quoted, and one a URL cut at them would show the start of.
    const table: Array<[string, string]> = [
      [`see https://x.io/v2/${SECRET}`, '"see https://x.io/…"'],
      [`${"x".repeat(20)} https://x.io/v2/${SECRET}`, `"${"x".repeat(20)} https://x.io/…"`],
    ];
    for (const [value, found] of table) {
      const cut = expectMalformed(() => parseHeader({ ...BLOCK, gasUsed: value } as RpcBlock, "eth_getBlockByNumber", "0x1f4"), "eth_getBlockByNumber", "block 0x1f4 .gasUsed is ", value);
      expect(cut.found, value).to.equal(found);
    }
  });

  it("fails on a malformed eth_chainId, eth_blockNumber or eth_getLogs result as a MalformedAnswerError naming the method", async function () {
    const answers: Record<string, unknown> = {};
    const rpc: RpcTransport = {
      description: "fabricated answers",
      request: async <T>(method: string): Promise<T> => answers[method] as T,
      batch: async <T>(calls: readonly RpcCall[]): Promise<T[]> => calls.map((c) => answers[c.method] as T),
    };
    const fetcher = new ChainFetcher(rpc, { addresses: null, topic0s: [HASH] });
    const table: Array<[string, unknown, () => Promise<unknown>, string]> = [
      ["eth_chainId", "xyz", () => fetcher.chainId(), 'the result is "xyz", expected a hex quantity'],
      ["eth_chainId", null, () => fetcher.chainId(), "the result is null, expected a hex quantity"],
      ["eth_blockNumber", "0xzz", () => fetcher.headNumber(), 'the result is "0xzz", expected a hex quantity'],
      ["eth_blockNumber", 12, () => fetcher.headNumber(), "the result is 12, expected a hex quantity"],
      ["eth_getLogs", { logs: [] }, () => fetcher.logs(1, 2), 'the result for blocks 1-2 is {"logs":[]}, expected an array of logs'],
      ["eth_getLogs", [{ ...LOG }, { ...LOG, logIndex: "0xzz" }], () => fetcher.logs(1, 2), 'log 1 .logIndex is "0xzz"'],
      ["eth_getBlockByNumber", { ...BLOCK, number: "0xzz" }, () => fetcher.header(500), 'block 0x1f4 .number is "0xzz"'],
    ];
    for (const [method, answer, call, words] of table) {
      answers[method] = answer;
      const error = await call().catch((e: unknown) => e);
      expect(error, `${method} ${JSON.stringify(answer)}`).to.be.instanceOf(MalformedAnswerError);
      expect((error as MalformedAnswerError).method).to.equal(method);
      expect((error as Error).message).to.include(`${method}'s answer is malformed: ${words}`);
    }
    answers.eth_chainId = "0x7a69";
    expect(await fetcher.chainId()).to.equal("31337");
  });
});
