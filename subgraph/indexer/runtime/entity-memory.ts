// Entities in a mapping's memory, the hot path of store.get and store.set (most handlers load and save several
// entities, the Protocol singleton with its 63 fields on almost every event).
//
// Writing: an entity is an object graph (TypedMap -> Array -> entries -> key string + Value -> payload), laid out in
// one allocation (see object-layout.ts). Field-name strings are shared by every entity of the instance (AssemblyScript
// strings are immutable): written when first needed, and once more into the region a reset keeps (afterReset).
//
// Reading: graph-ts's Entity.set replaces the value of an existing entry (or appends one). For an entity this
// instance wrote, an entry that still holds the Value written, with the same content, yields the very StoreValue it
// was written from: no decoding, and the entity cache sees by identity that the field did not change.
import type { EntityTypeModel } from "../schema/model";
import type { EntityFields, EntityInput } from "../store/entity-cache";
import { bigIntToSignedLE } from "../values/bytes";
import { ValueKind, type StoreValue } from "../values/store-value";
import { TypeId, type AscHeap } from "./asc-heap";
import { arrayObjectSize, blockSize, bytesObjectSize, type ObjectLayout } from "./object-layout";
import { readStoreValue } from "./store-values";

const VALUE_BLOCK = blockSize(16);
const ENTRY_BLOCK = blockSize(8);

/** The bytes of a graph-ts BigInt, kept with the (immutable) value: unchanged fields are written again and again. */
function bigIntBytes(value: StoreValue & { kind: ValueKind.BigInt }): Uint8Array {
  return (value.le ??= bigIntToSignedLE(value.value));
}

function hasPointerPayload(value: StoreValue): boolean {
  return value.kind !== ValueKind.Int && value.kind !== ValueKind.Bool && value.kind !== ValueKind.Null && value.kind !== ValueKind.Int8 && value.kind !== ValueKind.Timestamp;
}

/** Words per entry in EntityMemory.entries: field index, and the addresses of the entry, its Value and the Value's payload. */
const ENTRY_WORDS = 4;

/** An entity handed to the mapping, to recognise its entries when it comes back in store.set. */
interface Written {
  readonly type: EntityTypeModel;
  /** What it was written from. */
  readonly fields: EntityFields;
  /** Where its entries start in EntityMemory.entries, and how many there are. */
  readonly start: number;
  readonly count: number;
}

export class EntityMemory {
  /** Per type, the shared field-name strings by stored-field index (0 until first needed). */
  private readonly keyPointers = new Map<EntityTypeModel, Uint32Array>();
  /** Per type, the order its entries are written in (see order()). */
  private readonly orders = new Map<EntityTypeModel, Uint16Array>();
  /** Field names the mapping passed, by string pointer (checked against memory before use). */
  private readonly keyNames = new Map<number, string>();
  /** Entities handed to the mapping, by TypedMap pointer. */
  private readonly written = new Map<number, Written>();
  /**
   * The entries of every entity in `written`, ENTRY_WORDS per entry: one growing array for the instance's lifetime.
   * A typed array per entity had storage of its own outside the JavaScript heap, which V8 counts as external memory,
   * whose growth triggers full collections.
   */
  private entries = new Uint32Array(256);
  private entriesUsed = 0;
  /** Field names written since the last reset of the instance's memory (see afterReset). */
  private readonly freshKeys: Array<{ readonly type: EntityTypeModel; readonly index: number }> = [];
  private readonly ids: Record<"value" | "entry" | "entries" | "map" | "bigDecimal" | "values", number>;
  private readonly heap: AscHeap;

  constructor(private readonly layout: ObjectLayout) {
    const heap = (this.heap = layout.heap);
    this.ids = {
      value: heap.classId(TypeId.StoreValue),
      entry: heap.classId(TypeId.TypedMapEntryStringStoreValue),
      entries: heap.classId(TypeId.ArrayTypedMapEntryStringStoreValue),
      map: heap.classId(TypeId.TypedMapStringStoreValue),
      bigDecimal: heap.classId(TypeId.BigDecimal),
      values: heap.classId(TypeId.ArrayStoreValue),
    };
  }

  /** Whether objects are laid out for the stub runtime (otherwise every object gets a `__new`). */
  get stub(): boolean {
    return this.layout.stub;
  }

  /**
   * After the instance's memory was put back as `_start` left it (trigger-reset.ts): the entities handed out are gone,
   * and the field names written since the last reset were zeroed; they are written again, to be kept this time.
   * Returns whether it wrote any.
   */
  afterReset(): boolean {
    this.written.clear();
    this.entriesUsed = 0;
    if (this.freshKeys.length === 0) return false;
    for (const { type, index } of this.freshKeys) this.keys(type)[index] = this.heap.writeString(type.storedFields[index]!.name);
    this.freshKeys.length = 0;
    return true;
  }

  // --- writing ----------------------------------------------------------------------------------------------------

  /** Writes `fields` of `type` as a graph-ts Entity; returns its pointer. */
  write(type: EntityTypeModel, fields: EntityFields): number {
    const keys = this.keys(type);
    const order = this.order(type);
    let count = 0;
    let size = blockSize(4) + blockSize(16); // the TypedMap and its entries Array
    for (let i = 0; i < fields.length; i++) {
      const value = fields[i];
      if (value === undefined) continue;
      if (keys[i] === 0) {
        keys[i] = this.heap.writeString(type.storedFields[i]!.name);
        this.freshKeys.push({ type, index: i });
      }
      count++;
      size += ENTRY_BLOCK + this.valueSize(value);
    }
    size += blockSize(count * 4);
    this.layout.reserve(size);
    if (this.entriesUsed + count * ENTRY_WORDS > this.entries.length) {
      const grown = new Uint32Array(Math.max(this.entries.length * 2, this.entriesUsed + count * ENTRY_WORDS));
      grown.set(this.entries.subarray(0, this.entriesUsed));
      this.entries = grown;
    }
    const entries = this.entries;
    const start = this.entriesUsed;
    let n = 0;
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      const value = fields[i];
      if (value === undefined) continue;
      const valuePtr = this.value(value);
      const entry = this.layout.object(8, this.ids.entry);
      const w = this.heap.words;
      w[entry >>> 2] = keys[i]!;
      w[(entry + 4) >>> 2] = valuePtr;
      const at = start + n * ENTRY_WORDS;
      entries[at] = i;
      entries[at + 1] = entry;
      entries[at + 2] = valuePtr;
      entries[at + 3] = hasPointerPayload(value) ? w[(valuePtr + 8) >>> 2]! : 0;
      n++;
    }
    const buffer = this.layout.object(count * 4, this.layout.arrayBufferId);
    for (let k = 0; k < count; k++) this.heap.words[(buffer >>> 2) + k] = entries[start + k * ENTRY_WORDS + 1]!;
    const array = this.layout.object(16, this.ids.entries);
    this.layout.fillArray(array, buffer, count);
    const map = this.layout.object(4, this.ids.map);
    this.heap.words[map >>> 2] = array;
    this.layout.finish();
    // Under the stub runtime nothing is ever freed, so these pointers keep naming these objects.
    if (this.stub) {
      this.written.set(map, { type, fields, start, count });
      this.entriesUsed += count * ENTRY_WORDS;
    }
    return map;
  }

  /**
   * Stored-field indexes of `type` by field name (UTF-8 byte order): graph-node hands entities over as
   * `Entity::sorted_ref`, and a mapping iterating `entries` sees that order.
   */
  private order(type: EntityTypeModel): Uint16Array {
    let order = this.orders.get(type);
    if (order === undefined) {
      const names = type.storedFields.map((f) => Buffer.from(f.name));
      order = Uint16Array.from(names.keys()).sort((a, b) => Buffer.compare(names[a]!, names[b]!));
      this.orders.set(type, order);
    }
    return order;
  }

  private keys(type: EntityTypeModel): Uint32Array {
    let keys = this.keyPointers.get(type);
    if (keys === undefined) {
      keys = new Uint32Array(type.storedFields.length);
      this.keyPointers.set(type, keys);
    }
    return keys;
  }

  /** A graph-ts Value (`{ kind: i32, data: u64 }`) and its payload. */
  private value(value: StoreValue): number {
    let payload = 0;
    let low = 0;
    let high = 0;
    switch (value.kind) {
      case ValueKind.String:
        payload = this.layout.string(value.value);
        break;
      case ValueKind.Int:
        low = value.value >>> 0;
        high = value.value < 0 ? 0xffffffff : 0;
        break;
      case ValueKind.BigDecimal: {
        const digits = this.layout.bytes(bigIntToSignedLE(value.value.digits));
        const exp = this.layout.bytes(bigIntToSignedLE(BigInt(value.value.exp)));
        payload = this.layout.object(8, this.ids.bigDecimal);
        this.heap.words[payload >>> 2] = digits;
        this.heap.words[(payload + 4) >>> 2] = exp;
        break;
      }
      case ValueKind.Bool:
        low = value.value ? 1 : 0;
        break;
      case ValueKind.Array: {
        // Loops rather than closures over `this` here and in valueSize: such a closure makes V8 allocate a context on
        // every call (~200 MB over the benchmark's workload), lists or not.
        const items = value.value;
        const pointers = new Array<number>(items.length);
        for (let k = 0; k < items.length; k++) pointers[k] = this.value(items[k]!);
        payload = this.layout.array(this.ids.values, pointers);
        break;
      }
      case ValueKind.Null:
        break;
      case ValueKind.Bytes:
        payload = this.layout.bytes(value.value);
        break;
      case ValueKind.BigInt:
        payload = this.layout.bytes(bigIntBytes(value));
        break;
      case ValueKind.Int8:
      case ValueKind.Timestamp:
        low = Number(BigInt.asUintN(32, value.value));
        high = Number(BigInt.asUintN(32, value.value >> 32n));
        break;
    }
    return this.layout.value(this.ids.value, value.kind, payload !== 0 ? payload : low, high);
  }

  /** Bytes the Value of `value` and its payload take. */
  private valueSize(value: StoreValue): number {
    switch (value.kind) {
      case ValueKind.String:
        return VALUE_BLOCK + blockSize(value.value.length * 2);
      case ValueKind.Bytes:
        return VALUE_BLOCK + bytesObjectSize(value.value.length);
      case ValueKind.BigInt:
        return VALUE_BLOCK + bytesObjectSize(bigIntBytes(value).length);
      case ValueKind.BigDecimal:
        return (
          VALUE_BLOCK +
          blockSize(8) +
          bytesObjectSize(bigIntToSignedLE(value.value.digits).length) +
          bytesObjectSize(bigIntToSignedLE(BigInt(value.value.exp)).length)
        );
      case ValueKind.Array: {
        let size = VALUE_BLOCK + arrayObjectSize(value.value.length);
        for (const item of value.value) size += this.valueSize(item);
        return size;
      }
      default:
        return VALUE_BLOCK;
    }
  }

  // --- reading ----------------------------------------------------------------------------------------------------

  /** Reads the Entity at `ptr` as fields of `type` (what store.set receives). */
  read(ptr: number, type: EntityTypeModel): EntityInput {
    const heap = this.heap;
    heap.refresh();
    const w = heap.words;
    const array = w[ptr >>> 2]!;
    const dataStart = w[(array + 4) >>> 2]!;
    const length = w[(array + 12) >>> 2]! | 0;
    const written = this.written.get(ptr);
    const known = written !== undefined && written.type === type ? written : null;
    const keys = this.keys(type);
    const entries = this.entries;
    const fields: EntityFields = new Array(type.storedFields.length);
    let unknown: string[] | null = null;
    let derived: string[] | null = null;
    for (let n = 0; n < length; n++) {
      const entry = w[(dataStart >>> 2) + n]!;
      const keyPtr = w[entry >>> 2]!;
      const valuePtr = w[(entry + 4) >>> 2]!;
      const at = known === null ? 0 : known.start + n * ENTRY_WORDS;
      if (known !== null && n < known.count && entry === entries[at + 1] && keyPtr === keys[entries[at]!]) {
        // An entry as written: its key is known, its value too if untouched.
        const i = entries[at]!;
        const stored = known.fields[i]!;
        const same = valuePtr === entries[at + 2] && this.unchanged(valuePtr, stored, entries[at + 3]!);
        fields[i] = same ? stored : readStoreValue(heap, valuePtr);
        continue;
      }
      const name = this.keyName(keyPtr);
      const i = type.storedIndex.get(name);
      if (i === undefined) {
        if (type.fieldsByName.has(name)) (derived ??= []).push(name);
        else (unknown ??= []).push(name);
        readStoreValue(heap, valuePtr); // still checks the value's kind
        continue;
      }
      fields[i] = readStoreValue(heap, valuePtr);
    }
    return { fields, unknown, derived };
  }

  private keyName(ptr: number): string {
    const cached = this.keyNames.get(ptr);
    if (cached !== undefined && this.isString(ptr, cached)) return cached;
    const name = this.heap.readString(ptr);
    this.keyNames.set(ptr, name);
    return name;
  }

  private isString(ptr: number, text: string): boolean {
    if (this.heap.words[(ptr - 4) >>> 2] !== text.length * 2) return false;
    const halfs = this.heap.halfs;
    const base = ptr >>> 1;
    for (let i = 0; i < text.length; i++) if (halfs[base + i] !== text.charCodeAt(i)) return false;
    return true;
  }

  /** Whether the Value at `ptr`, written from `value` with payload pointer `payload` (0: none), still holds it. */
  private unchanged(ptr: number, value: StoreValue, payload: number): boolean {
    const w = this.heap.words;
    const at = ptr >>> 2;
    if (w[at] !== value.kind) return false;
    const low = w[at + 2]!;
    const high = w[at + 3]!;
    switch (value.kind) {
      case ValueKind.Int:
        return (low | 0) === value.value;
      case ValueKind.Bool:
        return (low !== 0 || high !== 0) === value.value;
      case ValueKind.Null:
        return true;
      case ValueKind.String:
        // Strings are immutable: the same object means the same text.
        return high === 0 && low === payload;
      case ValueKind.Bytes:
        return high === 0 && this.holds(low, value.value);
      case ValueKind.BigInt:
        return high === 0 && this.holds(low, bigIntBytes(value));
      case ValueKind.Int8:
      case ValueKind.Timestamp:
        return BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low)) === value.value;
      default:
        return false; // BigDecimal and lists: decoded again
    }
  }

  /** Whether the Uint8Array at `ptr` holds exactly `bytes`. */
  private holds(ptr: number, bytes: Uint8Array): boolean {
    if (ptr === 0) return false;
    const w = this.heap.words;
    const dataStart = w[(ptr + 4) >>> 2]!;
    const length = w[(ptr + 8) >>> 2]!;
    if (length !== bytes.length) return false;
    const memory = this.heap.bytes;
    for (let i = 0; i < length; i++) if (memory[dataStart + i] !== bytes[i]) return false;
    return true;
  }
}
