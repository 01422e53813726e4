// The `ethereum.Event` as the host lays it out (runtime/event-memory.ts, runtime/object-layout.ts), read back the
// plain way, field by field, against graph-ts's layout. The mappings read only a few block and transaction fields;
// this checks every one, and every kind of parameter, on the probe's events (the probe's JobPosted has ints,
// bytes, a string, arrays and a tuple).
import { expect } from "chai";
import fc from "fast-check";
import type { ParamType } from "ethers";
import { AbiKind, type AbiValue } from "../../../../subgraph/indexer/chain/abi-decoder";
import type { BlockHeader, LogData, TransactionData } from "../../../../subgraph/indexer/chain/types";
import { loadSubgraph, type DataSourceSpec, type EventHandlerSpec } from "../../../../subgraph/indexer/manifest";
import type { AscHeap } from "../../../../subgraph/indexer/runtime/asc-heap";
import { readEthereumValue } from "../../../../subgraph/indexer/runtime/ethereum-values";
import { EventMemory } from "../../../../subgraph/indexer/runtime/event-memory";
import { blockSize, ObjectLayout } from "../../../../subgraph/indexer/runtime/object-layout";
import { signedLEToBigInt } from "../../../../subgraph/indexer/values/bytes";
import { probeBuildDir } from "../helpers/probe";
import { instantiate } from "../helpers/instance";

const hex = (bytes: Uint8Array): string => "0x" + Buffer.from(bytes).toString("hex");
const word = (value: bigint): Uint8Array => Buffer.from(BigInt.asUintN(256, value).toString(16).padStart(64, "0"), "hex");

/** A random decoded value of ABI type `param`, and what readEthereumValue gives back for it. */
function abiValue(param: ParamType): fc.Arbitrary<{ value: AbiValue; read: unknown }> {
  if (param.baseType === "tuple" || param.baseType === "array") {
    const children = param.baseType === "tuple" ? param.components! : null;
    const items = children
      ? fc.tuple(...children.map(abiValue))
      : fc.array(abiValue(param.arrayChildren!), param.arrayLength! >= 0 ? { minLength: param.arrayLength!, maxLength: param.arrayLength! } : { maxLength: 3 });
    const kind = children ? AbiKind.Tuple : param.arrayLength! >= 0 ? AbiKind.FixedArray : AbiKind.Array;
    return items.map((parts) => ({ value: { kind, items: parts.map((p) => p.value) }, read: parts.map((p) => p.read) }));
  }
  const type = param.type;
  if (type === "address") return fc.uint8Array({ minLength: 20, maxLength: 20 }).map((bytes) => ({ value: { kind: AbiKind.Address, bytes }, read: hex(bytes) }));
  if (type === "bool") return fc.boolean().map((value) => ({ value: { kind: AbiKind.Bool, value }, read: value }));
  if (type === "string") return fc.string({ maxLength: 30 }).map((value) => ({ value: { kind: AbiKind.String, value }, read: value }));
  if (type === "bytes") return fc.uint8Array({ maxLength: 80 }).map((bytes) => ({ value: { kind: AbiKind.Bytes, bytes }, read: Buffer.from(bytes) }));
  const fixed = /^bytes(\d+)$/.exec(type);
  if (fixed) {
    const n = Number(fixed[1]);
    return fc.uint8Array({ minLength: n, maxLength: n }).map((bytes) => ({ value: { kind: AbiKind.FixedBytes, bytes }, read: Buffer.from(bytes) }));
  }
  const integer = /^(u?)int(\d+)$/.exec(type)!;
  const bits = BigInt(integer[2]!);
  if (integer[1] === "u") return fc.bigInt({ min: 0n, max: 2n ** bits - 1n }).map((n) => ({ value: { kind: AbiKind.Uint, word: word(n) }, read: n }));
  return fc.bigInt({ min: -(2n ** (bits - 1n)), max: 2n ** (bits - 1n) - 1n }).map((n) => ({ value: { kind: AbiKind.Int, word: word(n) }, read: n }));
}

const BLOCK: BlockHeader = {
  number: 123456,
  hash: "0x" + "11".repeat(32),
  parentHash: "0x" + "22".repeat(32),
  timestamp: 1_790_000_000,
  unclesHash: "0x" + "33".repeat(32),
  author: "0x" + "44".repeat(20),
  stateRoot: "0x" + "55".repeat(32),
  transactionsRoot: "0x" + "66".repeat(32),
  receiptsRoot: "0x" + "77".repeat(32),
  gasUsed: 21_000n,
  gasLimit: 30_000_000n,
  difficulty: 0n,
  totalDifficulty: 2n ** 70n,
  size: 1234n,
  baseFeePerGas: null,
};

const TRANSACTION: TransactionData = {
  hash: "0x" + "88".repeat(32),
  index: 3,
  from: "0x" + "99".repeat(20),
  to: null,
  value: 10n ** 18n,
  gasLimit: 500_000n,
  gasPrice: 2_000_000_000n,
  input: "0x" + "ab".repeat(100),
  nonce: 7n,
};

const LOG: LogData = {
  address: "0x" + "cd".repeat(20),
  topics: [],
  data: "0x",
  blockNumber: BLOCK.number,
  blockHash: BLOCK.hash,
  transactionHash: TRANSACTION.hash,
  transactionIndex: TRANSACTION.index,
  logIndex: 300,
};

describe("indexer runtime: the ethereum.Event in a mapping's memory", function () {
  let ds: DataSourceSpec;
  let handler: EventHandlerSpec;

  before(async function () {
    this.timeout(180_000);
    ds = loadSubgraph(await probeBuildDir()).dataSources[0]!;
    handler = ds.eventHandlers.find((h) => h.handler === "handleJobPosted")!;
  });

  /** The Uint8Array fields of the graph-ts class at `ptr` (null pointer: null). */
  function byteFields(heap: AscHeap, ptr: number, count: number): Array<Buffer | null> {
    return Array.from({ length: count }, (_, i) => {
      const field = heap.u32(ptr, i * 4);
      return field === 0 ? null : Buffer.from(heap.readBytes(field));
    });
  }

  const number = (bytes: Buffer | null): bigint | null => (bytes === null ? null : signedLEToBigInt(bytes));

  it("lays out the address, log indexes, block, transaction and parameters of every kind as graph-ts reads them", function () {
    const heap = instantiate(ds);
    const events = new EventMemory(new ObjectLayout(heap));
    fc.assert(
      fc.property(fc.tuple(...handler.params.map(abiValue)), (params) => {
        const ptr = events.write(
          handler,
          LOG,
          params.map((p) => p.value),
          BLOCK,
          TRANSACTION,
        );
        expect(hex(heap.readBytes(heap.u32(ptr, 0)))).to.equal(LOG.address);
        expect(signedLEToBigInt(heap.readBytes(heap.u32(ptr, 4)))).to.equal(300n);
        expect(signedLEToBigInt(heap.readBytes(heap.u32(ptr, 8)))).to.equal(300n); // transactionLogIndex
        expect(heap.u32(ptr, 12)).to.equal(0); // logType
        expect(heap.u32(ptr, 28)).to.equal(0); // receipt

        const block = byteFields(heap, heap.u32(ptr, 16), 15);
        expect(block.slice(0, 7).map((b) => hex(b!))).to.deep.equal([
          BLOCK.hash,
          BLOCK.parentHash,
          BLOCK.unclesHash,
          BLOCK.author,
          BLOCK.stateRoot,
          BLOCK.transactionsRoot,
          BLOCK.receiptsRoot,
        ]);
        expect(block.slice(7).map(number)).to.deep.equal([123456n, 21_000n, 30_000_000n, 1_790_000_000n, 0n, 2n ** 70n, 1234n, null]);

        const tx = byteFields(heap, heap.u32(ptr, 20), 9);
        expect(hex(tx[0]!)).to.equal(TRANSACTION.hash);
        expect(number(tx[1])).to.equal(3n);
        expect(hex(tx[2]!)).to.equal(TRANSACTION.from);
        expect(tx[3]).to.equal(null); // a contract creation has no `to`
        expect([tx[4], tx[5], tx[6]].map(number)).to.deep.equal([10n ** 18n, 500_000n, 2_000_000_000n]);
        expect(hex(tx[7]!)).to.equal(TRANSACTION.input);
        expect(number(tx[8])).to.equal(7n);

        const parameters = heap.readArray(heap.u32(ptr, 24));
        expect(parameters.map((p) => heap.readString(heap.u32(p, 0)))).to.deep.equal(handler.params.map((p) => p.name));
        expect(parameters.map((p) => readEthereumValue(heap, heap.u32(p, 4)).value)).to.deep.equal(params.map((p) => p.read));
      }),
      { numRuns: 40 },
    );
  });

  it("gives every event objects of its own, sharing only the (immutable) parameter-name strings", function () {
    const heap = instantiate(ds);
    const events = new EventMemory(new ObjectLayout(heap));
    const [params] = fc.sample(fc.tuple(...handler.params.map(abiValue)), 1);
    const write = (): number => events.write(handler, LOG, params!.map((p) => p.value), BLOCK, TRANSACTION);
    const first = write();
    const second = write();
    for (const offset of [0, 4, 8, 16, 20, 24]) expect(heap.u32(first, offset)).to.not.equal(heap.u32(second, offset));
    const names = (ptr: number): number[] => heap.readArray(heap.u32(ptr, 24)).map((p) => heap.u32(p, 0));
    expect(names(first)).to.deep.equal(names(second));
  });

  it("refuses a graph that does not fill exactly the region reserved for it", function () {
    const layout = new ObjectLayout(instantiate(ds));
    expect(layout.stub).to.equal(true);
    layout.reserve(blockSize(8) + blockSize(16));
    layout.object(8, layout.arrayBufferId);
    expect(() => layout.finish()).to.throw(`laid out ${blockSize(8)} bytes in a region of ${blockSize(8) + blockSize(16)}`);
  });
});
