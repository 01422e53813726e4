// graph-ts store values (`Value`, `Entity`, `BigDecimal`) to and from WASM memory.
import { EntityValidationError, HostError } from "../errors";
import { BigDecimal, MAX_EXP, MIN_EXP } from "../values/bigdecimal";
import { bigIntValue, ValueKind, type EntityData, type StoreValue } from "../values/store-value";
import { isMinimalSignedLE, signedLEToBigInt } from "../values/bytes";
import { nullValueError, TypeId, type AscHeap } from "./asc-heap";

export function readBigDecimal(heap: AscHeap, ptr: number): BigDecimal {
  if (ptr === 0) throw nullValueError();
  const digits = heap.readBigInt(heap.u32(ptr, 0));
  const exp = heap.readBigInt(heap.u32(ptr, 4));
  const value = BigDecimal.of(digits, Number(BigInt.asIntN(64, exp)));
  if (!value.isZero() && (value.exp < MIN_EXP || value.exp > MAX_EXP)) {
    throw new HostError(`big decimal exponent \`${value.exp}\` is outside the \`${MIN_EXP}\` to \`${MAX_EXP}\` range`);
  }
  return value;
}

export function writeBigDecimal(heap: AscHeap, value: BigDecimal): number {
  const digits = heap.writeBigInt(value.digits);
  const exp = heap.writeBigInt(BigInt(value.exp));
  return heap.object(TypeId.BigDecimal, [digits, exp]);
}

export function readStoreValue(heap: AscHeap, ptr: number): StoreValue {
  const kind = heap.readValueKind(ptr);
  switch (kind) {
    case ValueKind.String:
      return { kind, value: heap.readString(heap.readValuePointer(ptr)) };
    case ValueKind.Int:
      return { kind, value: heap.i32(ptr, 8) }; // the low word of the u64 payload
    case ValueKind.BigDecimal:
      return { kind, value: readBigDecimal(heap, heap.readValuePointer(ptr)) };
    case ValueKind.Bool:
      return { kind, value: heap.u32(ptr, 8) !== 0 || heap.u32(ptr, 12) !== 0 };
    case ValueKind.Array: {
      // A loop: a closure over `heap` would cost a context allocation on every call, lists or not.
      const pointers = heap.readArray(heap.readValuePointer(ptr));
      const items = new Array<StoreValue>(pointers.length);
      for (let k = 0; k < pointers.length; k++) items[k] = readStoreValue(heap, pointers[k]!);
      return { kind, value: items };
    }
    case ValueKind.Null:
      return { kind };
    case ValueKind.Bytes:
      return { kind, value: heap.readBytes(heap.readValuePointer(ptr)) };
    case ValueKind.BigInt: {
      const bytes = heap.readBytes(heap.readValuePointer(ptr));
      return bigIntValue(signedLEToBigInt(bytes), isMinimalSignedLE(bytes) ? bytes : undefined);
    }
    case ValueKind.Int8:
    case ValueKind.Timestamp:
      return { kind, value: heap.readValuePayload(ptr) };
    default:
      throw new EntityValidationError(`unknown store value kind ${kind}`);
  }
}

export function writeStoreValue(heap: AscHeap, value: StoreValue): number {
  switch (value.kind) {
    case ValueKind.String:
      return heap.writeValue(TypeId.StoreValue, value.kind, heap.writeString(value.value));
    case ValueKind.Int:
      return heap.writeValue(TypeId.StoreValue, value.kind, value.value);
    case ValueKind.BigDecimal:
      return heap.writeValue(TypeId.StoreValue, value.kind, writeBigDecimal(heap, value.value));
    case ValueKind.Bool:
      return heap.writeValue(TypeId.StoreValue, value.kind, value.value ? 1 : 0);
    case ValueKind.Array: {
      const items = value.value.map((v) => writeStoreValue(heap, v));
      return heap.writeValue(TypeId.StoreValue, value.kind, heap.writeArray(TypeId.ArrayStoreValue, items));
    }
    case ValueKind.Null:
      return heap.writeValue(TypeId.StoreValue, value.kind, 0);
    case ValueKind.Bytes:
      return heap.writeValue(TypeId.StoreValue, value.kind, heap.writeBytes(value.value));
    case ValueKind.BigInt:
      return heap.writeValue(TypeId.StoreValue, value.kind, heap.writeBigInt(value.value));
    case ValueKind.Int8:
    case ValueKind.Timestamp:
      return heap.writeValue(TypeId.StoreValue, value.kind, value.value);
  }
}

/**
 * A DataSourceContext (a TypedMap of store values); entities take the faster path of entity-memory.ts. graph-node
 * allocates the map with TypedMapStringStoreValue and its entries with TypedMapEntryStringStoreValue, in the order of
 * `Entity::sorted` (keys by their UTF-8 bytes), which a mapping iterating `entries` sees.
 */
export function writeTypedMap(heap: AscHeap, data: EntityData): number {
  const sorted = [...data].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const entries: number[] = [];
  for (const [key, value] of sorted) {
    const k = heap.writeString(key);
    const v = writeStoreValue(heap, value);
    entries.push(heap.object(TypeId.TypedMapEntryStringStoreValue, [k, v]));
  }
  const array = heap.writeArray(TypeId.ArrayTypedMapEntryStringStoreValue, entries);
  return heap.object(TypeId.TypedMapStringStoreValue, [array]);
}
