// The host functions of runtime/host.ts called directly, as a mapping would call them, in a live instance of the
// probe fixture's module: results and errors checked against graph-node's (runtime/wasm/src/host_exports.rs).
import { expect } from "chai";
import { HostError, UnsupportedHostCallError } from "../../../../subgraph/indexer/errors";
import { AbiKind } from "../../../../subgraph/indexer/chain/abi-decoder";
import { loadSubgraph } from "../../../../subgraph/indexer/manifest";
import { TypeId } from "../../../../subgraph/indexer/runtime/asc-heap";
import { buildImports, HostState } from "../../../../subgraph/indexer/runtime/host";
import { Wasm } from "../../../../subgraph/indexer/runtime/wasm";
import { readStoreValue, writeStoreValue } from "../../../../subgraph/indexer/runtime/store-values";
import { ValueKind, type StoreValue } from "../../../../subgraph/indexer/values/store-value";
import { probeBuildDir } from "../helpers/probe";
import { instantiateWithHost, type HostInstance } from "../helpers/instance";

describe("indexer runtime: host functions", function () {
  let host: HostInstance;

  before(async function () {
    this.timeout(180_000);
    host = instantiateWithHost(loadSubgraph(await probeBuildDir()).dataSources[0]!);
  });

  beforeEach(function () {
    host.logs.length = 0;
  });

  describe("strings from the mapping", function () {
    it("lose their NUL characters, as graph-node strips them from every string it reads", function () {
      const { heap, call, logs } = host;
      call("log.log", 3, heap.writeString("\u0000Maker\u0000\u0000"));
      expect(logs.map((r) => r.message)).to.deep.equal(["Maker"]);
      const value = writeStoreValue(heap, { kind: ValueKind.String, value: "a\u0000b" });
      expect(readStoreValue(heap, value)).to.deep.equal({ kind: ValueKind.String, value: "ab" });
    });

    it("fail the host call when they hold a lone surrogate (graph-node's UTF-16 decoding is strict)", function () {
      const { heap, call, logs } = host;
      expect(() => call("log.log", 3, heap.writeString("half \ud83d"))).to.throw(HostError, "invalid utf-16: lone surrogate found");
      expect(() => call("log.log", 3, heap.writeString("\ude00 half"))).to.throw(HostError, "invalid utf-16: lone surrogate found");
      call("log.log", 3, heap.writeString("whole \ud83d\ude00"));
      expect(logs.map((r) => r.message)).to.deep.equal(["whole 😀"]);
    });
  });

  it("logs an unknown log.log level as debug, as graph-node's LogLevel::from does", function () {
    host.call("log.log", 7, host.heap.writeString("odd level"));
    expect(host.logs.map((r) => [r.level, r.message])).to.deep.equal([["debug", "odd level"]]);
  });

  it("hands dataSource.context() its entries sorted by key, as graph-node does (Entity::sorted)", async function () {
    const ds = loadSubgraph(await probeBuildDir()).dataSources[0]!;
    const context = new Map([
      ["zeta", { kind: ValueKind.Int, value: 1 }],
      ["Alpha", { kind: ValueKind.String, value: "a" }],
      ["beta", { kind: ValueKind.Bool, value: true }],
    ] as const);
    const other = instantiateWithHost({ ...ds, context });
    const map = other.call("dataSource.context") as number;
    const keys = other.heap.readArray(other.heap.u32(map, 0)).map((entry) => other.heap.readString(other.heap.u32(entry, 0)));
    expect(keys).to.deep.equal(["Alpha", "beta", "zeta"]);
  });

  it("writes an entity for store.get with its entries sorted by field name, as graph-node's Entity::sorted_ref", async function () {
    const type = loadSubgraph(await probeBuildDir()).schema.entities.get("Provider")!;
    const fields = type.storedFields.map((f): StoreValue | undefined => (f.valueType === "Int" ? { kind: ValueKind.Int, value: 1 } : undefined));
    fields[type.storedIndex.get("id")!] = { kind: ValueKind.Bytes, value: Buffer.from("01", "hex") };
    fields[type.storedIndex.get("name")!] = { kind: ValueKind.String, value: "n" };
    const { heap } = host;
    const ptr = host.state.entities!.write(type, fields);
    const keys = heap.readArray(heap.u32(ptr, 0)).map((entry) => heap.readString(heap.u32(entry, 0)));
    expect(keys).to.deep.equal(["gpuCount", "id", "jobCount", "name"]);
  });

  it("turns Bytes of any length into 0x and lower-case hex with typeConversion.bytesToHex, as graph-node's hex::encode", function () {
    const { heap, call } = host;
    for (const length of [0, 1, 20, 32, 65, 300, 2]) {
      const bytes = Buffer.from(Array.from({ length }, (_, i) => (i * 37 + 250) & 0xff));
      const hex = call("typeConversion.bytesToHex", heap.writeBytes(bytes)) as number;
      expect(heap.readString(hex), `${length} bytes`).to.equal("0x" + bytes.toString("hex"));
    }
  });

  it("fails a host call given null for an object with graph-node's message, not an internal error", function () {
    const { heap, call } = host;
    const isNull = "Tried to read AssemblyScript value that is 'null'";
    const one = heap.writeBigInt(1n);
    expect(() => call("bigInt.plus", one, 0)).to.throw(HostError, isNull);
    expect(() => call("typeConversion.bytesToHex", 0)).to.throw(HostError, isNull);
    expect(() => call("log.log", 3, 0)).to.throw(HostError, isNull);
    expect(() => call("bigDecimal.plus", 0, 0)).to.throw(HostError, isNull);
    expect(() => call("ethereum.encode", 0)).to.throw(HostError, isNull);
    const decimal = heap.object(TypeId.BigDecimal, [one, 0]); // a BigDecimal whose exponent is null
    expect(() => call("bigDecimal.toString", decimal)).to.throw(HostError, isNull);
  });

  describe("ethereum.encode", function () {
    const value = (kind: AbiKind, payload: number): number => host.heap.writeValue(TypeId.EthereumValue, kind, payload);
    const encode = (ptr: number): unknown => host.call("ethereum.encode", ptr);

    it("fails the call, rather than returning null, on a value graph-node cannot convert to an ABI value", function () {
      const { heap } = host;
      expect(() => encode(value(AbiKind.Uint, heap.writeBigInt(-1n)))).to.throw(HostError, "BigInt value is negative, cannot convert to unsigned U256: -1");
      expect(() => encode(value(AbiKind.Uint, heap.writeBigInt(2n ** 256n)))).to.throw(HostError, `BigInt value \`${2n ** 256n}\` does not fit into uint256`);
      expect(() => encode(value(AbiKind.Int, heap.writeBigInt(2n ** 255n)))).to.throw(HostError, `BigInt value \`${2n ** 255n}\` does not fit into int256`);
      expect(() => encode(value(AbiKind.Address, heap.writeBytes(Buffer.alloc(19))))).to.throw(HostError, "expected array of length 20, found length 19");
      expect(() => encode(value(AbiKind.FixedBytes, heap.writeBytes(Buffer.alloc(33))))).to.throw(HostError, "input slice must contain a maximum of 32 bytes, got 33");
      // The same inside a tuple with a dynamic member, which takes the general encoder.
      const tuple = heap.writeArray(TypeId.ArrayEthereumValue, [value(AbiKind.String, heap.writeString("x")), value(AbiKind.Uint, heap.writeBigInt(-1n))]);
      expect(() => encode(value(AbiKind.Tuple, tuple))).to.throw(HostError, "cannot convert to unsigned U256");
    });

    it("encodes an empty FixedBytes as one zero word, as graph-node does", function () {
      const { heap } = host;
      const zeroWord = "00".repeat(32);
      const encoded = encode(value(AbiKind.FixedBytes, heap.writeBytes(Buffer.alloc(0)))) as number;
      expect(Buffer.from(heap.readBytes(encoded)).toString("hex")).to.equal(zeroWord);
      const tuple = heap.writeArray(TypeId.ArrayEthereumValue, [value(AbiKind.FixedBytes, heap.writeBytes(Buffer.alloc(0))), value(AbiKind.Bytes, heap.writeBytes(Buffer.alloc(0)))]);
      const dynamic = encode(value(AbiKind.Tuple, tuple)) as number;
      expect(Buffer.from(heap.readBytes(dynamic)).toString("hex")).to.equal(
        // the tuple's offset, the empty bytes32, the offset of the bytes and their zero length
        "20".padStart(64, "0") + zeroWord + "40".padStart(64, "0") + zeroWord,
      );
    });
  });

  describe("json.try_fromBytes", function () {
    /** Whether json.try_fromBytes reports an error for `bytes`. */
    const isError = (bytes: Uint8Array): boolean => {
      const result = host.call("json.try_fromBytes", host.heap.writeBytes(bytes)) as number;
      return host.heap.u32(result, 4) !== 0;
    };

    it("reports an error for bytes that are not UTF-8, as serde_json::from_slice does", function () {
      expect(isError(Buffer.from(`{"name": "caf\u00e9"}`, "latin1"))).to.equal(true);
      expect(isError(Buffer.from(`["\xff"]`, "latin1"))).to.equal(true);
      expect(isError(Buffer.from(`{"name": "café"}`, "utf8"))).to.equal(false);
    });

    it("reports an error for a \\u escape of a lone surrogate, which serde_json rejects", function () {
      expect(isError(Buffer.from(String.raw`["\ud83d"]`))).to.equal(true);
      expect(isError(Buffer.from(String.raw`["\ude00 x"]`))).to.equal(true);
      expect(isError(Buffer.from(String.raw`["\ud83d\ude00"]`))).to.equal(false);
    });

    it("reports an error for a string with a raw control character or an unknown escape", function () {
      expect(isError(Buffer.from('["a\nb"]'))).to.equal(true);
      expect(isError(Buffer.from(String.raw`["\x41"]`))).to.equal(true);
      expect(isError(Buffer.from(String.raw`["\u12"]`))).to.equal(true);
    });

    it("parses numbers of any length, as serde_json's arbitrary_precision keeps them", function () {
      const long = "9".repeat(500);
      const result = host.call("json.try_fromBytes", host.heap.writeBytes(Buffer.from(`[${long}, -0.${long}e-${long}]`))) as number;
      const { heap } = host;
      expect(heap.u32(result, 4)).to.equal(0);
      const array = heap.u32(heap.u32(result, 0), 0); // Wrapped<JSONValue>.inner: the ARRAY value
      const items = heap.readArray(heap.readValuePointer(array)).map((item) => heap.readString(heap.readValuePointer(item)));
      expect(items).to.deep.equal([long, `-0.${long}e-${long}`]);
    });

    it("reports an error past serde_json's recursion limit (127 nested arrays or objects parse, 128 do not)", function () {
      expect(isError(Buffer.from("[".repeat(127) + "]".repeat(127)))).to.equal(false);
      expect(isError(Buffer.from("[".repeat(128) + "]".repeat(128)))).to.equal(true);
      expect(isError(Buffer.from(`{"a":`.repeat(128) + "1" + "}".repeat(128)))).to.equal(true);
      // Far deeper than JavaScript's stack would take a recursive parser.
      expect(isError(Buffer.from("[".repeat(100_000) + "]".repeat(100_000)))).to.equal(true);
    });
  });

  describe("ethereum.decode", function () {
    const word = (hex: string): string => hex.padStart(64, "0");
    /** The ethereum.Value ethereum.decode(types, data) returns: its kind and payload pointer (null: 0). */
    const decode = (types: string, hex: string): { kind: number; payload: number } | null => {
      const { heap } = host;
      const ptr = host.call("ethereum.decode", heap.writeString(types), heap.writeBytes(Buffer.from(hex, "hex"))) as number;
      return ptr === 0 ? null : { kind: heap.readValueKind(ptr), payload: heap.readValuePointer(ptr) };
    };

    it("keeps the whole 256-bit word of a narrower integer type, as graph-node's decoder does", function () {
      const uint8 = decode("uint8", word("0100"))!;
      expect(uint8.kind).to.equal(AbiKind.Uint);
      expect(host.heap.readBigInt(uint8.payload)).to.equal(256n);
      const int8 = decode("int8", word("ff"))!;
      expect(int8.kind).to.equal(AbiKind.Int);
      expect(host.heap.readBigInt(int8.payload)).to.equal(255n);
    });

    it("decodes a bool as true when any byte of its word is set, as alloy (and ethers) do", function () {
      for (const [hex, expected] of [[word("01"), 1n], ["01" + "00".repeat(31), 1n], [word("0100"), 1n], [word("00"), 0n]] as const) {
        const ptr = host.call("ethereum.decode", host.heap.writeString("bool"), host.heap.writeBytes(Buffer.from(hex, "hex"))) as number;
        expect(host.heap.readValueKind(ptr)).to.equal(AbiKind.Bool);
        expect(host.heap.readValuePayload(ptr), hex).to.equal(expected);
      }
    });

    it("decodes a string that is not UTF-8 lossily, and an address from its word's low 20 bytes, rather than failing", function () {
      const text = decode("string", word("20") + word("02") + "61ff".padEnd(64, "0"))!;
      expect(text.kind).to.equal(AbiKind.String);
      expect(host.heap.readString(text.payload)).to.equal("a\ufffd");
      const address = decode("address", "ff".repeat(12) + "11".repeat(20))!;
      expect(address.kind).to.equal(AbiKind.Address);
      expect(Buffer.from(host.heap.readBytes(address.payload)).toString("hex")).to.equal("11".repeat(20));
      expect(decode("(uint256,string)", word("01"))).to.equal(null); // too short: null, as in graph-node
    });
  });

  // The probe mapping calls four of these (failures.test.ts checks that the handler's error names the handler); the
  // rest are imported here by a module written for the test, as graph-ts imports them (module "index").
  it("fails every call that needs the network, ENS or templates with an UnsupportedHostCallError naming the call", async function () {
    const calls = [
      "ethereum.call", "ethereum.getBalance", "ethereum.hasCode",
      "ipfs.cat", "ipfs.map", "ipfs.getBlock", "ens.nameByHash",
      "dataSource.create", "dataSource.createWithContext", "some.futureCall",
    ];
    const ds = loadSubgraph(await probeBuildDir()).dataSources[0]!;
    const imports = buildImports(new Wasm.Module(importingModule("index", calls)), new HostState(ds, () => undefined));
    for (const call of calls) {
      const fn = imports.index![call] as () => unknown;
      expect(fn, call).to.throw(UnsupportedHostCallError, `host call ${call} is not supported by the embedded indexer: `).with.property("call", call);
    }
  });
});

/** A WebAssembly module that only imports `names` from `module`, each a function of no parameters and no results. */
function importingModule(module: string, names: readonly string[]): Uint8Array {
  const leb = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...leb(n >>> 7)]);
  const name = (text: string): number[] => [...leb(Buffer.byteLength(text)), ...Buffer.from(text)];
  const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
  const types = section(1, [1, 0x60, 0, 0]);
  const entries = names.flatMap((n) => [...name(module), ...name(n), 0x00, 0]);
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...section(2, [...leb(names.length), ...entries])]);
}
