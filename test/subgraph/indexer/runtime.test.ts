// Unit tests of the host's fast paths against its plain ones, in a live instance of the probe fixture's module:
// entities laid out in one allocation read back as what was written (and as what the mapping changed), and
// ethereum.encode of static values equals ethers' encoding.
import { expect } from "chai";
import fc from "fast-check";
import { ParamType } from "ethers";
import { loadSubgraph, type SubgraphBuild } from "../../../subgraph/indexer/manifest";
import { AscHeap, TypeId } from "../../../subgraph/indexer/runtime/asc-heap";
import { EntityMemory } from "../../../subgraph/indexer/runtime/entity-memory";
import { ObjectLayout } from "../../../subgraph/indexer/runtime/object-layout";
import { encodeEthereumValue, encodeStaticEthereumValue, readEthereumValue, writeEthereumValue } from "../../../subgraph/indexer/runtime/ethereum-values";
import { readStoreValue, writeStoreValue } from "../../../subgraph/indexer/runtime/store-values";
import type { EntityFields } from "../../../subgraph/indexer/store/entity-cache";
import type { EntityTypeModel } from "../../../subgraph/indexer/schema/model";
import { BigDecimal } from "../../../subgraph/indexer/values/bigdecimal";
import { ValueKind, type StoreValue } from "../../../subgraph/indexer/values/store-value";
import { probeBuildDir } from "./helpers/probe";
import { instantiate } from "./helpers/instance";

/** Every entry of the Entity at `ptr`, decoded the plain way, by field name. */
function entries(heap: AscHeap, ptr: number): Map<string, StoreValue> {
  const out = new Map<string, StoreValue>();
  for (const entry of heap.readArray(heap.u32(ptr, 0))) out.set(heap.readString(heap.u32(entry, 0)), readStoreValue(heap, heap.u32(entry, 4)));
  return out;
}

/** `value` without the bytes a BigInt value may carry. */
function plain(value: StoreValue): StoreValue {
  if (value.kind === ValueKind.BigInt) return { kind: value.kind, value: value.value };
  if (value.kind === ValueKind.Array) return { kind: value.kind, value: value.value.map(plain) };
  return value;
}

/** A random value of each stored field of `type` (undefined: not set). */
function fieldsOf(type: EntityTypeModel): fc.Arbitrary<EntityFields> {
  const scalar = (valueType: string): fc.Arbitrary<StoreValue> => {
    switch (valueType) {
      case "String":
        return fc.string({ unit: "grapheme", maxLength: 20 }).map((value) => ({ kind: ValueKind.String, value }));
      case "Bytes":
        return fc.uint8Array({ maxLength: 40 }).map((value) => ({ kind: ValueKind.Bytes, value }));
      case "BigInt":
        return fc.oneof(fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }), fc.bigInt({ min: -1000n, max: 1000n })).map((value) => ({ kind: ValueKind.BigInt, value }));
      case "BigDecimal":
        return fc.tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: -40, max: 40 })).map(([d, e]) => ({ kind: ValueKind.BigDecimal, value: BigDecimal.of(d, e) }));
      case "Int":
        return fc.integer().map((value) => ({ kind: ValueKind.Int, value }));
      case "Int8":
        return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ kind: ValueKind.Int8, value }));
      case "Timestamp":
        return fc.bigInt({ min: 0n, max: 2n ** 62n }).map((value) => ({ kind: ValueKind.Timestamp, value }));
      default:
        return fc.boolean().map((value) => ({ kind: ValueKind.Bool, value }));
    }
  };
  return fc.tuple(
    ...type.storedFields.map((f) => {
      const value = f.list ? fc.array(scalar(f.valueType), { maxLength: 4 }).map((value): StoreValue => ({ kind: ValueKind.Array, value })) : scalar(f.valueType);
      return fc.option(fc.oneof({ weight: 9, arbitrary: value }, { weight: 1, arbitrary: fc.constant<StoreValue>({ kind: ValueKind.Null }) }), { nil: undefined, freq: 4 });
    }),
  );
}

describe("indexer runtime: host fast paths", function () {
  let build: SubgraphBuild;
  let heap: AscHeap;

  before(async function () {
    this.timeout(180_000);
    build = loadSubgraph(await probeBuildDir());
    heap = instantiate(build.dataSources[0]!);
  });

  for (const typeName of ["Provider", "Job", "Sample"]) {
    it(`lays ${typeName} entities out as the plain writer would read them, and reads them back unchanged`, function () {
      const type = build.schema.entities.get(typeName)!;
      const memory = new EntityMemory(new ObjectLayout(heap));
      fc.assert(
        fc.property(fieldsOf(type), (fields) => {
          const ptr = memory.write(type, fields);
          const decoded = entries(heap, ptr);
          const expected = new Map(type.storedFields.flatMap((f, i) => (fields[i] === undefined ? [] : [[f.name, fields[i]!] as const])));
          // In field-name order, as graph-node's Entity::sorted_ref hands entities over.
          expect([...decoded.keys()]).to.deep.equal([...expected.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
          for (const [name, value] of expected) expect(plain(decoded.get(name)!)).to.deep.equal(plain(value));
          // Untouched, every field comes back as the very value it was written from (lists and decimals: equal).
          const input = memory.read(ptr, type);
          expect(input.unknown).to.equal(null);
          fields.forEach((value, i) => {
            if (value !== undefined && (value.kind === ValueKind.Array || value.kind === ValueKind.BigDecimal)) expect(plain(input.fields[i]!)).to.deep.equal(plain(value));
            else expect(input.fields[i]).to.equal(value);
          });
        }),
        { numRuns: 60 },
      );
    });
  }

  it("recognises the untouched values of an entity written before many others", function () {
    const type = build.schema.entities.get("Job")!;
    const memory = new EntityMemory(new ObjectLayout(heap));
    const written = fc.sample(fieldsOf(type), 300).map((fields) => ({ fields, ptr: memory.write(type, fields) }));
    for (const { fields, ptr } of written.reverse()) {
      const input = memory.read(ptr, type);
      fields.forEach((value, i) => {
        if (value !== undefined && value.kind !== ValueKind.Array && value.kind !== ValueKind.BigDecimal) expect(input.fields[i]).to.equal(value);
      });
    }
  });

  it("reads what the mapping changed: replaced values, bytes changed in place, appended and unknown fields", function () {
    const type = build.schema.entities.get("Sample")!;
    const memory = new EntityMemory(new ObjectLayout(heap));
    const at = (name: string): number => type.storedIndex.get(name)!;
    const fields: EntityFields = new Array(type.storedFields.length);
    fields[at("id")] = { kind: ValueKind.String, value: "s" };
    fields[at("big")] = { kind: ValueKind.BigInt, value: 123456789012345678901234567890n };
    fields[at("digest")] = { kind: ValueKind.Bytes, value: Buffer.from("abcd", "hex") };
    fields[at("count")] = { kind: ValueKind.Int, value: 7 };
    fields[at("blobText")] = { kind: ValueKind.String, value: "text" };
    const ptr = memory.write(type, fields);
    const entryOf = (name: string): number => heap.readArray(heap.u32(ptr, 0)).find((e) => heap.readString(heap.u32(e, 0)) === name)!;
    // count := 8 (a new Value), big's bytes changed in place, a field appended, an unknown one too.
    heap.setU32(entryOf("count"), 4, writeStoreValue(heap, { kind: ValueKind.Int, value: 8 }));
    const bigBytes = heap.u32(heap.readValuePointer(heap.u32(entryOf("big"), 4)), 4);
    heap.bytes[bigBytes] = heap.bytes[bigBytes]! ^ 1;
    const array = heap.u32(ptr, 0);
    const extra = [
      heap.object(TypeId.TypedMapEntryStringStoreValue, [heap.writeString("flag"), writeStoreValue(heap, { kind: ValueKind.Bool, value: true })]),
      heap.object(TypeId.TypedMapEntryStringStoreValue, [heap.writeString("nope"), writeStoreValue(heap, { kind: ValueKind.Int, value: 1 })]),
    ];
    heap.setU32(array, 0, heap.writeArray(TypeId.ArrayTypedMapEntryStringStoreValue, [...heap.readArray(array), ...extra]));
    const replaced = heap.u32(array, 0);
    heap.setU32(array, 4, heap.u32(replaced, 4));
    heap.setU32(array, 8, heap.u32(replaced, 8));
    heap.setU32(array, 12, heap.u32(replaced, 12));
    const input = memory.read(ptr, type);
    expect(input.unknown).to.deep.equal(["nope"]);
    expect(input.fields[at("id")]).to.equal(fields[at("id")]);
    expect(input.fields[at("digest")]).to.equal(fields[at("digest")]);
    expect(input.fields[at("blobText")]).to.equal(fields[at("blobText")]);
    expect(input.fields[at("count")]).to.deep.equal({ kind: ValueKind.Int, value: 8 });
    expect(plain(input.fields[at("big")]!)).to.deep.equal({ kind: ValueKind.BigInt, value: 123456789012345678901234567890n ^ 1n });
    expect(input.fields[at("flag")]).to.deep.equal({ kind: ValueKind.Bool, value: true });
  });

  it("encodes static values for ethereum.encode exactly as ethers does, and leaves the rest to it", function () {
    const leaf = fc.oneof(
      fc.constant("address"),
      fc.constant("bool"),
      fc.integer({ min: 1, max: 32 }).map((n) => `uint${n * 8}`),
      fc.integer({ min: 1, max: 32 }).map((n) => `int${n * 8}`),
      fc.integer({ min: 1, max: 32 }).map((n) => `bytes${n}`),
      fc.constant("string"),
      fc.constant("bytes"),
    );
    const types = fc.letrec<{ type: string }>((tie) => ({
      type: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc.array(tie("type"), { minLength: 1, maxLength: 4 }).map((items) => `(${items.join(",")})`),
        fc.tuple(tie("type"), fc.integer({ min: 1, max: 3 })).map(([t, n]) => `${t}[${n}]`),
      ),
    })).type;
    const valueOf = (param: ParamType): fc.Arbitrary<unknown> => {
      if (param.baseType === "tuple") return fc.tuple(...param.components!.map(valueOf));
      if (param.baseType === "array") return fc.array(valueOf(param.arrayChildren!), { minLength: param.arrayLength!, maxLength: param.arrayLength! });
      if (param.baseType === "address") return fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => "0x" + Buffer.from(b).toString("hex"));
      if (param.baseType === "bool") return fc.boolean();
      if (param.baseType === "string") return fc.string();
      if (param.baseType === "bytes") return fc.uint8Array({ maxLength: 40 }).map((b) => "0x" + Buffer.from(b).toString("hex"));
      const bits = Number(/\d+$/.exec(param.baseType)![0]);
      if (param.baseType.startsWith("bytes")) return fc.uint8Array({ minLength: bits, maxLength: bits }).map((b) => "0x" + Buffer.from(b).toString("hex"));
      if (param.baseType.startsWith("uint")) return fc.bigInt({ min: 0n, max: 2n ** BigInt(bits) - 1n });
      return fc.bigInt({ min: -(2n ** BigInt(bits - 1)), max: 2n ** BigInt(bits - 1) - 1n });
    };
    const cases = types.map((t) => ParamType.from(t)).chain((param) => valueOf(param).map((value) => ({ param, value })));
    let fast = 0;
    fc.assert(
      fc.property(cases, ({ param, value }) => {
        const ptr = writeEthereumValue(heap, param, value);
        const expected = Buffer.from(encodeEthereumValue(readEthereumValue(heap, ptr)));
        const encoded = encodeStaticEthereumValue(heap, ptr);
        if (encoded !== null) {
          fast++;
          expect(Buffer.from(encoded).toString("hex")).to.equal(expected.toString("hex"));
        } else {
          expect(param.isTuple() || param.isArray() ? param.format() : param.type).to.match(/string|bytes(?!\d)|\[|\(/);
        }
      }),
      { numRuns: 300 },
    );
    expect(fast).to.be.above(50);
  });
});
